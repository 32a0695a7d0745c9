package io.wgguard.felix;

import static io.wgguard.felix.CalicoNode.calicoNode;
import static io.wgguard.felix.EffectiveWireguardTest.render;
import static io.wgguard.felix.Felix.felix;
import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.felix.CalicoNodeEnvironment.ConfigMaps;
import io.wgguard.felix.EffectiveWireguard.Environment;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The calico-node environment as the top layer of {@link EffectiveWireguard}. */
class EffectiveWireguardEnvironmentTest {

  static final Map<String, String> LINUX = Map.of("kubernetes.io/os", "linux");
  static final Map<String, String> EDGE = Map.of("kubernetes.io/os", "linux", "tier", "edge");

  static final String ENV_V4_OFF =
      "IPv4 off ENVIRONMENT calico-system/calico-node FELIX_WIREGUARDENABLED";
  static final String V4_DEFAULT_ON = "IPv4 on DEFAULT default spec.wireguardEnabled";
  static final String V6_DEFAULT_OFF = "IPv6 off DEFAULT default spec.wireguardEnabledV6";

  static Arguments c(
      String sentence,
      List<Felix> objects,
      List<CalicoNode> daemonSets,
      String edgeNode,
      String cluster,
      int problems) {
    return Arguments.of(sentence, objects, daemonSets, edgeNode, cluster, problems);
  }

  static CalicoNode ds() {
    return calicoNode("calico-system");
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        c(
            "a DaemonSet without FELIX_ variables changes nothing",
            List.of(felix("default").wireguard(true)),
            List.of(ds()),
            V4_DEFAULT_ON + " | " + V6_DEFAULT_OFF,
            "[IPv4]",
            0),
        c(
            "FELIX_WIREGUARDENABLED=false beats default on every node",
            List.of(felix("default").wireguard(true)),
            List.of(ds().env("FELIX_WIREGUARDENABLED", "false")),
            ENV_V4_OFF + " | " + V6_DEFAULT_OFF,
            "[]",
            1),
        c(
            "FELIX_WIREGUARDENABLED=false beats node.<name> too",
            List.of(felix("default").wireguard(true), felix("node.edge1").wireguard(true)),
            List.of(ds().env("FELIX_WIREGUARDENABLED", "false")),
            ENV_V4_OFF + " | " + V6_DEFAULT_OFF,
            "[]",
            1),
        c(
            "FELIX_WIREGUARDENABLED=true turns IPv4 on where default is off",
            List.of(),
            List.of(ds().env("FELIX_WIREGUARDENABLED", "true")),
            "IPv4 on ENVIRONMENT calico-system/calico-node FELIX_WIREGUARDENABLED | IPv6 off"
                + " BUILT_IN",
            "[IPv4]",
            0),
        c(
            "a DaemonSet with a nodeSelector forces off only the nodes it matches",
            List.of(felix("default").wireguard(true)),
            List.of(ds().env("FELIX_WIREGUARDENABLED", "false").nodeSelector("tier", "edge")),
            ENV_V4_OFF + " | " + V6_DEFAULT_OFF,
            "[IPv4]",
            1),
        c(
            "Calico's own nodeSelector kubernetes.io/os=linux counts as cluster-wide",
            List.of(felix("default").wireguard(true)),
            List.of(
                ds().env("FELIX_WIREGUARDENABLED", "false")
                    .nodeSelector("kubernetes.io/os", "linux")),
            ENV_V4_OFF + " | " + V6_DEFAULT_OFF,
            "[]",
            1),
        c(
            "a DaemonSet whose nodeSelector does not match leaves the node to default",
            List.of(felix("default").wireguard(true)),
            List.of(ds().env("FELIX_WIREGUARDENABLED", "false").nodeSelector("tier", "core")),
            V4_DEFAULT_ON + " | " + V6_DEFAULT_OFF,
            "[IPv4]",
            1),
        c(
            "when two DaemonSets disagree on a node, off wins",
            List.of(),
            List.of(
                calicoNode("kube-system").env("FELIX_WIREGUARDENABLED", "true"),
                ds().env("FELIX_WIREGUARDENABLED", "false")),
            ENV_V4_OFF + " | IPv6 off BUILT_IN",
            "[]",
            1),
        c(
            "a variable from a Secret is reported and leaves the node to the FelixConfigurations",
            List.of(felix("default").wireguard(true)),
            List.of(ds().envFromSecretKey("FELIX_WIREGUARDENABLED", "s", "k")),
            V4_DEFAULT_ON + " | " + V6_DEFAULT_OFF,
            "[IPv4]",
            1),
        c(
            "a template without the calico-node container is reported",
            List.of(felix("default").wireguard(true)),
            List.of(ds().renameContainer("felix")),
            V4_DEFAULT_ON + " | " + V6_DEFAULT_OFF,
            "[IPv4]",
            1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theEnvironmentIsTheTopLayer(
      String sentence,
      List<Felix> objects,
      List<CalicoNode> daemonSets,
      String edgeNode,
      String cluster,
      int problems) {
    EffectiveWireguard wireguard =
        EffectiveWireguard.of(
            objects.stream().map(Felix::object).toList(),
            new Environment(
                daemonSets.stream().map(CalicoNode::environment).toList(), ConfigMaps.none()));
    String edge =
        wireguard.forNode("edge1", EDGE).values().stream()
            .map(EffectiveWireguardTest::render)
            .collect(Collectors.joining(" | "));
    assertThat(edge).isEqualTo(edgeNode);
    for (IpFamily family : IpFamily.values()) {
      assertThat(render(wireguard.forNode("edge1", EDGE, family)))
          .as("the one-family lookup agrees")
          .isEqualTo(render(wireguard.forNode("edge1", EDGE).get(family)));
    }
    assertThat(wireguard.clusterFamilies().stream().map(IpFamily::label).toList().toString())
        .isEqualTo(cluster);
    assertThat(wireguard.problems()).hasSize(problems);
  }

  @Test
  void aForcedOffSettingNamesTheVariableAndTheDaemonSet() {
    EffectiveWireguard wireguard =
        EffectiveWireguard.of(
            List.of(felix("default").wireguard(true).object()),
            new Environment(
                List.of(ds().env("FELIX_WIREGUARDENABLED", "false").environment()),
                ConfigMaps.none()));
    assertThat(wireguard.cluster(IpFamily.V4).describe())
        .isEqualTo(
            "IPv4 WireGuard is forced off by FELIX_WIREGUARDENABLED on DaemonSet"
                + " calico-system/calico-node");
    assertThat(wireguard.problems())
        .containsExactly(
            "WireGuard forced off by FELIX_WIREGUARDENABLED on DaemonSet calico-system/calico-node"
                + " (IPv4 pod traffic, every node)");
  }

  @Test
  void withoutAnyDaemonSetTheFelixConfigurationsAloneDecide() {
    List<FelixObject> objects = List.of(felix("default").wireguard(true).object());
    EffectiveWireguard none = EffectiveWireguard.of(objects, Environment.NONE);
    EffectiveWireguard empty =
        EffectiveWireguard.of(objects, new Environment(List.of(), ConfigMaps.none()));
    assertThat(render(empty.cluster(IpFamily.V4))).isEqualTo(render(none.cluster(IpFamily.V4)));
    assertThat(empty.problems()).isEqualTo(none.problems()).isEmpty();
  }
}
