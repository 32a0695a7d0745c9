package io.wgguard.policy;

import static io.wgguard.felix.Felix.create;
import static io.wgguard.felix.Felix.delete;
import static io.wgguard.felix.Felix.felix;
import static io.wgguard.felix.Felix.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.felix.ClusterView;
import io.wgguard.felix.Felix;
import io.wgguard.felix.FelixPath;
import io.wgguard.policy.Decision.Verdict;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Writes that break the path into WireGuard without touching {@code wireguardEnabled}: the routing
 * rule's priority and the route tables, judged by their effect on the nodes WireGuard is on for.
 * Three nodes: worker1 and worker2 (zone=a), worker3 (zone=b).
 */
class FelixConfigurationPathTest {

  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  static final Map<String, Map<String, String>> NODES =
      Map.of(
          "worker1", Map.of("zone", "a"),
          "worker2", Map.of("zone", "a"),
          "worker3", Map.of("zone", "b"));

  static final String RULE = "DISABLES spec.wireguardRoutingRulePriority";
  static final String RANGE = "DISABLES spec.routeTableRange";
  static final String RANGES = "DISABLES spec.routeTableRanges";

  static Felix on() {
    return felix("default").wireguard(true);
  }

  static Felix dual() {
    return felix("default").wireguard(true).wireguardV6(true);
  }

  static Arguments c(
      String sentence, List<Felix> cluster, Felix.Req write, Verdict verdict, String... found) {
    return Arguments.of(sentence, cluster, write, verdict, List.of(found));
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        c(
            "a rule priority of 40000 on default is after the main table's on every node",
            List.of(on()),
            update(on(), on().spec("wireguardRoutingRulePriority", "40000")),
            Verdict.DENIED,
            RULE),
        c(
            "32765 still comes before the main table's rule",
            List.of(on()),
            update(on(), on().spec("wireguardRoutingRulePriority", "32765")),
            Verdict.ALLOWED),
        c(
            "32766 is the main table's own priority: refused",
            List.of(on()),
            update(on(), on().spec("wireguardRoutingRulePriority", "32766")),
            Verdict.DENIED,
            RULE),
        c(
            "the annotation override counts like the field",
            List.of(on()),
            update(
                on(),
                on().annotation("config.projectcalico.org/WireguardRoutingRulePriority", "40000")),
            Verdict.DENIED,
            "DISABLES metadata.annotations[config.projectcalico.org/WireguardRoutingRulePriority]"),
        c(
            "with the override label and a ticket it passes",
            List.of(on()),
            update(on(), on().spec("wireguardRoutingRulePriority", "40000").override("CHG-1042")),
            Verdict.OVERRIDDEN,
            RULE),
        c(
            "on a node WireGuard is off for, the priority breaks nothing",
            List.of(felix("default"), felix("node.worker1").wireguard(true)),
            create(felix("node.worker3").spec("wireguardRoutingRulePriority", "40000")),
            Verdict.ALLOWED),
        c(
            "on node.worker1, where WireGuard is on, it is refused",
            List.of(on()),
            create(felix("node.worker1").spec("wireguardRoutingRulePriority", "40000")),
            Verdict.DENIED,
            RULE),
        c(
            "a node object that already overrides the priority shields its node from default's",
            List.of(
                on(),
                felix("node.worker1").spec("wireguardRoutingRulePriority", "100"),
                felix("node.worker2").spec("wireguardRoutingRulePriority", "100"),
                felix("node.worker3").spec("wireguardRoutingRulePriority", "100")),
            update(on(), on().spec("wireguardRoutingRulePriority", "40000")),
            Verdict.ALLOWED),
        c(
            "deleting the object that kept the rule early lets default's 40000 through",
            List.of(
                on().spec("wireguardRoutingRulePriority", "40000"),
                felix("node.worker1").spec("wireguardRoutingRulePriority", "100")),
            delete(felix("node.worker1").spec("wireguardRoutingRulePriority", "100")),
            Verdict.DENIED,
            RULE),
        c(
            "routeTableRange 1-1 leaves IPv4 its table",
            List.of(on()),
            update(on(), on().spec("routeTableRange", "{\"min\":1,\"max\":1}")),
            Verdict.ALLOWED),
        c(
            "routeTableRange 1-1 leaves dual-stack IPv6 no table",
            List.of(dual()),
            update(dual(), dual().spec("routeTableRange", "{\"min\":1,\"max\":1}")),
            Verdict.DENIED,
            RANGE),
        c(
            "routeTableRanges of the reserved tables only leave IPv4 none",
            List.of(on()),
            update(on(), on().spec("routeTableRanges", "[{\"min\":253,\"max\":255}]")),
            Verdict.DENIED,
            RANGES),
        c(
            "routeTableRanges outrank routeTableRange: a wide range list saves a narrow range",
            List.of(dual()),
            update(
                dual(),
                dual()
                    .spec("routeTableRange", "{\"min\":1,\"max\":1}")
                    .spec("routeTableRanges", "[{\"min\":1,\"max\":10}]")),
            Verdict.ALLOWED),
        c(
            "overlapping ranges count each table once",
            List.of(dual()),
            update(
                dual(),
                dual().spec("routeTableRanges", "[{\"min\":5,\"max\":5},{\"min\":5,\"max\":5}]")),
            Verdict.DENIED,
            RANGES),
        c(
            "a write that leaves the path fields alone is not judged by them",
            List.of(on().spec("wireguardRoutingRulePriority", "40000")),
            update(
                on().spec("wireguardRoutingRulePriority", "40000"),
                on().spec("wireguardRoutingRulePriority", "40000")
                    .spec("logSeverityScreen", "\"Debug\"")),
            Verdict.ALLOWED),
        c(
            "an annotation Felix cannot read as an integer is refused",
            List.of(on()),
            update(
                on(),
                on().annotation("config.projectcalico.org/WireguardRoutingRulePriority", "early")),
            Verdict.DENIED,
            "INVALID_VALUE metadata.annotations[config.projectcalico.org/WireguardRoutingRulePriority]"));
  }

  static ClusterView view(List<Felix> cluster) {
    Map<String, FelixPath> paths = new HashMap<>();
    cluster.forEach(f -> paths.put(f.object().name(), FelixPath.read(f.json())));
    return ClusterView.of(true, cluster.stream().map(Felix::object).toList(), NODES, paths);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void judgesThePathByEffect(
      String sentence, List<Felix> cluster, Felix.Req write, Verdict verdict, List<String> found) {
    Decision decision =
        new FelixConfigurationPolicy(PolicySettings.defaults())
            .decide(write.input(), view(cluster), NOW);

    assertThat(decision.verdict()).isEqualTo(verdict);
    assertThat(
            decision.violations().stream()
                .filter(
                    v ->
                        v.type() == Violation.Type.DISABLES
                            || v.type() == Violation.Type.INVALID_VALUE)
                .map(v -> v.type() + " " + v.field()))
        .containsExactlyElementsOf(found);
  }

  @Test
  void theRefusalSaysWhatWhyAndWhere() {
    Decision decision =
        new FelixConfigurationPolicy(PolicySettings.defaults())
            .decide(
                create(felix("node.worker1").spec("wireguardRoutingRulePriority", "40000")).input(),
                view(List.of(on())),
                NOW);

    assertThat(decision.message())
        .startsWith(
            "FelixConfiguration \"node.worker1\" (crd.projectcalico.org) would take pod traffic"
                + " out of WireGuard on node worker1: ")
        .contains(
            "spec.wireguardRoutingRulePriority (node.worker1) is 40000, at or after the main"
                + " table's rule (32766): Felix's rule 'not fwmark M/M lookup <WireGuard table>'"
                + " would come after it, so pod traffic takes the main table, in clear, on 1 of 3"
                + " nodes: worker1");
  }

  @Test
  void withoutASyncedViewTheObjectAloneDecides() {
    Decision decision =
        new FelixConfigurationPolicy(PolicySettings.defaults())
            .decide(
                update(on(), on().spec("routeTableRanges", "[{\"min\":254,\"max\":254}]")).input(),
                ClusterView.NONE,
                NOW);

    assertThat(decision.verdict()).isEqualTo(Verdict.DENIED);
    assertThat(decision.violations())
        .extracting(Violation::field)
        .contains("spec.routeTableRanges");
  }

  @Test
  void tablesAreCountedAsFelixAllocatesThem() {
    assertThat(FelixPath.tables(List.of(FelixPath.DEFAULT_TABLES), 1000)).isEqualTo(250);
    assertThat(FelixPath.tables(List.of(new FelixPath.Range(250, 256)), 1000)).isEqualTo(4);
    assertThat(
            FelixPath.tables(List.of(new FelixPath.Range(1, 10), new FelixPath.Range(5, 12)), 1000))
        .isEqualTo(12);
  }
}
