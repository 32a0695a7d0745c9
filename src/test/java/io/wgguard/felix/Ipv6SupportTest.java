package io.wgguard.felix;

import static io.wgguard.felix.CalicoNode.calicoNode;
import static io.wgguard.felix.Felix.felix;
import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.felix.EffectiveSetting.Level;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 23 point 8: IPv6 WireGuard runs only where Felix's IPv6 support is on (config_params.go
 * Ipv6Support, default true; dataplane/driver.go IPv6Enabled; linux/int_dataplane.go creates the
 * IPv6 WireGuard manager only then), layered like the guarded fields.
 */
class Ipv6SupportTest {

  static final Map<String, String> WORKER1 = Map.of("tier", "edge");

  static Felix both() {
    return felix("default").wireguard(true).wireguardV6(true);
  }

  static Arguments c(
      String sentence, List<Felix> objects, CalicoNode daemonSet, boolean v6, Level level) {
    return Arguments.of(sentence, objects, daemonSet, v6, level);
  }

  static Stream<Arguments> cases() {
    CalicoNode none = null;
    return Stream.of(
        c(
            "without ipv6Support, IPv6 WireGuard is on (Felix's default: true)",
            List.of(both()),
            none,
            true,
            Level.DEFAULT),
        c(
            "ipv6Support: false on default turns IPv6 WireGuard off",
            List.of(both().spec("ipv6Support", "false")),
            none,
            false,
            Level.DEFAULT),
        c(
            "the annotation config.projectcalico.org/Ipv6Support: false does too",
            List.of(both().annotation("config.projectcalico.org/Ipv6Support", "false")),
            none,
            false,
            Level.DEFAULT),
        c(
            "node.<name> ipv6Support: true outranks default's false",
            List.of(
                both().spec("ipv6Support", "false"),
                felix("node.worker1").spec("ipv6Support", "true")),
            none,
            true,
            Level.DEFAULT),
        c(
            "a selector-scoped ipv6Support: false turns it off on the nodes it matches",
            List.of(both(), felix("edge").selector("tier == 'edge'").spec("ipv6Support", "false")),
            none,
            false,
            Level.SELECTOR),
        c(
            "FELIX_IPV6SUPPORT=false on calico-node, as Calico's manifests ship it",
            List.of(both()),
            calicoNode("kube-system").env("FELIX_IPV6SUPPORT", "false"),
            false,
            Level.ENVIRONMENT),
        c(
            "FELIX_IPV6SUPPORT Felix cannot read means its default, true",
            List.of(both()),
            calicoNode("kube-system").env("FELIX_IPV6SUPPORT", "sometimes"),
            true,
            Level.DEFAULT),
        c(
            "FELIX_IPV6SUPPORT=true outranks default's false",
            List.of(both().spec("ipv6Support", "false")),
            calicoNode("kube-system").env("FELIX_IPV6SUPPORT", "true"),
            true,
            Level.DEFAULT));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void ipv6WireguardNeedsIpv6Support(
      String sentence, List<Felix> objects, CalicoNode daemonSet, boolean v6, Level level) {
    EffectiveWireguard wireguard =
        EffectiveWireguard.of(
            objects.stream().map(Felix::object).toList(),
            daemonSet == null
                ? EffectiveWireguard.Environment.NONE
                : new EffectiveWireguard.Environment(
                    List.of(daemonSet.environment()), CalicoNodeEnvironment.ConfigMaps.none()));

    EffectiveSetting setting = wireguard.forNode("worker1", WORKER1, IpFamily.V6);
    assertThat(setting.enabled()).isEqualTo(v6);
    assertThat(setting.level()).isEqualTo(level);
    assertThat(setting.field()).isEqualTo(GuardedField.WIREGUARD_ENABLED_V6);
    assertThat(wireguard.forNode("worker1", WORKER1, IpFamily.V4).enabled()).isTrue();
  }

  @org.junit.jupiter.api.Test
  void theClusterReadsIpv4OnlyWhenDefaultTurnsIpv6SupportOff() {
    EffectiveWireguard wireguard =
        EffectiveWireguard.of(
            List.of(both().spec("ipv6Support", "false").object()),
            EffectiveWireguard.Environment.NONE);

    assertThat(wireguard.clusterFamilies()).containsExactly(IpFamily.V4);
    assertThat(wireguard.cluster(IpFamily.V6).origin())
        .isEqualTo("FelixConfiguration default (spec.ipv6Support)");
    assertThat(wireguard.problems()).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void anIpv4OnlyCalicoNodeIsNoProblem() {
    EffectiveWireguard wireguard =
        EffectiveWireguard.of(
            List.of(both().object()),
            new EffectiveWireguard.Environment(
                List.of(calicoNode("kube-system").env("FELIX_IPV6SUPPORT", "false").environment()),
                CalicoNodeEnvironment.ConfigMaps.none()));

    assertThat(wireguard.clusterFamilies()).containsExactly(IpFamily.V4);
    assertThat(wireguard.problems()).isEmpty();
  }
}
