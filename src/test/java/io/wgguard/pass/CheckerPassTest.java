package io.wgguard.pass;

import static io.wgguard.evidence.Nodes.DEFAULTS;
import static io.wgguard.evidence.Nodes.ENFORCE_TUNNELS;
import static io.wgguard.evidence.Nodes.KEY_CONTROL1;
import static io.wgguard.evidence.Nodes.KEY_WORKER1;
import static io.wgguard.evidence.Nodes.KEY_WORKER2;
import static io.wgguard.evidence.Nodes.NOW;
import static io.wgguard.evidence.Nodes.control1;
import static io.wgguard.evidence.Nodes.device;
import static io.wgguard.evidence.Nodes.facts;
import static io.wgguard.evidence.Nodes.node;
import static io.wgguard.evidence.Nodes.worker1;
import static io.wgguard.evidence.Nodes.worker2;
import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.evidence.NodeFacts;
import io.wgguard.evidence.NodeVerdict;
import io.wgguard.evidence.Nodes;
import io.wgguard.evidence.Nodes.NodeBuilder;
import io.wgguard.felix.CalicoNodeEnvironment.ConfigMaps;
import io.wgguard.felix.Felix;
import io.wgguard.felix.FelixObject;
import io.wgguard.taints.NodePlan;
import io.wgguard.taints.Posture;
import io.wgguard.taints.TaintChange;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One pass, and passes in a row as the reconciler runs them: what one pass leaves ({@link
 * PassResult#next}) is what the next one reads.
 */
class CheckerPassTest {

  static ClusterSnapshot snapshot(List<Felix> felix, List<NodeFacts> nodes, List<String> faults) {
    List<FelixObject> objects = felix.stream().map(Felix::object).toList();
    return new ClusterSnapshot(
        objects, List.of(), ConfigMaps.none(), nodes, "crd.projectcalico.org/v1", Map.of(), faults);
  }

  static ClusterSnapshot snapshot(List<Felix> felix, List<NodeFacts> nodes) {
    return snapshot(felix, nodes, List.of());
  }

  static final List<Felix> WG_ON = List.of(Felix.felix("default").wireguard(true));

  @Test
  void onePassHoldsEveryStageOfTheCluster() {
    List<Felix> felix =
        List.of(
            Felix.felix("default").wireguard(true),
            Felix.felix("node.worker1")
                .wireguard(true)
                .override("CHG-1234")
                .expires("2026-11-25T13:00:00Z"));

    PassResult result =
        CheckerPass.run(
            snapshot(felix, facts(control1(), worker1(), worker2().noKey())),
            PreviousPass.NONE,
            DEFAULTS,
            NOW);

    assertThat(result.posture()).isEqualTo(Posture.NODES_NOT_READY);
    assertThat(result.assessment().verdicts())
        .extracting(v -> v.name() + " " + v.ready())
        .containsExactly("control1 true", "worker1 true", "worker2 false");
    assertThat(result.plan().changes())
        .extracting(TaintChange::describe)
        .containsExactly("add wgguard.io/wireguard-not-ready=no-public-key:NoSchedule to worker2");
    assertThat(result.removal().write()).isEqualTo(result.plan());
    assertThat(result.overrides())
        .extracting(StandingOverride::object)
        .containsExactly("node.worker1");
    assertThat(result.departures()).isEmpty();
    assertThat(result.next().families()).containsOnlyKeys("control1", "worker1", "worker2");
  }

  @Test
  void aNodeOnWireGuardInOnePassAndOffInTheNextIsADeparture() {
    List<Felix> worker1On =
        List.of(
            Felix.felix("default").wireguard(false), Felix.felix("node.worker1").wireguard(true));
    List<Felix> allOff = List.of(Felix.felix("default").wireguard(false));
    List<NodeFacts> nodes = facts(control1(), worker1());

    PassResult first =
        CheckerPass.run(snapshot(worker1On, nodes), PreviousPass.NONE, DEFAULTS, NOW);
    PassResult second =
        CheckerPass.run(snapshot(allOff, nodes), first.next(true), DEFAULTS, NOW.plusSeconds(30));

    assertThat(first.departures()).isEmpty();
    assertThat(second.departures())
        .extracting(d -> d.node() + " " + d.cause())
        .containsExactly("worker1 FELIX_CONFIGURATION");
  }

  /** Four tainted nodes ready again: a mass removal, held until a later pass confirms it. */
  static List<NodeFacts> fourTaintedReadyAgain() {
    return facts(
        control1().tainted("no-public-key"),
        worker1().tainted("no-public-key"),
        worker2().tainted("no-public-key"),
        node("worker3")
            .key("zV0UTRFqN/+VQAp3BjUYhJm2ZzPuKfEWkGXmLOeJEX0=")
            .addr("10.48.120.1")
            .tainted("no-public-key"));
  }

  @Test
  void aMassRemovalWaitsForAConfirmingPassOnlyWhileTheWriterWaits() {
    Duration delay = DEFAULTS.taints().removalConfirmDelay();
    ClusterSnapshot cluster = snapshot(WG_ON, fourTaintedReadyAgain());

    PassResult first = CheckerPass.run(cluster, PreviousPass.NONE, DEFAULTS, NOW);
    PassResult tooSoon = CheckerPass.run(cluster, first.next(true), DEFAULTS, NOW.plusSeconds(1));
    PassResult confirmed = CheckerPass.run(cluster, tooSoon.next(true), DEFAULTS, NOW.plus(delay));
    PassResult notTheWriter =
        CheckerPass.run(cluster, first.next(false), DEFAULTS, NOW.plus(delay));

    assertThat(first.plan().changes()).hasSize(4);
    assertThat(first.removal().write().changes()).isEmpty();
    assertThat(first.removal().held()).contains("4 of 4 tainted nodes would lose their taint");
    assertThat(first.next(true).massRemovalSince()).isEqualTo(NOW);
    assertThat(tooSoon.removal().write().changes()).isEmpty();
    assertThat(confirmed.removal().write().changes()).hasSize(4);
    assertThat(confirmed.next(true).massRemovalSince()).isNull();
    assertThat(notTheWriter.removal().write().changes())
        .as("a replica that wrote nothing has confirmed nothing: it waits afresh")
        .isEmpty();
  }

  @Test
  void underAFaultNoTaintIsRemovedAndTheFaultIsSaid() {
    PassResult result =
        CheckerPass.run(
            snapshot(WG_ON, fourTaintedReadyAgain(), List.of("the Node watch is down")),
            PreviousPass.NONE,
            DEFAULTS,
            NOW);

    assertThat(result.removal().write().changes()).isEmpty();
    assertThat(result.removal().held())
        .isEqualTo("4 taint removal(s) held: the Node watch is down");
    assertThat(result.snapshot().faults()).containsExactly("the Node watch is down");
  }

  @Test
  void thePassIsAFunctionOfItsInputs() {
    ClusterSnapshot cluster = snapshot(WG_ON, facts(control1(), worker1(), worker2().noKey()));
    Instant at = NOW;

    List<String> runs =
        Stream.of(1, 2, 3)
            .map(i -> CheckerPass.run(cluster, PreviousPass.NONE, DEFAULTS, at))
            .map(r -> r.plan().summary() + r.assessment().verdicts() + r.removal())
            .distinct()
            .toList();

    assertThat(runs).hasSize(1);
  }

  // What a pass keeps until the next one is handed back where equal (Unchanged): without it, every
  // pass's verdicts, plans and indexes were new objects the Serial collector promoted.

  static List<NodeBuilder> meshed() {
    return List.of(
        control1().tunnel(device(KEY_CONTROL1, KEY_WORKER1, KEY_WORKER2)),
        worker1().tunnel(device(KEY_WORKER1, KEY_CONTROL1, KEY_WORKER2)),
        worker2().tunnel(device(KEY_WORKER2, KEY_CONTROL1, KEY_WORKER1)));
  }

  static PassResult twice(List<NodeFacts> nodes, PassSettings settings, PassResult[] first) {
    first[0] = CheckerPass.run(snapshot(WG_ON, nodes), PreviousPass.NONE, settings, NOW);
    return CheckerPass.run(
        snapshot(WG_ON, List.copyOf(nodes)), first[0].next(true), settings, NOW.plusSeconds(30));
  }

  @Test
  void aPassOverAnUnchangedClusterKeepsWhatThePreviousPassKept() {
    PassResult[] first = new PassResult[1];
    List<NodeFacts> nodes = meshed().stream().map(NodeBuilder::facts).toList();

    PassResult second = twice(nodes, ENFORCE_TUNNELS, first);

    assertThat(second.assessment().verdicts()).isSameAs(first[0].assessment().verdicts());
    assertThat(second.plan().nodes()).isSameAs(first[0].plan().nodes());
    assertThat(second.tunnels().nodes().get("worker1"))
        .isSameAs(first[0].tunnels().nodes().get("worker1"));
    PreviousPass.Indexes before = first[0].next().indexes();
    PreviousPass.Indexes after = second.next().indexes();
    assertThat(after.verdicts().sharesTableWith(before.verdicts())).isTrue();
    assertThat(after.plans().sharesTableWith(before.plans())).isTrue();
    assertThat(after.tunnels().sharesTableWith(before.tunnels())).isTrue();
    assertThat(after.nodes().sharesTableWith(before.nodes())).isTrue();
  }

  @Test
  void aNodeThatChangedGetsNewResultsAndTheOthersKeepTheirs() {
    PassResult first =
        CheckerPass.run(
            snapshot(WG_ON, facts(control1(), worker1(), worker2())),
            PreviousPass.NONE,
            DEFAULTS,
            NOW);

    PassResult second =
        CheckerPass.run(
            snapshot(WG_ON, facts(control1(), worker1(), worker2().noKey())),
            first.next(true),
            DEFAULTS,
            NOW.plusSeconds(30));

    List<NodeVerdict> before = first.assessment().verdicts();
    List<NodeVerdict> after = second.assessment().verdicts();
    assertThat(after.get(0)).isSameAs(before.get(0));
    assertThat(after.get(1)).isSameAs(before.get(1));
    assertThat(after.get(2)).isNotSameAs(before.get(2));
    assertThat(after.get(2).ready()).isFalse();
    List<NodePlan> plans = second.plan().nodes();
    assertThat(plans.get(0)).isSameAs(first.plan().nodes().get(0));
    assertThat(plans.get(2).desired()).isNotNull();
    assertThat(second.plan().changes())
        .extracting(TaintChange::describe)
        .containsExactly("add wgguard.io/wireguard-not-ready=no-public-key:NoSchedule to worker2");
  }

  static Stream<Arguments> secondPasses() {
    return Stream.of(
        Arguments.of("an unchanged cluster", facts(control1(), worker1(), worker2()), DEFAULTS),
        Arguments.of(
            "a key lost since the first pass",
            facts(control1(), worker1(), worker2().noKey()),
            DEFAULTS),
        Arguments.of("a node gone since the first pass", facts(control1(), worker1()), DEFAULTS),
        Arguments.of(
            "a node joined since the first pass",
            facts(control1(), worker1(), worker2(), node("worker3")),
            DEFAULTS),
        Arguments.of(
            "a stale tunnel under tunnel-evidence=enforce",
            facts(
                control1().tunnel(device(KEY_CONTROL1, KEY_WORKER1, KEY_WORKER2)),
                worker1()
                    .tunnel(
                        Nodes.stale(
                            KEY_WORKER1,
                            List.of(KEY_CONTROL1.substring(0, 8)),
                            KEY_CONTROL1,
                            KEY_WORKER2)),
                worker2().tunnel(device(KEY_WORKER2, KEY_CONTROL1, KEY_WORKER1))),
            ENFORCE_TUNNELS),
        Arguments.of(
            "every tunnel proven under tunnel-evidence=enforce",
            meshed().stream().map(NodeBuilder::facts).toList(),
            ENFORCE_TUNNELS));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("secondPasses")
  void whatIsHandedBackEqualsWhatThePassWouldFindAfresh(
      String name, List<NodeFacts> nodes, PassSettings settings) {
    PassResult first =
        CheckerPass.run(
            snapshot(WG_ON, meshed().stream().map(NodeBuilder::facts).toList()),
            PreviousPass.NONE,
            settings,
            NOW);
    PreviousPass kept = first.next(true);
    PreviousPass bare =
        new PreviousPass(
            Map.copyOf(kept.families()),
            Map.copyOf(kept.labels()),
            kept.massRemovalSince(),
            kept.felix(),
            kept.calicoNodeOverrides());

    PassResult handedBack = CheckerPass.run(snapshot(WG_ON, nodes), kept, settings, NOW);
    PassResult afresh = CheckerPass.run(snapshot(WG_ON, nodes), bare, settings, NOW);

    assertThat(handedBack.assessment()).isEqualTo(afresh.assessment());
    assertThat(handedBack.plan()).isEqualTo(afresh.plan());
    assertThat(handedBack.removal()).isEqualTo(afresh.removal());
    assertThat(handedBack.departures()).isEqualTo(afresh.departures());
    assertThat(handedBack.next().families()).isEqualTo(afresh.next().families());
    assertThat(handedBack.next().labels()).isEqualTo(afresh.next().labels());
    for (NodeFacts node : nodes) {
      assertThat(handedBack.next().indexes().verdicts().get(node.name()))
          .isEqualTo(afresh.next().indexes().verdicts().get(node.name()))
          .isNotNull();
    }
  }
}
