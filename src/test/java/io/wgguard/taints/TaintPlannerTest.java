package io.wgguard.taints;

import static io.wgguard.evidence.Nodes.ADDR6_WORKER1;
import static io.wgguard.evidence.Nodes.DEFAULTS;
import static io.wgguard.evidence.Nodes.KEY6_WORKER1;
import static io.wgguard.evidence.Nodes.KEY_WORKER1;
import static io.wgguard.evidence.Nodes.NOW;
import static io.wgguard.evidence.Nodes.brake;
import static io.wgguard.evidence.Nodes.control1;
import static io.wgguard.evidence.Nodes.effect;
import static io.wgguard.evidence.Nodes.facts;
import static io.wgguard.evidence.Nodes.felix;
import static io.wgguard.evidence.Nodes.node;
import static io.wgguard.evidence.Nodes.wgDefault;
import static io.wgguard.evidence.Nodes.wgDefaultV6;
import static io.wgguard.evidence.Nodes.wgDualStack;
import static io.wgguard.evidence.Nodes.wgOff;
import static io.wgguard.evidence.Nodes.worker1;
import static io.wgguard.evidence.Nodes.worker2;
import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.evidence.NodeFacts;
import io.wgguard.evidence.NodeState;
import io.wgguard.evidence.Nodes;
import io.wgguard.evidence.NotReadyReason;
import io.wgguard.evidence.Taint;
import io.wgguard.evidence.TaintEffect;
import io.wgguard.felix.Felix;
import io.wgguard.felix.FelixObject;
import io.wgguard.felix.IpFamily;
import io.wgguard.pass.CheckerPass;
import io.wgguard.pass.PassSettings;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TaintPlannerTest {

  static final List<FelixObject> WG_ON = felix(wgDefault());

  /**
   * Expected plan: posture, changes, the desired taint per node that should carry one ({@code
   * node=value:effect}), nodes held back by the brake, and the summary line.
   */
  record Expect(
      Posture posture,
      List<String> changes,
      List<String> desired,
      List<String> withheld,
      String summary) {}

  static Expect expect(Posture posture, String summary, String... changes) {
    return new Expect(posture, List.of(changes), null, List.of(), summary);
  }

  static Expect desired(Expect e, String... desired) {
    return new Expect(e.posture(), e.changes(), List.of(desired), e.withheld(), e.summary());
  }

  static Expect withheld(Expect e, String... names) {
    return new Expect(e.posture(), e.changes(), e.desired(), List.of(names), e.summary());
  }

  static Arguments c(
      String sentence,
      PassSettings settings,
      List<FelixObject> felix,
      List<NodeFacts> nodes,
      Expect expect) {
    return Arguments.of(sentence, settings, felix, nodes, expect);
  }

  static final String ON = "WireGuard (IPv4) is enabled cluster-wide and ";

  static Stream<Arguments> cases() {
    return Stream.of(
        // Writes only on mismatch.
        c(
            "the seed's healthy cluster needs no write",
            DEFAULTS,
            WG_ON,
            facts(control1(), worker1(), worker2()),
            desired(
                expect(
                    Posture.HEALTHY,
                    "HEALTHY: "
                        + ON
                        + "every non-exempt node is ready; nodes: 3 ready, 0 exempt, 0 not ready;"
                        + " no taint change"))),
        c(
            "a node without a key gets the taint with its reason",
            DEFAULTS,
            WG_ON,
            facts(control1(), worker1(), worker2().noKey()),
            desired(
                expect(
                    Posture.NODES_NOT_READY,
                    "NODES_NOT_READY: "
                        + ON
                        + "1 of 3 non-exempt nodes is not ready; nodes: 2 ready, 0 exempt, 1 not"
                        + " ready; no-public-key: worker2; taint changes: 1 add",
                    "ADD worker2 no-public-key:NoSchedule"),
                "worker2=no-public-key:NoSchedule")),
        c(
            "a node already carrying the right taint needs no write",
            DEFAULTS,
            WG_ON,
            facts(control1(), worker1(), worker2().noKey().tainted("no-public-key")),
            desired(
                expect(
                    Posture.NODES_NOT_READY,
                    "NODES_NOT_READY: "
                        + ON
                        + "1 of 3 non-exempt nodes is not ready; nodes: 2 ready, 0 exempt, 1 not"
                        + " ready; no-public-key: worker2; no taint change"),
                "worker2=no-public-key:NoSchedule")),
        c(
            "a node whose reason changed gets its taint value updated",
            DEFAULTS,
            WG_ON,
            facts(control1(), worker1(), worker2().noAddr().tainted("no-public-key")),
            desired(
                expect(
                    Posture.NODES_NOT_READY,
                    "NODES_NOT_READY: "
                        + ON
                        + "1 of 3 non-exempt nodes is not ready; nodes: 2 ready, 0 exempt, 1 not"
                        + " ready; no-interface-address: worker2; taint changes: 1 update",
                    "UPDATE worker2 no-public-key:NoSchedule>no-interface-address:NoSchedule"),
                "worker2=no-interface-address:NoSchedule")),
        c(
            "a node that became ready loses its taint",
            DEFAULTS,
            WG_ON,
            facts(control1(), worker1().tainted("module-not-ready"), worker2()),
            desired(
                expect(
                    Posture.HEALTHY,
                    "HEALTHY: "
                        + ON
                        + "every non-exempt node is ready; nodes: 3 ready, 0 exempt, 0 not ready;"
                        + " taint changes: 1 remove",
                    "REMOVE worker1 module-not-ready:NoSchedule"))),
        c(
            "an exempt node loses its taint",
            DEFAULTS,
            WG_ON,
            facts(control1(), node("win1").windows().exempt().tainted("no-public-key")),
            desired(
                expect(
                    Posture.HEALTHY,
                    "HEALTHY: "
                        + ON
                        + "every non-exempt node is ready; nodes: 1 ready, 1 exempt, 0 not ready;"
                        + " taint changes: 1 remove",
                    "REMOVE win1 no-public-key:NoSchedule"))),

        // Effects.
        c(
            "with NoExecute configured the new taint evicts",
            effect(TaintEffect.NO_EXECUTE),
            WG_ON,
            facts(control1(), worker1(), worker2().key("short")),
            desired(
                expect(
                    Posture.NODES_NOT_READY,
                    "NODES_NOT_READY: "
                        + ON
                        + "1 of 3 non-exempt nodes is not ready; nodes: 2 ready, 0 exempt, 1 not"
                        + " ready; invalid-public-key: worker2; taint changes: 1 add",
                    "ADD worker2 invalid-public-key:NoExecute"),
                "worker2=invalid-public-key:NoExecute")),
        c(
            "switching the effect to NoExecute updates an existing NoSchedule taint",
            effect(TaintEffect.NO_EXECUTE),
            WG_ON,
            facts(control1(), worker1(), worker2().noKey().tainted("no-public-key")),
            desired(
                expect(
                    Posture.NODES_NOT_READY,
                    "NODES_NOT_READY: "
                        + ON
                        + "1 of 3 non-exempt nodes is not ready; nodes: 2 ready, 0 exempt, 1 not"
                        + " ready; no-public-key: worker2; taint changes: 1 update",
                    "UPDATE worker2 no-public-key:NoSchedule>no-public-key:NoExecute"),
                "worker2=no-public-key:NoExecute")),
        c(
            "a hand-edited PreferNoSchedule taint is put back to the configured effect",
            DEFAULTS,
            WG_ON,
            facts(
                control1(),
                worker1(),
                worker2().noKey().tainted("no-public-key", "PreferNoSchedule")),
            desired(
                expect(
                    Posture.NODES_NOT_READY,
                    "NODES_NOT_READY: "
                        + ON
                        + "1 of 3 non-exempt nodes is not ready; nodes: 2 ready, 0 exempt, 1 not"
                        + " ready; no-public-key: worker2; taint changes: 1 update",
                    "UPDATE worker2 no-public-key:PreferNoSchedule>no-public-key:NoSchedule"),
                "worker2=no-public-key:NoSchedule")),
        c(
            "of two wgguard taints the right one stays and the other goes, in one change",
            DEFAULTS,
            WG_ON,
            facts(
                control1(),
                worker1(),
                worker2().noKey().tainted("no-public-key", "NoExecute").tainted("no-public-key")),
            desired(
                expect(
                    Posture.NODES_NOT_READY,
                    "NODES_NOT_READY: "
                        + ON
                        + "1 of 3 non-exempt nodes is not ready; nodes: 2 ready, 0 exempt, 1 not"
                        + " ready; no-public-key: worker2; taint changes: 1 update",
                    "UPDATE worker2 no-public-key:NoExecute,no-public-key:NoSchedule"
                        + ">no-public-key:NoSchedule"),
                "worker2=no-public-key:NoSchedule")),
        c(
            "two stale wgguard taints are replaced by the wanted one in one change",
            DEFAULTS,
            WG_ON,
            facts(
                control1(),
                worker1(),
                worker2().noKey().tainted("x", "NoExecute").tainted("module-not-ready")),
            desired(
                expect(
                    Posture.NODES_NOT_READY,
                    "NODES_NOT_READY: "
                        + ON
                        + "1 of 3 non-exempt nodes is not ready; nodes: 2 ready, 0 exempt, 1 not"
                        + " ready; no-public-key: worker2; taint changes: 1 update",
                    "UPDATE worker2 x:NoExecute,module-not-ready:NoSchedule>no-public-key:NoSchedule"),
                "worker2=no-public-key:NoSchedule")),

        // WireGuard off cluster-wide, on for some nodes: a staged rollout.
        c(
            "with default off, a node that node.<name> turns on is guarded all the same",
            DEFAULTS,
            felix(wgOff(), Felix.felix("node.worker2").wireguard(true)),
            facts(control1().tainted("no-public-key"), worker1(), node("worker2")),
            desired(
                expect(
                    Posture.NODES_NOT_READY,
                    "NODES_NOT_READY: WireGuard (IPv4) is enabled on 1 of 3 nodes and 1 of 3"
                        + " non-exempt nodes is not ready; nodes: 2 ready, 0 exempt, 1 not ready;"
                        + " no-public-key: worker2; taint changes: 1 add, 1 remove",
                    "REMOVE control1 no-public-key:NoSchedule",
                    "ADD worker2 no-public-key:NoSchedule"),
                "worker2=no-public-key:NoSchedule")),
        c(
            "with default off, nodes a selector object turns on are guarded",
            DEFAULTS,
            felix(wgOff(), Felix.felix("zone-b").selector("zone == 'b'").wireguard(true)),
            facts(worker1(), node("worker2").label("zone", "b")),
            desired(
                expect(
                    Posture.NODES_NOT_READY,
                    "NODES_NOT_READY: WireGuard (IPv4) is enabled on 1 of 2 nodes and 1 of 2"
                        + " non-exempt nodes is not ready; nodes: 1 ready, 0 exempt, 1 not ready;"
                        + " no-public-key: worker2; taint changes: 1 add",
                    "ADD worker2 no-public-key:NoSchedule"),
                "worker2=no-public-key:NoSchedule")),
        c(
            "with WireGuard on for no node every wgguard taint goes and none is added",
            DEFAULTS,
            felix(wgOff(), Felix.felix("node.worker2").wireguard(false)),
            facts(control1().tainted("no-public-key"), worker1(), node("worker2")),
            desired(
                expect(
                    Posture.WIREGUARD_OFF,
                    "WIREGUARD_OFF: WireGuard is not enabled on any node, so wgguard taints no"
                        + " node; nodes: 3 ready, 0 exempt, 0 not ready; taint changes: 1 remove",
                    "REMOVE control1 no-public-key:NoSchedule"))),
        c(
            "with no FelixConfiguration at all nothing is written",
            DEFAULTS,
            felix(),
            facts(node("control1"), node("worker1")),
            desired(
                expect(
                    Posture.WIREGUARD_OFF,
                    "WIREGUARD_OFF: WireGuard is not enabled on any node, so wgguard taints no"
                        + " node; nodes: 2 ready, 0 exempt, 0 not ready; no taint change"))),

        // The safety brake.
        c(
            "two of four nodes not ready is exactly the fraction, so taints are added",
            DEFAULTS,
            WG_ON,
            facts(control1(), worker1(), node("worker3"), node("worker4")),
            desired(
                expect(
                    Posture.NODES_NOT_READY,
                    "NODES_NOT_READY: "
                        + ON
                        + "2 of 4 non-exempt nodes are not ready; nodes: 2 ready, 0 exempt, 2 not"
                        + " ready; no-public-key: worker3, worker4; taint changes: 2 add",
                    "ADD worker3 no-public-key:NoSchedule",
                    "ADD worker4 no-public-key:NoSchedule"),
                "worker3=no-public-key:NoSchedule",
                "worker4=no-public-key:NoSchedule")),
        c(
            "two of three nodes not ready is over the fraction, so no taint is added",
            DEFAULTS,
            WG_ON,
            facts(control1(), worker1().noKey(), worker2().noKey()),
            withheld(
                desired(
                    expect(
                        Posture.DEGRADED,
                        "DEGRADED: "
                            + ON
                            + "2 of 3 non-exempt nodes are not ready, more than the safety-brake"
                            + " fraction of 50%, so no new taint is added; nodes: 1 ready, 0"
                            + " exempt, 2 not ready; no-public-key: worker1, worker2; held back by"
                            + " the brake: worker1, worker2; no taint change")),
                "worker1",
                "worker2")),
        c(
            "under the brake existing taints are still updated and removed",
            DEFAULTS,
            WG_ON,
            facts(
                control1().tainted("no-public-key"),
                worker1().noKey().tainted("module-not-ready"),
                worker2().noKey(),
                node("worker3")),
            withheld(
                desired(
                    expect(
                        Posture.DEGRADED,
                        "DEGRADED: "
                            + ON
                            + "3 of 4 non-exempt nodes are not ready, more than the safety-brake"
                            + " fraction of 50%, so no new taint is added; nodes: 1 ready, 0"
                            + " exempt, 3 not ready; no-public-key: worker1, worker2, worker3;"
                            + " held back by the brake: worker2, worker3; taint changes: 1"
                            + " update, 1 remove",
                        "REMOVE control1 no-public-key:NoSchedule",
                        "UPDATE worker1 module-not-ready:NoSchedule>no-public-key:NoSchedule"),
                    "worker1=no-public-key:NoSchedule"),
                "worker2",
                "worker3")),
        c(
            "exempt nodes do not count towards the brake",
            DEFAULTS,
            WG_ON,
            facts(
                control1(),
                node("win1").windows().exempt(),
                node("win2").windows().exempt(),
                node("worker3")),
            desired(
                expect(
                    Posture.NODES_NOT_READY,
                    "NODES_NOT_READY: "
                        + ON
                        + "1 of 2 non-exempt nodes is not ready; nodes: 1 ready, 2 exempt, 1 not"
                        + " ready; no-public-key: worker3; taint changes: 1 add",
                    "ADD worker3 no-public-key:NoSchedule"),
                "worker3=no-public-key:NoSchedule")),
        c(
            "a brake fraction of 1 never engages",
            brake(1.0),
            WG_ON,
            facts(node("worker3"), node("worker4")),
            desired(
                expect(
                    Posture.NODES_NOT_READY,
                    "NODES_NOT_READY: "
                        + ON
                        + "2 of 2 non-exempt nodes are not ready; nodes: 0 ready, 0 exempt, 2 not"
                        + " ready; no-public-key: worker3, worker4; taint changes: 2 add",
                    "ADD worker3 no-public-key:NoSchedule",
                    "ADD worker4 no-public-key:NoSchedule"),
                "worker3=no-public-key:NoSchedule",
                "worker4=no-public-key:NoSchedule")),
        c(
            "a brake of one third engages at one of two nodes and says so in percent",
            brake(1.0 / 3),
            WG_ON,
            facts(control1(), node("worker3")),
            withheld(
                desired(
                    expect(
                        Posture.DEGRADED,
                        "DEGRADED: "
                            + ON
                            + "1 of 2 non-exempt nodes is not ready, more than the safety-brake"
                            + " fraction of 33.3%, so no new taint is added; nodes: 1"
                            + " ready, 0 exempt, 1 not ready; no-public-key: worker3; held back by"
                            + " the brake: worker3; no taint change")),
                "worker3")),

        // Edges.
        c(
            "a cluster of exempt nodes only is healthy",
            DEFAULTS,
            WG_ON,
            facts(node("win1").windows().exempt(), node("gpu1").exempt()),
            desired(
                expect(
                    Posture.HEALTHY,
                    "HEALTHY: "
                        + ON
                        + "every non-exempt node is ready; nodes: 0 ready, 2 exempt, 0 not ready;"
                        + " no taint change"))),
        c(
            "an IPv6-only cluster names IPv6",
            DEFAULTS,
            felix(wgDefaultV6()),
            facts(node("control1"), node("worker1").keyV6(KEY6_WORKER1).addrV6(ADDR6_WORKER1)),
            desired(
                expect(
                    Posture.NODES_NOT_READY,
                    "NODES_NOT_READY: WireGuard (IPv6) is enabled cluster-wide and 1 of 2"
                        + " non-exempt nodes is not ready; nodes: 1 ready, 0 exempt, 1 not ready;"
                        + " no-public-key: control1; taint changes: 1 add",
                    "ADD control1 no-public-key:NoSchedule"),
                "control1=no-public-key:NoSchedule")),
        c(
            "a dual-stack cluster names both families",
            DEFAULTS,
            felix(wgDualStack()),
            facts(),
            desired(
                expect(
                    Posture.HEALTHY,
                    "HEALTHY: WireGuard (IPv4 and IPv6) is enabled cluster-wide and every"
                        + " non-exempt node is ready; nodes: 0 ready, 0 exempt, 0 not ready; no"
                        + " taint change"))),
        c(
            "FelixConfiguration problems are counted in the summary",
            DEFAULTS,
            felix(wgDefault(), Felix.felix("edge").selector("tier = 'edge'").wireguard(false)),
            facts(control1()),
            desired(
                expect(
                    Posture.HEALTHY,
                    "HEALTHY: "
                        + ON
                        + "every non-exempt node is ready; nodes: 1 ready, 0 exempt, 0 not ready;"
                        + " no taint change; 1 FelixConfiguration problem(s)"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void plans(
      String sentence,
      PassSettings settings,
      List<FelixObject> felix,
      List<NodeFacts> nodes,
      Expect expect) {
    TaintPlan plan =
        TaintPlanner.plan(CheckerPass.assess(felix, nodes, settings, NOW), settings.taints());

    assertThat(render(plan)).isEqualTo(expect);
    assertThat(plan.brakeEngaged()).isEqualTo(plan.posture() == Posture.DEGRADED);
    assertThat(plan.noChange()).isEqualTo(expect.changes().isEmpty());
  }

  static Expect render(TaintPlan plan) {
    return new Expect(
        plan.posture(),
        plan.changes().stream().map(Nodes::render).toList(),
        plan.nodes().stream()
            .filter(n -> n.desired() != null)
            .map(n -> n.node() + "=" + n.desired().value() + ":" + n.desired().effect())
            .toList(),
        plan.withheld(),
        plan.summary());
  }

  @Test
  void summaryCapsNamesAtFiveWhileTheDataListsEveryNode() {
    List<NodeFacts> nodes =
        IntStream.rangeClosed(1, 7).mapToObj(i -> node("worker" + i).facts()).toList();

    TaintPlan plan =
        TaintPlanner.plan(CheckerPass.assess(WG_ON, nodes, brake(1.0), NOW), brake(1.0).taints());

    assertThat(plan.summary())
        .isEqualTo(
            "NODES_NOT_READY: "
                + ON
                + "7 of 7 non-exempt nodes are not ready; nodes: 0 ready, 0 exempt, 7 not ready;"
                + " no-public-key: worker1, worker2, worker3, worker4, worker5 and 2 more; taint"
                + " changes: 7 add");
    assertThat(plan.notReady())
        .isEqualTo(
            Map.of(
                NotReadyReason.NO_PUBLIC_KEY,
                IntStream.rangeClosed(1, 7).mapToObj(i -> "worker" + i).toList()));
    assertThat(plan.counts())
        .isEqualTo(Map.of(NodeState.READY, 0, NodeState.EXEMPT, 0, NodeState.NOT_READY, 7));
  }

  @Test
  void nodePlansCarryStateReasonCurrentAndDesiredTaints() {
    List<NodeFacts> nodes =
        facts(
            control1(),
            node("win1").windows().exempt().tainted("no-public-key"),
            worker1().key(KEY_WORKER1.substring(2)).tainted("no-public-key"));

    TaintPlan plan =
        TaintPlanner.plan(CheckerPass.assess(WG_ON, nodes, DEFAULTS, NOW), DEFAULTS.taints());

    assertThat(plan.nodes())
        .containsExactly(
            new NodePlan("control1", NodeState.READY, null, List.of(), null, false),
            new NodePlan(
                "win1",
                NodeState.EXEMPT,
                null,
                List.of(new Taint("no-public-key", "NoSchedule")),
                null,
                false),
            new NodePlan(
                "worker1",
                NodeState.NOT_READY,
                NotReadyReason.INVALID_PUBLIC_KEY,
                List.of(new Taint("no-public-key", "NoSchedule")),
                new Taint("invalid-public-key", "NoSchedule"),
                false));
    assertThat(plan.changes().stream().map(TaintChange::describe).collect(Collectors.toList()))
        .containsExactly(
            "remove wgguard.io/wireguard-not-ready=no-public-key:NoSchedule from win1",
            "replace wgguard.io/wireguard-not-ready=no-public-key:NoSchedule with"
                + " wgguard.io/wireguard-not-ready=invalid-public-key:NoSchedule on worker1");
    assertThat(plan.clusterFamilies()).containsExactly(IpFamily.V4);
  }
}
