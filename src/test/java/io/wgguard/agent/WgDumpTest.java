package io.wgguard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wgguard.tunnels.summary.Cidr;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real {@code wg show <interface> dump} output (wireguard-tools 1.0 on wireguard-go) and garbage.
 */
class WgDumpTest {

  static final String PRIVATE = "+BIbGVsEU9UYemcIQFa8hfagLNxpkik/rca0gnaaums=";
  static final String DEVICE = "c2v674NUleEWjJ7F7GPKlPNXVa9y8BzV9TnzuAw87yg=";
  static final String PEER = "0pbwVQivMA8W4H4aCB9kAWJez0rcqKaCvI2aqN7edEc=";
  static final String IDLE_DEVICE = "+HSTX5QH4PjCrqvn7D+KuFrMEYAcUfkQWyOFvMxjrCQ=";
  static final String IDLE_PEER_1 = "23c9iY0IzC04/C194BQUr3KfrVsblWZ3RK4117DpWVs=";
  static final String IDLE_PEER_2 = "RRb4xDp9zsdGjfEG5CwJ938HHNFqY3eJ9ZJVdz9XNiE=";

  static String sample(String name) {
    try {
      return Files.readString(Path.of("src/test/resources/agent", name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Stream<Arguments> samples() {
    return Stream.of(
        Arguments.of(
            "a device after a handshake: endpoint, handshake time and counters",
            "wg-dump-handshake.txt",
            new WgDevice(
                "wg0",
                DEVICE,
                51820,
                List.of(
                    new WgDevice.Peer(
                        PEER,
                        "192.0.2.2:51821",
                        Instant.ofEpochSecond(1796051737L),
                        284,
                        276,
                        cidrs("10.99.0.2/32"))),
                0)),
        Arguments.of(
            "an idle device with a fwmark: no handshake is null, (none) endpoint is empty",
            "wg-dump-idle.txt",
            new WgDevice(
                "wg0",
                IDLE_DEVICE,
                51820,
                List.of(
                    new WgDevice.Peer(
                        IDLE_PEER_1,
                        "192.0.2.7:51820",
                        null,
                        0,
                        0,
                        cidrs("10.244.1.0/24", "10.244.1.5/32")),
                    new WgDevice.Peer(IDLE_PEER_2, "", null, 0, 0, cidrs("10.244.2.0/24"))),
                0x100000)));
  }

  static List<Cidr> cidrs(String... texts) {
    return Stream.of(texts).map(Cidr::parse).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void readsRealDumps(String description, String file, WgDevice expected) {
    assertThat(WgDump.parse("wg0", sample(file))).isEqualTo(expected);
  }

  @Test
  void aDeviceWithoutPeersHasNone() {
    assertThat(WgDump.parse("wg0", PRIVATE + "\t" + DEVICE + "\t51820\toff\n"))
        .isEqualTo(new WgDevice("wg0", DEVICE, 51820, List.of()));
  }

  static Stream<Arguments> garbage() {
    String head = PRIVATE + "\t" + DEVICE + "\t51820\toff\n";
    return Stream.of(
        Arguments.of("empty output", "", "wg show wg0 dump printed nothing"),
        Arguments.of(
            "`wg show all dump` (an interface column) is not what was asked for",
            "wg0\t" + PRIVATE + "\t" + DEVICE + "\t51820\toff\n",
            "wg show wg0 dump: line 1 has 5 fields, expected 4"),
        Arguments.of(
            "a public key that is not a key",
            PRIVATE + "\tnot-a-key\t51820\toff\n",
            "wg show wg0 dump: line 1: public-key is not a WireGuard key"),
        Arguments.of(
            "a listen port out of range",
            PRIVATE + "\t" + DEVICE + "\t70000\toff\n",
            "wg show wg0 dump: line 1: listen-port '70000' is not a number from 0 to 65535"),
        Arguments.of(
            "a peer line cut short",
            head + PEER + "\t(none)\t(none)\n",
            "wg show wg0 dump: line 2 has 3 fields, expected 8"),
        Arguments.of(
            "a negative counter",
            head + PEER + "\t(none)\t(none)\t10.0.0.1/32\t0\t-1\t0\toff\n",
            "wg show wg0 dump: line 2: transfer-rx '-1' is not a number"),
        Arguments.of(
            "a handshake that is not a number",
            head + PEER + "\t(none)\t(none)\t10.0.0.1/32\tyesterday\t0\t0\toff\n",
            "wg show wg0 dump: line 2: latest-handshake 'yesterday' is not a number"),
        Arguments.of(
            "a fwmark that is neither off nor a mark",
            PRIVATE + "\t" + DEVICE + "\t51820\tsometimes\n",
            "wg show wg0 dump: line 1: fwmark 'sometimes' is neither off nor a 32-bit mark"),
        Arguments.of(
            "an allowed-ip that is not a network",
            head + PEER + "\t(none)\t(none)\t10.0.0.1/33\t0\t0\t0\toff\n",
            "wg show wg0 dump: line 2: allowed-ips '10.0.0.1/33' has no prefix length from 0 to 32"),
        Arguments.of(
            "an error message instead of a dump",
            "Unable to access interface: Operation not permitted\n",
            "wg show wg0 dump: line 1 has 1 fields, expected 4"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("garbage")
  void refusesGarbageWithALineAndFieldAndNeverTheKey(
      String description, String dump, String error) {
    assertThatThrownBy(() -> WgDump.parse("wg0", dump))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(error)
        .hasMessageNotContaining(PRIVATE);
  }

  @Test
  void thePrivateKeyIsNotKept() {
    WgDevice device = WgDump.parse("wg0", sample("wg-dump-handshake.txt"));
    assertThat(device.toString()).doesNotContain(PRIVATE);
  }
}
