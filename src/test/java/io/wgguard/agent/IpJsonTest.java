package io.wgguard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wgguard.felix.IpFamily;
import io.wgguard.tunnels.summary.Cidr;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Output of iproute2 6.1 ({@code ip -j}) as printed in a network namespace programmed as Felix. */
class IpJsonTest {

  static final String RULES =
      "[{\"priority\":0,\"src\":\"all\",\"table\":\"local\"},{\"priority\":99,\"not\":null,"
          + "\"src\":\"all\",\"fwmark\":\"0x100000\",\"fwmask\":\"0x100000\",\"table\":\"1\"},"
          + "{\"priority\":32766,\"src\":\"all\",\"table\":\"main\"},{\"priority\":32767,"
          + "\"src\":\"all\",\"table\":\"default\"}]";

  static final String TABLE =
      "[{\"dst\":\"10.1.0.0/26\",\"dev\":\"wireguard.cali\",\"scope\":\"link\",\"flags\":[]},"
          + "{\"dst\":\"10.1.0.5\",\"dev\":\"wireguard.cali\",\"scope\":\"link\",\"flags\":[]},"
          + "{\"type\":\"throw\",\"dst\":\"10.2.0.0/26\",\"flags\":[]}]";

  static final String LINK =
      "[{\"ifindex\":3,\"ifname\":\"wireguard.cali\",\"flags\":[\"POINTOPOINT\",\"NOARP\",\"UP\","
          + "\"LOWER_UP\"],\"mtu\":1440,\"qdisc\":\"noqueue\",\"operstate\":\"UNKNOWN\"}]";

  @Test
  void rulesRoutesAndLinksReadAsPrinted() {
    assertThat(IpJson.rules(RULES))
        .containsExactly(
            new IpJson.Rule(0, false, 0, 0xffffffffL, "local"),
            new IpJson.Rule(99, true, 0x100000, 0x100000, "1"),
            new IpJson.Rule(32766, false, 0, 0xffffffffL, "main"),
            new IpJson.Rule(32767, false, 0, 0xffffffffL, "default"));
    assertThat(IpJson.routes(TABLE, IpFamily.V4))
        .containsExactly(
            new IpJson.Route("unicast", Cidr.parse("10.1.0.0/26"), "wireguard.cali"),
            new IpJson.Route("unicast", Cidr.parse("10.1.0.5/32"), "wireguard.cali"),
            new IpJson.Route("throw", Cidr.parse("10.2.0.0/26"), ""));
    assertThat(IpJson.link(LINK)).isEqualTo(new IpJson.Link("wireguard.cali", true, 1440));
    assertThat(IpJson.link(LINK.replace("\"UP\",", "")))
        .extracting(IpJson.Link::up)
        .isEqualTo(false);
    assertThat(IpJson.routeDevice("[{\"dst\":\"10.9.0.2\",\"dev\":\"eth0\",\"mark\":1048576}]"))
        .isEqualTo("eth0");
  }

  @Test
  void theSteeringRuleIsTheFirstInvertedMarkRuleWithTheDevicesMark() {
    List<IpJson.Rule> rules = IpJson.rules(RULES);

    assertThat(PathPlanner.steeringRule(rules, 0x100000)).map(IpJson.Rule::priority).contains(99);
    assertThat(PathPlanner.steeringRule(rules, 0x200000)).isEmpty();
    assertThat(PathPlanner.steeringRule(rules, 0)).isEmpty();
    assertThat(PathPlanner.mainRule(rules)).isEqualTo(32766);
  }

  static Stream<Arguments> garbage() {
    return Stream.of(
        Arguments.of(
            "not JSON",
            "Error: ipv4: FIB table does not exist.",
            "ip rule -j printed something that is not JSON"),
        Arguments.of("an object, not an array", "{}", "ip rule -j printed no JSON array"),
        Arguments.of(
            "a rule without priority",
            "[{\"table\":\"main\"}]",
            "ip rule printed a rule without priority"),
        Arguments.of(
            "a mark that is not one",
            "[{\"priority\":1,\"fwmark\":\"0xzz\"}]",
            "ip rule printed fwmark '0xzz', not a 32-bit mark"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("garbage")
  void garbageIsRefusedWithAReason(String name, String json, String reason) {
    assertThatThrownBy(() -> IpJson.rules(json)).hasMessage(reason);
  }

  @Test
  void aLinkListOfTwoIsRefused() {
    assertThatThrownBy(
            () -> IpJson.link("[" + LINK.substring(1, LINK.length() - 1) + "," + LINK.substring(1)))
        .hasMessage("ip link printed 2 links, expected 1");
  }
}
