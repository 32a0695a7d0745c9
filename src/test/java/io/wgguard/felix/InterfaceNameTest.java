package io.wgguard.felix;

import static io.wgguard.felix.Felix.felix;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The WireGuard interface name a FelixConfiguration sets, and which objects decide such a setting
 * for a node: what the node agent reads to find the devices.
 */
class InterfaceNameTest {

  static Stream<Arguments> names() {
    return Stream.of(
        Arguments.of("no field: nothing set", felix("default"), IpFamily.V4, Optional.empty()),
        Arguments.of(
            "the IPv4 spec field",
            felix("default").spec("wireguardInterfaceName", "\"wg0\""),
            IpFamily.V4,
            Optional.of("wg0")),
        Arguments.of(
            "the IPv6 spec field is its own",
            felix("default")
                .spec("wireguardInterfaceName", "\"wg0\"")
                .spec("wireguardInterfaceNameV6", "\"wg6\""),
            IpFamily.V6,
            Optional.of("wg6")),
        Arguments.of(
            "the IPv4 field does not name the IPv6 device",
            felix("default").spec("wireguardInterfaceName", "\"wg0\""),
            IpFamily.V6,
            Optional.empty()),
        Arguments.of(
            "an annotation override outranks the spec field, whatever its case",
            felix("default")
                .spec("wireguardInterfaceName", "\"wg0\"")
                .annotation("config.projectcalico.org/wireguardinterfacename", "wg-ann"),
            IpFamily.V4,
            Optional.of("wg-ann")),
        Arguments.of(
            "a blank value sets nothing",
            felix("default").spec("wireguardInterfaceName", "\" \""),
            IpFamily.V4,
            Optional.empty()),
        Arguments.of(
            "a value that is not a string sets nothing",
            felix("default").spec("wireguardInterfaceName", "7"),
            IpFamily.V4,
            Optional.empty()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("names")
  void readsTheInterfaceName(
      String description, Felix object, IpFamily family, Optional<String> expected) {
    assertThat(FelixObjects.interfaceName(object.json(), family)).isEqualTo(expected);
  }

  @Test
  void precedenceIsNodeThenTheOldestMatchingSelectorThenDefault() {
    EffectiveWireguard effective =
        EffectiveWireguard.of(
            List.of(
                felix("default").object(),
                felix("node.worker1").object(),
                felix("node.worker2").object(),
                felix("zone-b").selector("zone == 'b'").created("2026-01-02T00:00:00Z").object(),
                felix("zone-a").selector("zone == 'a'").created("2026-01-01T00:00:00Z").object(),
                felix("any-zone").selector("has(zone)").created("2026-01-03T00:00:00Z").object()),
            EffectiveWireguard.Environment.NONE);
    assertThat(effective.precedence("worker1", Map.of("zone", "a")))
        .containsExactly("node.worker1", "zone-a", "default");
    assertThat(effective.precedence("worker3", Map.of("zone", "b")))
        .containsExactly("zone-b", "default");
    assertThat(effective.precedence("worker3", Map.of())).containsExactly("default");
    assertThat(
            EffectiveWireguard.of(List.of(), EffectiveWireguard.Environment.NONE)
                .precedence("worker3", Map.of()))
        .isEmpty();
  }
}
