package io.wgguard.tunnels.summary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CidrTest {

  static Stream<Arguments> forms() {
    return Stream.of(
        Arguments.of("a bare IPv4 address is a /32", "10.0.0.1", "10.0.0.1/32"),
        Arguments.of("host bits are cleared", "10.0.0.77/26", "10.0.0.64/26"),
        Arguments.of("the default route", "0.0.0.0/0", "0.0.0.0/0"),
        Arguments.of("IPv6 compressed", "fd00::1", "fd00:0:0:0:0:0:0:1/128"),
        Arguments.of("IPv6 written out", "fd00:0:0:0::1/128", "fd00:0:0:0:0:0:0:1/128"),
        Arguments.of("IPv6 block", "fd00:10:48:115::87/122", "fd00:10:48:115:0:0:0:80/122"),
        Arguments.of("IPv6 /64 boundary", "fd00:1:2:3:4:5:6:7/64", "fd00:1:2:3:0:0:0:0/64"),
        Arguments.of("IPv6 all zero", "::/0", "0:0:0:0:0:0:0:0/0"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forms")
  void oneCanonicalForm(String sentence, String text, String canonical) {
    assertThat(Cidr.parse(text)).hasToString(canonical);
    assertThat(Cidr.parse(canonical)).isEqualTo(Cidr.parse(text));
  }

  static Stream<Arguments> garbage() {
    return Stream.of(
        Arguments.of("", "'' is not an IPv4 or IPv6 address or network"),
        Arguments.of("10.0.0.256", "'10.0.0.256' is not an IPv4 or IPv6 address or network"),
        Arguments.of("10.0.0.0/33", "'10.0.0.0/33' has no prefix length from 0 to 32"),
        Arguments.of("fd00::1::2", "'fd00::1::2' is not an IPv4 or IPv6 address or network"),
        Arguments.of(
            "1:2:3:4:5:6:7:8:9", "'1:2:3:4:5:6:7:8:9' is not an IPv4 or IPv6 address or network"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("garbage")
  void garbageIsRefused(String text, String reason) {
    assertThatThrownBy(() -> Cidr.parse(text)).hasMessage(reason);
  }

  @Test
  void blocksHoldTheirAddressesOnly() {
    Cidr.Blocks blocks =
        Cidr.Blocks.of(
            List.of(
                Cidr.parse("10.48.115.64/26"), Cidr.parse("fd00::/122"), Cidr.parse("10.1.1.1")));

    assertThat(blocks.holds(Cidr.parse("10.48.115.87"))).isTrue();
    assertThat(blocks.holds(Cidr.parse("10.48.115.128"))).isFalse();
    assertThat(blocks.holds(Cidr.parse("fd00::3f"))).isTrue();
    assertThat(blocks.holds(Cidr.parse("fd00::40"))).isFalse();
    assertThat(blocks.holds(Cidr.parse("10.1.1.1"))).as("a single address is no block").isFalse();
    assertThat(blocks.holds(Cidr.parse("10.48.115.64/26"))).as("not itself").isFalse();
  }
}
