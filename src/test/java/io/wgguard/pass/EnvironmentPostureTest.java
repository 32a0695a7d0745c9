package io.wgguard.pass;

import static io.wgguard.evidence.Nodes.DEFAULTS;
import static io.wgguard.evidence.Nodes.NOW;
import static io.wgguard.evidence.Nodes.facts;
import static io.wgguard.evidence.Nodes.felix;
import static io.wgguard.evidence.Nodes.wgDefault;
import static io.wgguard.evidence.Nodes.worker1;
import static io.wgguard.evidence.Nodes.worker2;
import static io.wgguard.felix.CalicoNode.calicoNode;
import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.felix.CalicoNode;
import io.wgguard.felix.CalicoNodeEnvironment.ConfigMaps;
import io.wgguard.felix.EffectiveWireguard;
import io.wgguard.taints.Posture;
import io.wgguard.taints.TaintPlan;
import io.wgguard.taints.TaintPlanner;
import io.wgguard.tunnels.ClusterAssessment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** calico-node's environment reaches the posture, the node verdicts and the problems. */
class EnvironmentPostureTest {

  static TaintPlan plan(CalicoNode... daemonSets) {
    ClusterAssessment assessment =
        CheckerPass.assess(
            EffectiveWireguard.of(
                felix(wgDefault()),
                new EffectiveWireguard.Environment(
                    List.of(daemonSets).stream().map(CalicoNode::environment).toList(),
                    ConfigMaps.none())),
            facts(worker1().noKey(), worker2()),
            DEFAULTS,
            NOW);
    return TaintPlanner.plan(assessment, DEFAULTS.taints());
  }

  @Test
  void aDaemonSetForcingWireGuardOffNamesTheVariableInThePosture() {
    TaintPlan plan = plan(calicoNode("calico-system").env("FELIX_WIREGUARDENABLED", "false"));
    assertThat(plan.posture()).isEqualTo(Posture.WIREGUARD_OFF);
    assertThat(plan.summary())
        .startsWith(
            "WIREGUARD_OFF: WireGuard forced off by FELIX_WIREGUARDENABLED on DaemonSet"
                + " calico-system/calico-node, so wgguard taints no node");
    assertThat(plan.problems())
        .contains(
            "WireGuard forced off by FELIX_WIREGUARDENABLED on DaemonSet calico-system/calico-node"
                + " (IPv4 pod traffic, every node)");
  }

  @Test
  void withoutTheVariableTheFelixConfigurationsDecide() {
    TaintPlan plan = plan(calicoNode("calico-system"));
    assertThat(plan.posture()).isEqualTo(Posture.NODES_NOT_READY);
    assertThat(plan.problems()).isEmpty();
  }

  @Test
  void aDaemonSetOnSomeNodesLeavesTheOthersGuarded() {
    TaintPlan plan =
        plan(
            calicoNode("calico-system")
                .env("FELIX_WIREGUARDENABLED", "false")
                .nodeSelector("kubernetes.io/hostname", "worker1"));
    // worker1 has no key, but the environment switches WireGuard off there: nothing to prove.
    assertThat(plan.posture()).isEqualTo(Posture.HEALTHY);
    assertThat(plan.problems())
        .containsExactly(
            "WireGuard forced off by FELIX_WIREGUARDENABLED on DaemonSet calico-system/calico-node"
                + " (IPv4 pod traffic, nodes with kubernetes.io/hostname=worker1)");
  }
}
