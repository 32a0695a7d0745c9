package io.wgguard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The agent's host commands are bounded: before, the output was read to its end before the timeout
 * was looked at, so a {@code wg} or {@code ip} that hung (a stuck netlink call, a namespace being
 * torn down) held the agent's round, and its Lease renewals, for ever; and one that filled the
 * stderr pipe while the agent read stdout never exited.
 */
class HostCommandTest {

  /** Far above the command's own timeout: reached only if the timeout does not work. */
  static final Duration HANG_GUARD = Duration.ofSeconds(60);

  @Test
  void aCommandThatDoesNotExitIsKilledAtTheTimeout() {
    HostCommand hung = new HostCommand("sh -c", Duration.ofSeconds(1));

    assertTimeoutPreemptively(
        HANG_GUARD,
        () ->
            assertThatThrownBy(() -> hung.run("exec sleep 300"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("sh -c exec sleep 300 did not finish in 1 s and was killed"));
  }

  @Test
  void aCommandThatKeepsItsOutputOpenIsKilledAtTheTimeout() {
    // Prints a line, then waits with stdout open: reading stdout to its end would never return.
    HostCommand hung = new HostCommand("sh -c", Duration.ofSeconds(1));

    assertTimeoutPreemptively(
        HANG_GUARD,
        () ->
            assertThatThrownBy(() -> hung.run("echo peers; exec sleep 300"))
                .hasMessageContaining("did not finish in 1 s"));
  }

  @Test
  void muchOutputOnBothStreamsIsReadWhileTheCommandRuns() {
    // 1 MiB on stderr and on stdout, far more than a pipe holds (64 KiB on Linux).
    HostCommand chatty = new HostCommand("sh -c", Duration.ofSeconds(30));

    HostCommand.Result result =
        assertTimeoutPreemptively(
            HANG_GUARD,
            () ->
                chatty.run(
                    "head -c 1048576 /dev/zero | tr '\\0' e >&2;"
                        + " head -c 1048576 /dev/zero | tr '\\0' o; exit 3"));

    assertThat(result.exit()).isEqualTo(3);
    assertThat(result.stdout()).hasSize(1 << 20);
    assertThat(result.stderr()).hasSize(1 << 20);
  }

  @Test
  void stdoutStderrAndTheExitCodeAreKeptApart() {
    HostCommand.Result result =
        new HostCommand("sh -c", Duration.ofSeconds(30))
            .run("echo '[{\"ifname\":\"wg0\"}]'; echo 'Cannot find device' >&2; echo more >&2");

    assertThat(result.exit()).isZero();
    assertThat(result.text()).isEqualTo("[{\"ifname\":\"wg0\"}]\n");
    assertThat(result.firstErrorLine()).isEqualTo("Cannot find device");
  }

  @Test
  void aProgramThatIsNotThereIsNamed() {
    HostCommand missing = new HostCommand("  /nonexistent/wg  ", Duration.ofSeconds(5));

    assertThatThrownBy(() -> missing.run("show", "wireguard.cali", "dump"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("cannot run /nonexistent/wg show wireguard.cali dump: ");
    assertThat(missing.shown("show")).isEqualTo("/nonexistent/wg show");
  }
}
