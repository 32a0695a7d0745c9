package io.wgguard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.wgguard.config.TunnelSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The device source's edge: {@code wg show <iface> dump} through {@code wg-command}. */
class TunnelReaderTest {

  @TempDir Path dir;

  TunnelReader reader(String script) throws IOException {
    Path wg = Files.writeString(dir.resolve("wg"), script);
    return new TunnelReader(TunnelSource.DEVICE, "/bin/sh " + wg, "http://127.0.0.1:9091/metrics");
  }

  /**
   * A {@code wg} that prints and then hangs with its output open (a stuck netlink call) fails the
   * round within the reader's 10 s, so the agent goes on (and renews its Lease). Before, the output
   * was read to its end first and the round waited as long as {@code wg} did.
   */
  @Test
  void aHungWgFailsTheReadInsteadOfHoldingTheAgent() throws IOException {
    TunnelReader hung = reader("echo private; exec sleep 600\n");

    assertTimeoutPreemptively(
        Duration.ofSeconds(90),
        () ->
            assertThatThrownBy(() -> hung.read(List.of("wireguard.cali")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageEndingWith(
                    "show wireguard.cali dump did not finish in 10 s and was killed"));
  }

  @Test
  void noSuchDeviceIsAnAbsentDeviceAndOtherFailuresAreNamed() throws IOException {
    TunnelReader reader =
        reader(
            """
            case "$2" in
              wireguard.cali) echo "Unable to access interface: No such device" >&2; exit 1;;
              *) echo "Unable to access interface: Operation not permitted" >&2; exit 1;;
            esac
            """);

    assertThat(reader.read(List.of("wireguard.cali"))).containsEntry("wireguard.cali", null);
    assertThatThrownBy(() -> reader.read(List.of("wg-v6.cali")))
        .hasMessageEndingWith(
            "show wg-v6.cali dump failed (exit 1): Unable to access interface: Operation not"
                + " permitted");
  }
}
