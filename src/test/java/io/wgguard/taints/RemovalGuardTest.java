package io.wgguard.taints;

import static io.wgguard.evidence.Nodes.DEFAULTS;
import static io.wgguard.evidence.Nodes.NOW;
import static io.wgguard.evidence.Nodes.control1;
import static io.wgguard.evidence.Nodes.facts;
import static io.wgguard.evidence.Nodes.felix;
import static io.wgguard.evidence.Nodes.node;
import static io.wgguard.evidence.Nodes.wgDefault;
import static io.wgguard.evidence.Nodes.worker1;
import static io.wgguard.evidence.Nodes.worker2;
import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.evidence.NodeFacts;
import io.wgguard.evidence.Nodes;
import io.wgguard.felix.FelixObject;
import io.wgguard.pass.CheckerPass;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RemovalGuardTest {

  static final Duration DELAY = Duration.ofSeconds(5);
  static final List<String> NO_FAULT = List.of();
  static final List<String> WATCH_DOWN = List.of("the Node watch is down");

  /** What the decision writes and remembers. */
  record Expect(List<String> written, Instant since, Duration recheckIn) {}

  static Arguments c(
      String sentence,
      List<FelixObject> felix,
      List<NodeFacts> nodes,
      List<String> faults,
      Instant since,
      Expect expect) {
    return Arguments.of(sentence, felix, nodes, faults, since, expect);
  }

  static final List<FelixObject> WG_ON = felix(wgDefault());
  static final List<FelixObject> NO_FELIX = felix();
  static final Instant EARLIER = NOW.minusSeconds(2);
  static final Instant LONG_AGO = NOW.minusSeconds(5);

  /** Four tainted nodes, all ready again (or WireGuard gone): four removals at once. */
  static List<NodeFacts> allFourUntainted() {
    return facts(
        control1().tainted("no-public-key"),
        worker1().tainted("no-public-key"),
        worker2().tainted("no-public-key"),
        node("worker3").tainted("no-public-key"));
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        c(
            "a plan with no removal is written whole",
            WG_ON,
            facts(control1(), worker1(), node("worker3")),
            WATCH_DOWN,
            null,
            new Expect(List.of("ADD worker3 no-public-key:NoSchedule"), null, null)),
        c(
            "one removal of four tainted nodes is within the fraction and written at once",
            WG_ON,
            facts(
                control1().tainted("no-public-key"),
                worker1(),
                node("worker3").tainted("no-public-key"),
                node("worker4").tainted("no-public-key"),
                node("worker5").tainted("no-public-key")),
            NO_FAULT,
            null,
            new Expect(List.of("REMOVE control1 no-public-key:NoSchedule"), null, null)),
        c(
            "under a fault no removal is written, other changes are",
            WG_ON,
            facts(control1().tainted("no-public-key"), worker1(), node("worker3")),
            WATCH_DOWN,
            null,
            new Expect(List.of("ADD worker3 no-public-key:NoSchedule"), null, null)),
        c(
            "a mass removal seen first is held and a confirming pass asked for",
            NO_FELIX,
            allFourUntainted(),
            NO_FAULT,
            null,
            new Expect(List.of(), NOW, DELAY)),
        c(
            "a mass removal still inside the delay stays held",
            NO_FELIX,
            allFourUntainted(),
            NO_FAULT,
            EARLIER,
            new Expect(List.of(), EARLIER, Duration.ofSeconds(3))),
        c(
            "a mass removal still planned after the delay is written",
            NO_FELIX,
            allFourUntainted(),
            NO_FAULT,
            LONG_AGO,
            new Expect(
                List.of(
                    "REMOVE control1 no-public-key:NoSchedule",
                    "REMOVE worker1 no-public-key:NoSchedule",
                    "REMOVE worker2 no-public-key:NoSchedule",
                    "REMOVE worker3 no-public-key:NoSchedule"),
                null,
                null)),
        c(
            "a mass removal under a fault is never written, however long it waited",
            NO_FELIX,
            allFourUntainted(),
            WATCH_DOWN,
            LONG_AGO,
            new Expect(List.of(), null, null)),
        c(
            "a pass that no longer plans the mass removal forgets it",
            WG_ON,
            facts(control1(), worker1(), worker2()),
            NO_FAULT,
            EARLIER,
            new Expect(List.of(), null, null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decides(
      String sentence,
      List<FelixObject> felix,
      List<NodeFacts> nodes,
      List<String> faults,
      Instant since,
      Expect expect) {
    TaintPlan plan =
        TaintPlanner.plan(CheckerPass.assess(felix, nodes, DEFAULTS, NOW), DEFAULTS.taints());

    RemovalGuard.Decision decision =
        RemovalGuard.decide(plan, faults, DEFAULTS.taints(), since, NOW);

    assertThat(
            new Expect(
                decision.write().changes().stream().map(Nodes::render).toList(),
                decision.massRemovalSince(),
                decision.recheckIn()))
        .isEqualTo(expect);
    assertThat(decision.write().posture()).isEqualTo(plan.posture());
  }

  @Test
  void saysWhyRemovalsAreHeld() {
    TaintPlan plan =
        TaintPlanner.plan(
            CheckerPass.assess(NO_FELIX, allFourUntainted(), DEFAULTS, NOW), DEFAULTS.taints());

    assertThat(RemovalGuard.decide(plan, NO_FAULT, DEFAULTS.taints(), null, NOW).held())
        .isEqualTo(
            "4 of 4 tainted nodes would lose their taint at once, more than the brake fraction:"
                + " written only if a pass 5 s later still plans it");
    assertThat(RemovalGuard.decide(plan, WATCH_DOWN, DEFAULTS.taints(), null, NOW).held())
        .isEqualTo("4 taint removal(s) held: the Node watch is down");
  }
}
