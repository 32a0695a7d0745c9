package io.wgguard.tunnels.summary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wgguard.felix.IpFamily;
import io.wgguard.tunnels.summary.TunnelSummary.Device;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TunnelSummaryTest {

  private static final String KEY_A = "HmNsTyzgGv8qvHzFBPO3v3l7Q8ZB5TzBs9cL0ANbu1I=";
  private static final String KEY_B = "lDSws3G/8xN+rJpsxXG1PpNg8ITRnIFzCFHB3CgLw2M=";

  @Test
  void aSummaryReadsBackAsWritten() {
    TunnelSummary summary =
        new TunnelSummary(
            Instant.parse("2026-11-30T15:00:00Z"),
            "device",
            Map.of(
                IpFamily.V4,
                new Device(
                    "wireguard.cali",
                    true,
                    KEY_A,
                    51820,
                    2,
                    TunnelSummary.peerDigest(List.of(KEY_B)),
                    1,
                    List.of("lDSws3G/")),
                IpFamily.V6,
                Device.missing("wg-v6.cali")));

    assertThat(TunnelSummary.parse(summary.toJson())).isEqualTo(summary);
  }

  @Test
  void theDigestIgnoresOrderAndRepetitionButNotMembership() {
    assertThat(TunnelSummary.peerDigest(List.of(KEY_A, KEY_B)))
        .isEqualTo(TunnelSummary.peerDigest(List.of(KEY_B, KEY_A, KEY_B)))
        .isNotEqualTo(TunnelSummary.peerDigest(List.of(KEY_A)))
        .hasSize(32);
  }

  static Stream<Arguments> garbage() {
    return Stream.of(
        Arguments.of("not JSON", "{", "is not JSON"),
        Arguments.of("an array", "[]", "is not a JSON object"),
        Arguments.of("another version", "{\"v\":2}", "has version '2', expected 1"),
        Arguments.of("no time", "{\"v\":1,\"source\":\"device\"}", "has no string 'at'"),
        Arguments.of(
            "a bad time",
            "{\"v\":1,\"at\":\"yesterday\",\"source\":\"device\",\"families\":{}}",
            "has no RFC 3339 time in 'at'"),
        Arguments.of(
            "no families",
            "{\"v\":1,\"at\":\"2026-11-30T15:00:00Z\",\"source\":\"device\"}",
            "has no 'families' object"),
        Arguments.of(
            "a negative peer count",
            "{\"v\":1,\"at\":\"2026-11-30T15:00:00Z\",\"source\":\"device\","
                + "\"families\":{\"IPv4\":{\"peers\":-1}}}",
            "families.IPv4.peers is not a count"));
  }

  @ParameterizedTest(name = "{0} is refused with a reason")
  @MethodSource("garbage")
  void garbageIsRefusedWithAReason(String name, String json, String reason) {
    assertThatThrownBy(() -> TunnelSummary.parse(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(reason);
  }

  @Test
  void aPathReadsBackAsWritten() {
    DevicePath path =
        new DevicePath(
            true,
            1440,
            1500,
            0x100000,
            99,
            1,
            32766,
            2,
            "ab",
            1,
            List.of("10.0.1.0/26"),
            4,
            "cd",
            0);
    TunnelSummary summary =
        new TunnelSummary(
            Instant.parse("2026-11-30T15:00:00Z"),
            "device",
            Map.of(
                IpFamily.V4,
                new Device("wireguard.cali", true, KEY_A, 51820, 1, "", 0, List.of(), path)));

    assertThat(TunnelSummary.parse(summary.toJson())).isEqualTo(summary);
  }

  /**
   * A device of a 65,000-node cluster has 64,999 peers: the summary, path included, stays the same
   * size as with one, since it carries counts, digests and at most three named peers.
   */
  @Test
  void aSummaryOf65000PeersStaysSmall() {
    java.util.Random random = new java.util.Random(21);
    java.util.List<String> keys = new java.util.ArrayList<>();
    java.util.List<Cidr> blocks = new java.util.ArrayList<>();
    for (int i = 0; i < 64_999; i++) {
      byte[] key = new byte[32];
      random.nextBytes(key);
      keys.add(java.util.Base64.getEncoder().encodeToString(key));
      blocks.add(
          Cidr.parse("10.%d.%d.%d/26".formatted(i >> 10 & 0xff, i >> 2 & 0xff, (i & 3) * 64)));
    }
    DevicePath path =
        new DevicePath(
            true,
            1440,
            1500,
            0x100000,
            99,
            1,
            32766,
            blocks.size(),
            DevicePath.routeDigest(blocks),
            3,
            blocks.subList(0, 3).stream().map(Cidr::toString).toList(),
            blocks.size(),
            DevicePath.routeDigest(blocks),
            0);
    TunnelSummary summary =
        new TunnelSummary(
            Instant.parse("2026-11-30T15:00:00Z"),
            "device",
            Map.of(
                IpFamily.V4,
                new Device(
                    "wireguard.cali",
                    true,
                    KEY_A,
                    51820,
                    keys.size(),
                    TunnelSummary.peerDigest(keys),
                    64_999,
                    keys.subList(0, 3).stream().map(k -> k.substring(0, 8)).toList(),
                    path)));

    assertThat(summary.toJson().length()).isLessThan(900);
  }
}
