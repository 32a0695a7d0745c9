package io.wgguard.evidence;

import static io.wgguard.evidence.Nodes.KEY_CONTROL1;
import static io.wgguard.evidence.Nodes.KEY_WORKER1;
import static io.wgguard.evidence.Nodes.KEY_WORKER2;
import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.felix.IpFamily;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WireguardEvidenceTest {

  static Stream<Arguments> keys() {
    return Stream.of(
        Arguments.of("control1's key from the seed is valid", KEY_CONTROL1, null),
        Arguments.of("worker1's key from the seed is valid", KEY_WORKER1, null),
        Arguments.of("worker2's key from the seed is valid", KEY_WORKER2, null),
        Arguments.of(
            "a key without padding is too short",
            KEY_CONTROL1.substring(0, 43),
            "it has 43 characters, not 44"),
        Arguments.of(
            "a key with surrounding blanks is too long",
            " " + KEY_CONTROL1,
            "it has 45 characters, not 44"),
        Arguments.of(
            "a key with a character outside base64 is refused",
            KEY_CONTROL1.replace('C', '*'),
            "it is not standard base64 with padding"),
        Arguments.of(
            "a key with padding in the middle is refused",
            "gsxC=HLjKBjJozxRFiKjbMB3QtVTluQDmbvQVfANmXE=",
            "it is not standard base64 with padding"),
        Arguments.of(
            "a key of 33 bytes (no padding) is refused",
            "gsxCZHLjKBjJozxRFiKjbMB3QtVTluQDmbvQVfANmXEA",
            "it decodes to 33 bytes, not 32"),
        Arguments.of(
            "the all-zero key is refused",
            Nodes.ZERO_KEY,
            "it is the all-zero key, which Felix never publishes"),
        Arguments.of(
            "a key of 31 zero bytes and a one is valid",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE=",
            null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keys")
  void checksKeys(String sentence, String key, String problem) {
    assertThat(WireguardEvidence.keyProblem(key)).isEqualTo(problem);
  }

  static Stream<Arguments> addresses() {
    return Stream.of(
        Arguments.of("the seed's control1 address is IPv4", "10.48.115.87", true, false),
        Arguments.of("0.0.0.0 is IPv4", "0.0.0.0", true, false),
        Arguments.of("255.255.255.255 is IPv4", "255.255.255.255", true, false),
        Arguments.of("256 is out of range", "10.48.115.256", false, false),
        Arguments.of("leading zeros are refused", "10.048.115.87", false, false),
        Arguments.of("three parts are too few", "10.48.115", false, false),
        Arguments.of("an empty part is refused", "10..115.87", false, false),
        Arguments.of("a prefix length is refused", "10.48.115.87/32", false, false),
        Arguments.of("a host name is never resolved", "localhost", false, false),
        Arguments.of("non-ASCII digits are refused", "١٠.48.115.87", false, false),
        Arguments.of("a full IPv6 address is IPv6", "fd00:0:0:0:0:0:0:1", false, true),
        Arguments.of("a compressed IPv6 address is IPv6", "fd00:10:48:115::87", false, true),
        Arguments.of(":: alone is IPv6", "::", false, true),
        Arguments.of("a leading :: is IPv6", "::1", false, true),
        Arguments.of("a trailing :: is IPv6", "fd00::", false, true),
        Arguments.of("an embedded IPv4 tail is IPv6", "::ffff:10.48.115.87", false, true),
        Arguments.of("two :: are refused", "fd00::1::2", false, false),
        Arguments.of(":::  is refused", "fd00:::1", false, false),
        Arguments.of("nine groups are refused", "1:2:3:4:5:6:7:8:9", false, false),
        Arguments.of("seven groups without :: are refused", "1:2:3:4:5:6:7", false, false),
        Arguments.of("eight groups with :: are refused", "1:2:3:4::5:6:7:8", false, false),
        Arguments.of("a five-digit group is refused", "fd000::1", false, false),
        Arguments.of("a zone is refused", "fe80::1%eth0", false, false),
        Arguments.of("brackets are refused", "[fd00::1]", false, false),
        Arguments.of("an IPv4 tail in the middle is refused", "::10.0.0.1:1", false, false),
        Arguments.of("an empty value is neither", "", false, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("addresses")
  void checksAddresses(String sentence, String text, boolean v4, boolean v6) {
    assertThat(
            new boolean[] {
              WireguardEvidence.isAddress(text, IpFamily.V4),
              WireguardEvidence.isAddress(text, IpFamily.V6)
            })
        .containsExactly(v4, v6);
  }

  static Stream<Arguments> durations() {
    return Stream.of(
        Arguments.of("zero reads 0s", Duration.ZERO, "0s"),
        Arguments.of("seconds only", Duration.ofSeconds(45), "45s"),
        Arguments.of("whole minutes drop the seconds", Duration.ofMinutes(2), "2m"),
        Arguments.of("minutes and seconds", Duration.ofSeconds(450), "7m30s"),
        Arguments.of("hours and minutes", Duration.ofMinutes(65), "1h5m"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("durations")
  void writesDurations(String sentence, Duration duration, String text) {
    assertThat(WireguardEvidence.human(duration)).isEqualTo(text);
  }
}
