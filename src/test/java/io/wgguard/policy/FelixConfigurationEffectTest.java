package io.wgguard.policy;

import static io.wgguard.felix.Felix.create;
import static io.wgguard.felix.Felix.delete;
import static io.wgguard.felix.Felix.felix;
import static io.wgguard.felix.Felix.felixV3;
import static io.wgguard.felix.Felix.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.felix.ClusterView;
import io.wgguard.felix.Felix;
import io.wgguard.felix.FelixObject;
import io.wgguard.felix.GuardedField;
import io.wgguard.policy.Decision.Verdict;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Writes judged by their effect on nodes: the cluster's FelixConfigurations with the written object
 * swapped in, for every node and guarded field. The cluster has four nodes: control1
 * (role=control), worker1 (zone=a), worker2 and worker3 (zone=b).
 */
class FelixConfigurationEffectTest {

  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  static final String LATER = "2026-11-25T18:00:00Z";
  static final String WG = "config.projectcalico.org/WireguardEnabled";

  static final Map<String, Map<String, String>> NODES =
      Map.of(
          "control1", Map.of("role", "control"),
          "worker1", Map.of("zone", "a"),
          "worker2", Map.of("zone", "b"),
          "worker3", Map.of("zone", "b"));

  static final PolicySettings DEFAULTS = PolicySettings.defaults();
  static final PolicySettings APPROVERS =
      new PolicySettings(
          true,
          EnumSet.of(GuardedField.WIREGUARD_ENABLED, GuardedField.WIREGUARD_ENABLED_V6),
          Pattern.compile(PolicySettings.DEFAULT_TICKET_PATTERN),
          false,
          Optional.empty(),
          List.of(),
          List.of("wgguard-approvers"),
          List.of());
  static final PolicySettings HOST =
      new PolicySettings(
          true,
          EnumSet.allOf(GuardedField.class),
          Pattern.compile(PolicySettings.DEFAULT_TICKET_PATTERN),
          false,
          Optional.empty(),
          List.of(),
          List.of(),
          List.of());

  /** The API group a case is written in: both must give the same answers. */
  enum Group {
    V1(Felix::felix),
    V3(Felix::felixV3);

    final Function<String, Felix> make;

    Group(Function<String, Felix> make) {
      this.make = make;
    }
  }

  /** The cluster's objects and the write, built fresh for a group. */
  interface Scenario {
    Case in(Function<String, Felix> f);
  }

  record Case(List<Felix> cluster, Felix.Req write) {}

  static Case given(List<Felix> cluster, Felix.Req write) {
    return new Case(cluster, write);
  }

  /** Expected: verdict, violations as "TYPE field", the rule, and a phrase the message holds. */
  record Expect(Verdict verdict, List<String> violations, String judgedBy, String says) {}

  static Expect denied(String says, String... violations) {
    return new Expect(
        Verdict.DENIED, List.of(violations), FelixConfigurationPolicy.BY_EFFECT, says);
  }

  static Expect overridden(String says, String... violations) {
    return new Expect(
        Verdict.OVERRIDDEN, List.of(violations), FelixConfigurationPolicy.BY_EFFECT, says);
  }

  static Expect allowed() {
    return new Expect(Verdict.ALLOWED, List.of(), null, "");
  }

  static final String V4 = "DISABLES spec.wireguardEnabled";
  static final String V6 = "DISABLES spec.wireguardEnabledV6";
  static final String SELECTOR = "DISABLES spec.nodeSelector";
  static final String NO_LABEL = "OVERRIDE_MISSING metadata.labels[wgguard.io/override]";
  static final String STALE = "OVERRIDE_STALE metadata.labels[wgguard.io/override]";
  static final String NOT_APPROVED = "REQUESTER_NOT_APPROVED userInfo";

  /** Default off; worker1 on by node.worker1; zone b on by the selector-scoped object zone-b. */
  static List<Felix> stagedRollout(Function<String, Felix> f) {
    return List.of(
        f.apply("default").wireguard(false),
        f.apply("node.worker1").wireguard(true),
        f.apply("zone-b").selector("zone == 'b'").wireguard(true).created("2026-11-01T00:00:00Z"));
  }

  static Arguments c(String sentence, PolicySettings settings, Scenario scenario, Expect expect) {
    return Arguments.of(sentence, settings, scenario, expect);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // The staged rollout: default off, WireGuard enabled node by node and by a selector.
        c(
            "removing the true from node.worker1 switches worker1 off and is refused",
            DEFAULTS,
            f ->
                given(
                    stagedRollout(f),
                    update(f.apply("node.worker1").wireguard(true), f.apply("node.worker1"))),
            denied("now off on 1 of 4 nodes: worker1", V4, NO_LABEL)),
        c(
            "removing the true from node.worker1 under a fresh ticket by an approver is allowed",
            APPROVERS,
            f ->
                given(
                    stagedRollout(f),
                    update(
                            f.apply("node.worker1").wireguard(true),
                            f.apply("node.worker1").override("CHG-3"))
                        .by("carol", "wgguard-approvers")),
            overridden("on node worker1 under override CHG-3 by carol", V4)),
        c(
            "removing the true from node.worker1 under a fresh ticket by an editor is refused",
            APPROVERS,
            f ->
                given(
                    stagedRollout(f),
                    update(
                            f.apply("node.worker1").wireguard(true),
                            f.apply("node.worker1").override("CHG-3"))
                        .by("bob", "platform-editors")),
            denied("on 1 of 4 nodes: worker1", V4, NOT_APPROVED)),
        c(
            "deleting node.worker1 switches worker1 off and is refused",
            DEFAULTS,
            f -> given(stagedRollout(f), delete(f.apply("node.worker1").wireguard(true))),
            denied("on 1 of 4 nodes: worker1", V4, NO_LABEL)),
        c(
            "narrowing the selector of zone-b switches the nodes it leaves off",
            DEFAULTS,
            f ->
                given(
                    stagedRollout(f),
                    update(
                        f.apply("zone-b")
                            .selector("zone == 'b'")
                            .wireguard(true)
                            .created("2026-11-01T00:00:00Z"),
                        f.apply("zone-b")
                            .selector("zone == 'b' && role == 'gpu'")
                            .wireguard(true)
                            .created("2026-11-01T00:00:00Z"))),
            denied("on 2 of 4 nodes: worker2, worker3", SELECTOR, NO_LABEL)),
        c(
            "widening the selector of zone-b only switches nodes on and is allowed",
            DEFAULTS,
            f ->
                given(
                    stagedRollout(f),
                    update(
                        f.apply("zone-b")
                            .selector("zone == 'b'")
                            .wireguard(true)
                            .created("2026-11-01T00:00:00Z"),
                        f.apply("zone-b")
                            .selector("has(zone)")
                            .wireguard(true)
                            .created("2026-11-01T00:00:00Z"))),
            allowed()),
        c(
            "widening an older selector object that says nothing about WireGuard shadows zone-b",
            DEFAULTS,
            f ->
                given(
                    with(
                        stagedRollout(f),
                        f.apply("legacy")
                            .selector("role == 'control'")
                            .spec("logSeverityScreen", "\"Info\"")
                            .created("2026-10-01T00:00:00Z")),
                    update(
                        f.apply("legacy")
                            .selector("role == 'control'")
                            .spec("logSeverityScreen", "\"Info\"")
                            .created("2026-10-01T00:00:00Z"),
                        f.apply("legacy")
                            .selector("all()")
                            .spec("logSeverityScreen", "\"Info\"")
                            .created("2026-10-01T00:00:00Z"))),
            denied("on 2 of 4 nodes: worker2, worker3", SELECTOR, NO_LABEL)),
        c(
            "switching default on for everyone while node.worker1 goes away is allowed",
            DEFAULTS,
            f ->
                given(
                    List.of(
                        f.apply("default").wireguard(true),
                        f.apply("node.worker1").wireguard(true)),
                    delete(f.apply("node.worker1").wireguard(true))),
            allowed()),
        c(
            "removing a redundant true while default enables WireGuard is allowed",
            DEFAULTS,
            f ->
                given(
                    List.of(
                        f.apply("default").wireguard(true),
                        f.apply("node.worker1").wireguard(true)),
                    update(f.apply("node.worker1").wireguard(true), f.apply("node.worker1"))),
            allowed()),
        c(
            "IPv6 enabled by a selector object and switched off there is refused for IPv6",
            DEFAULTS,
            f ->
                given(
                    List.of(
                        f.apply("default").wireguard(true),
                        f.apply("v6").selector("zone == 'b'").wireguardV6(true)),
                    update(
                        f.apply("v6").selector("zone == 'b'").wireguardV6(true),
                        f.apply("v6").selector("zone == 'b'").wireguardV6(false))),
            denied("on 2 of 4 nodes: worker2, worker3", V6, NO_LABEL)),

        // default.
        c(
            "switching default off switches every node off",
            DEFAULTS,
            f ->
                given(
                    List.of(f.apply("default").wireguard(true)),
                    update(
                        f.apply("default").wireguard(true), f.apply("default").wireguard(false))),
            denied("on every node (4)", V4, NO_LABEL)),
        c(
            "switching default off while node.worker1 keeps it on spares worker1",
            DEFAULTS,
            f ->
                given(
                    List.of(
                        f.apply("default").wireguard(true),
                        f.apply("node.worker1").wireguard(true)),
                    update(
                        f.apply("default").wireguard(true), f.apply("default").wireguard(false))),
            denied("on 3 of 4 nodes: control1, worker2, worker3", V4, NO_LABEL)),
        c(
            "an annotation override on default switches every node off",
            DEFAULTS,
            f ->
                given(
                    List.of(f.apply("default").wireguard(true)),
                    update(
                        f.apply("default").wireguard(true),
                        f.apply("default").wireguard(true).annotation(WG, "false"))),
            denied("on every node (4)", "DISABLES metadata.annotations[" + WG + "]", NO_LABEL)),
        c(
            "switching default off where a selector object enables zone b spares zone b",
            DEFAULTS,
            f ->
                given(
                    List.of(
                        f.apply("default").wireguard(true),
                        f.apply("zone-b").selector("zone == 'b'").wireguard(true)),
                    update(
                        f.apply("default").wireguard(true), f.apply("default").wireguard(false))),
            denied("on 2 of 4 nodes: control1, worker1", V4, NO_LABEL)),
        c(
            "a ticket left on default by an earlier change pre-approves nothing",
            DEFAULTS,
            f ->
                given(
                    List.of(f.apply("default").wireguard(true).override("CHG-1")),
                    update(
                        f.apply("default").wireguard(true).override("CHG-1"),
                        f.apply("default").wireguard(false).override("CHG-1"))),
            denied("on every node (4)", V4, STALE)),
        c(
            "host encryption switched off on default is refused when guarded",
            HOST,
            f ->
                given(
                    List.of(f.apply("default").wireguard(true).hostEncryption(true)),
                    update(
                        f.apply("default").wireguard(true).hostEncryption(true),
                        f.apply("default").wireguard(true).hostEncryption(false))),
            denied("on every node (4)", "DISABLES spec.wireguardHostEncryptionEnabled", NO_LABEL)),

        // node.<name>.
        c(
            "a per-node false while default enables WireGuard switches that node off",
            DEFAULTS,
            f ->
                given(
                    List.of(f.apply("default").wireguard(true)),
                    create(f.apply("node.worker2").wireguard(false))),
            denied("on 1 of 4 nodes: worker2", V4, NO_LABEL)),
        // Issue 23 point 1: scopes that reach no known node decide for nodes still to join.
        c(
            "a per-node false for a node that has not joined yet is judged by the object alone",
            DEFAULTS,
            f ->
                given(
                    List.of(f.apply("default").wireguard(true)),
                    create(f.apply("node.worker9").wireguard(false))),
            deniedAlone("would switch WireGuard off on node worker9", V4, NO_LABEL)),
        c(
            "a selector for a node pool still to come turning WireGuard off is judged alone",
            DEFAULTS,
            f ->
                given(
                    List.of(f.apply("default").wireguard(true)),
                    create(
                        f.apply("m7i")
                            .selector("node.kubernetes.io/instance-type == 'm7i.2xlarge'")
                            .wireguard(false))),
            deniedAlone("on nodes matching selector", V4, NO_LABEL)),
        c(
            "a per-node true for a node that has not joined yet is allowed",
            DEFAULTS,
            f ->
                given(
                    List.of(f.apply("default").wireguard(false)),
                    create(f.apply("node.worker9").wireguard(true))),
            allowed()),
        c(
            "a per-node false for a joined node is still judged by its effect",
            DEFAULTS,
            f ->
                given(
                    List.of(f.apply("default").wireguard(false)),
                    create(f.apply("node.worker2").wireguard(false))),
            allowed()),

        // Issue 23 point 8: ipv6Support decides whether IPv6 WireGuard can be on.
        c(
            "ipv6Support: false on default while IPv6 WireGuard is on switches it off: refused",
            DEFAULTS,
            f ->
                given(
                    List.of(f.apply("default").wireguard(true).wireguardV6(true)),
                    update(
                        f.apply("default").wireguard(true).wireguardV6(true),
                        f.apply("default")
                            .wireguard(true)
                            .wireguardV6(true)
                            .spec("ipv6Support", "false"))),
            denied("on every node (4)", "DISABLES spec.ipv6Support", NO_LABEL)),
        c(
            "ipv6Support: false on node.worker1 switches IPv6 WireGuard off there: refused",
            DEFAULTS,
            f ->
                given(
                    List.of(f.apply("default").wireguard(true).wireguardV6(true)),
                    create(f.apply("node.worker1").spec("ipv6Support", "false"))),
            denied("on 1 of 4 nodes: worker1", "DISABLES spec.ipv6Support", NO_LABEL)),
        c(
            "ipv6Support: false on default with IPv6 WireGuard off is allowed",
            DEFAULTS,
            f ->
                given(
                    List.of(f.apply("default").wireguard(true)),
                    update(
                        f.apply("default").wireguard(true),
                        f.apply("default").wireguard(true).spec("ipv6Support", "false"))),
            allowed()),

        // Issue 23 point 9: a blank selector is all() (tokenizer.go trimWhitespace).
        c(
            "narrowing all() to a blank selector changes nothing and is allowed",
            DEFAULTS,
            f ->
                given(
                    List.of(f.apply("default"), f.apply("pool").selector("all()").wireguard(true)),
                    update(
                        f.apply("pool").selector("all()").wireguard(true),
                        f.apply("pool").selector(" ").wireguard(true))),
            allowed()),
        c(
            "blanking the selector of an object that turns WireGuard on keeps every node on",
            DEFAULTS,
            f ->
                given(
                    List.of(
                        f.apply("default"),
                        f.apply("pool").selector("zone == 'b'").wireguard(true)),
                    update(
                        f.apply("pool").selector("zone == 'b'").wireguard(true),
                        f.apply("pool").selector("\t").wireguard(true))),
            allowed()),
        c(
            "emptying the selector of an object that turns WireGuard on switches its nodes off",
            DEFAULTS,
            f ->
                given(
                    List.of(
                        f.apply("default"),
                        f.apply("pool").selector("zone == 'b'").wireguard(true)),
                    update(
                        f.apply("pool").selector("zone == 'b'").wireguard(true),
                        f.apply("pool").selector("").wireguard(true))),
            denied("on 2 of 4 nodes: worker2, worker3", SELECTOR, NO_LABEL)));
  }

  static Expect deniedAlone(String says, String... violations) {
    return new Expect(
        Verdict.DENIED, List.of(violations), FelixConfigurationPolicy.BY_OBJECT_NO_MATCH, says);
  }

  static List<Felix> with(List<Felix> objects, Felix more) {
    List<Felix> all = new java.util.ArrayList<>(objects);
    all.add(more);
    return all;
  }

  static Stream<Arguments> casesInBothGroups() {
    return cases()
        .flatMap(
            a ->
                Arrays.stream(Group.values())
                    .map(
                        g -> {
                          Object[] args = a.get();
                          return Arguments.of(
                              args[0] + " (" + g.name().toLowerCase() + ")",
                              args[1],
                              args[2],
                              args[3],
                              g);
                        }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("casesInBothGroups")
  void judgesTheEffectOnNodes(
      String sentence, PolicySettings settings, Scenario scenario, Expect expect, Group group) {
    Case c = scenario.in(group.make);
    Felix.Req write = group == Group.V3 ? c.write().v3() : c.write();
    Decision decision =
        new FelixConfigurationPolicy(settings).decide(write.input(), view(c.cluster()), NOW);

    assertThat(decision.verdict()).as("verdict").isEqualTo(expect.verdict());
    assertThat(decision.violations())
        .extracting(v -> v.type() + " " + v.field())
        .as("violations")
        .containsExactlyElementsOf(expect.violations());
    assertThat(decision.auditAnnotations().get("judged-by"))
        .as("judged by")
        .isEqualTo(expect.judgedBy());
    String said = decision.allowed() ? String.join(" ", decision.warnings()) : decision.message();
    assertThat(said).as("message").contains(expect.says());
  }

  static ClusterView view(List<Felix> objects) {
    return ClusterView.of(true, objects.stream().map(Felix::object).toList(), NODES);
  }

  // The object-alone rule, while the view is not synced or knows no node.

  static Stream<Arguments> fallback() {
    return Stream.of(
        Arguments.of(
            "removing an asserted true is refused",
            update(felix("node.worker1").wireguard(true), felix("node.worker1")),
            List.of(V4, NO_LABEL)),
        Arguments.of(
            "narrowing a selector that asserts true is refused",
            update(
                felix("zone-b").selector("zone == 'b'").wireguard(true),
                felix("zone-b").selector("zone == 'b' && role == 'gpu'").wireguard(true)),
            List.of(SELECTOR, NO_LABEL)),
        Arguments.of(
            "removing a redundant true is refused: without nodes nothing proves it redundant",
            update(felixV3("node.worker1").wireguard(true), felixV3("node.worker1")).v3(),
            List.of(V4, NO_LABEL)),
        Arguments.of(
            "asserting false on a per-node object is refused",
            create(felix("node.worker2").wireguard(false)),
            List.of(V4, NO_LABEL)),
        Arguments.of(
            "widening an older selector object that asserts nothing cannot be seen and passes",
            update(
                felix("legacy").selector("role == 'control'"), felix("legacy").selector("all()")),
            List.of()));
  }

  @ParameterizedTest(name = "not synced: {0}")
  @MethodSource("fallback")
  void withoutASyncedViewTheObjectAloneDecides(
      String sentence, Felix.Req write, List<String> violations) {
    Decision decision =
        new FelixConfigurationPolicy(DEFAULTS)
            .decide(write.input(), ClusterView.of(false, List.of(), NODES), NOW);

    assertThat(decision.violations())
        .extracting(v -> v.type() + " " + v.field())
        .containsExactlyElementsOf(violations);
    if (!violations.isEmpty()) {
      assertThat(decision.auditAnnotations())
          .containsEntry("judged-by", FelixConfigurationPolicy.BY_OBJECT_NOT_SYNCED);
    }
  }

  @Test
  void aSyncedViewWithoutNodesFallsBackToTheObjectAndSaysSo() {
    Decision decision =
        new FelixConfigurationPolicy(DEFAULTS)
            .decide(
                update(felix("node.worker1").wireguard(true), felix("node.worker1")).input(),
                ClusterView.of(true, List.of(), Map.of()),
                NOW);

    assertThat(decision.verdict()).isEqualTo(Verdict.DENIED);
    assertThat(decision.auditAnnotations())
        .containsEntry("judged-by", FelixConfigurationPolicy.BY_OBJECT_NO_NODES);
  }

  @Test
  void theRefusalNamesTheFamilyTheNodesAndWhereTheValueCameFrom() {
    List<FelixObject> cluster = stagedRollout(Felix::felix).stream().map(Felix::object).toList();
    Decision decision =
        new FelixConfigurationPolicy(DEFAULTS)
            .decide(
                update(felix("node.worker1").wireguard(true), felix("node.worker1")).input(),
                ClusterView.of(true, cluster, NODES),
                NOW);

    assertThat(decision.message())
        .isEqualTo(
            "FelixConfiguration \"node.worker1\" (crd.projectcalico.org) would switch WireGuard off"
                + " on node worker1: spec.wireguardEnabled=true is removed, so IPv4 pod traffic"
                + " inherits again; now off on 1 of 4 nodes: worker1. Refused because the object has no"
                + " wgguard.io/override label. To proceed, label the object"
                + " wgguard.io/override=<ticket> with a change ticket matching"
                + " ^[A-Z][A-Z0-9]*-[0-9]+$, optionally annotated wgguard.io/override-expires=<RFC"
                + " 3339 time>.");
  }

  @Test
  void aWriteOnlyTheEffectExplainsSaysWhereTheValueCameFromBeforeAndAfter() {
    List<Felix> cluster =
        with(
            stagedRollout(Felix::felix),
            felix("legacy").selector("role == 'control'").created("2026-10-01T00:00:00Z"));
    Decision decision =
        new FelixConfigurationPolicy(DEFAULTS)
            .decide(
                update(
                        felix("legacy")
                            .selector("role == 'control'")
                            .created("2026-10-01T00:00:00Z"),
                        felix("legacy").selector("all()").created("2026-10-01T00:00:00Z"))
                    .input(),
                view(cluster),
                NOW);

    assertThat(decision.violations().get(0).detail())
        .isEqualTo(
            "IPv4 WireGuard goes off on 2 of 4 nodes: worker2, worker3 (on by FelixConfiguration"
                + " zone-b (spec.wireguardEnabled) before this write, off by FelixConfiguration"
                + " default (spec.wireguardEnabled) after it)");
  }
}
