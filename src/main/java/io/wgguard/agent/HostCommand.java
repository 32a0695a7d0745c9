package io.wgguard.agent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A host command the agent runs every round ({@code wg}, {@code ip}): a setting such as {@code
 * wgguard.agent.wg-command} split on spaces, its arguments appended. Bounded: a command that has
 * not exited after the timeout is killed and reported, whatever it does with its output. Both
 * streams are drained while it runs (a command that fills the stderr pipe while the agent waits on
 * stdout would otherwise wait for ever), without a thread of its own.
 */
final class HostCommand {

  /** How long between two looks at a command that has not exited. */
  private static final long POLL_MILLIS = 5;

  /**
   * What the command did.
   *
   * @param exit its exit code
   * @param stdout what it printed (the caller may clear it: {@code wg show dump} holds a key)
   * @param stderr what it printed on stderr, stripped
   */
  record Result(int exit, byte[] stdout, String stderr) {

    /** Stdout as text. */
    String text() {
      return new String(stdout, StandardCharsets.UTF_8);
    }

    /** The first line of stderr, "" when none. */
    String firstErrorLine() {
      return stderr.lines().findFirst().orElse("");
    }
  }

  private final List<String> command;
  private final Duration timeout;

  /**
   * @param command the program and its leading arguments, separated by spaces (as the settings give
   *     them: {@code ip netns exec worker1 ip})
   * @param timeout how long one run may take
   */
  HostCommand(String command, Duration timeout) {
    this.command = Arrays.stream(command.strip().split(" +")).toList();
    this.timeout = timeout;
  }

  /** The command line with these arguments, as messages show it. */
  String shown(String... args) {
    List<String> line = new ArrayList<>(command);
    line.addAll(List.of(args));
    return String.join(" ", line);
  }

  /**
   * Runs the command with these arguments and waits for it, at most the timeout.
   *
   * @throws IllegalStateException when it cannot be started, does not finish in time (it is then
   *     killed), or its output cannot be read; the message names the command
   */
  Result run(String... args) {
    List<String> line = new ArrayList<>(command);
    line.addAll(List.of(args));
    String shown = String.join(" ", line);
    Process process;
    try {
      process = new ProcessBuilder(line).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run %s: %s".formatted(shown, e.getMessage()));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (InputStream stdout = process.getInputStream();
        InputStream stderr = process.getErrorStream()) {
      process.getOutputStream().close();
      while (true) {
        boolean read = drain(stdout, out) | drain(stderr, err);
        if (!process.isAlive()) {
          // What it wrote before it exited is in the pipes now; a child it left behind that keeps
          // them open is not waited for.
          while (drain(stdout, out) | drain(stderr, err)) {
            // Until both are empty.
          }
          break;
        }
        if (System.nanoTime() - deadline > 0) {
          process.destroyForcibly();
          throw new IllegalStateException(
              "%s did not finish in %d s and was killed".formatted(shown, timeout.toSeconds()));
        }
        if (!read) {
          Thread.sleep(POLL_MILLIS);
        }
      }
      return new Result(
          process.exitValue(), out.toByteArray(), err.toString(StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      process.destroyForcibly();
      throw new IllegalStateException(
          "cannot read the output of %s: %s".formatted(shown, e.getMessage()));
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException(shown + " interrupted");
    }
  }

  /** Copies what {@code in} has now, without blocking; whether anything was there. */
  private static boolean drain(InputStream in, ByteArrayOutputStream to) throws IOException {
    int available = in.available();
    if (available <= 0) {
      return false;
    }
    byte[] chunk = new byte[Math.min(available, 65536)];
    int n = in.read(chunk);
    if (n <= 0) {
      return false;
    }
    to.write(chunk, 0, n);
    Arrays.fill(chunk, (byte) 0);
    return true;
  }
}
