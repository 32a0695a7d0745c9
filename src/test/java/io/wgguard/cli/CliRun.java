package io.wgguard.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.OptionalInt;

/**
 * One in-process run of the jar's offline commands, with captured streams and a fixed clock.
 *
 * @param exit the exit code, empty when the arguments ask for the service
 * @param out what went to standard output
 * @param err what went to standard error
 */
record CliRun(OptionalInt exit, String out, String err) {

  /** The instant every test run sees. */
  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  /** Runs with empty standard input. */
  static CliRun run(String... args) {
    return withStdin("", args);
  }

  /** Runs with this text on standard input. */
  static CliRun withStdin(String stdin, String... args) {
    return run(stdin, false, args);
  }

  /** Runs as if standard input were a terminal. */
  static CliRun interactive(String... args) {
    return run("", true, args);
  }

  private static CliRun run(String stdin, boolean interactive, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Charset charset = Charset.defaultCharset();
    OptionalInt exit;
    try (PrintStream outStream = new PrintStream(out, true, charset);
        PrintStream errStream = new PrintStream(err, true, charset)) {
      exit =
          Cli.run(
              args,
              new ByteArrayInputStream(stdin.getBytes(charset)),
              outStream,
              errStream,
              Clock.fixed(NOW, ZoneOffset.UTC),
              interactive);
    }
    return new CliRun(exit, out.toString(charset), err.toString(charset));
  }

  /** The exit code; fails when the run asked for the service. */
  int code() {
    return exit.orElseThrow();
  }

  /** Standard output, line by line. */
  List<String> outLines() {
    return out.lines().toList();
  }

  /** Standard error, line by line. */
  List<String> errLines() {
    return err.lines().toList();
  }
}
