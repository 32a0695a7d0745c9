package io.wgguard.cli;

import io.wgguard.agent.AgentCommand;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Arrays;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi;

/**
 * Dispatches the offline commands of the wgguard jar. Exit codes: 0 success (allowed / all ready),
 * 1 the verdict is negative (refused / a node not ready), 2 bad input or usage.
 */
public final class Cli {

  /** How messages name the program. */
  public static final String PROGRAM = "wgguard";

  /** How usage lines name the program. */
  public static final String COMMAND = "java -jar quarkus-run.jar";

  /** Width of the commands' help text, fixed so it reads the same everywhere. */
  static final int HELP_WIDTH = 100;

  /** The write is allowed; WireGuard is on and every node is ready. */
  public static final int EXIT_OK = 0;

  /** A write is refused; WireGuard is off or a node is not ready. */
  public static final int EXIT_NEGATIVE = 1;

  /** Bad input or usage: unknown option, missing or unreadable file, wrong shape, bad setting. */
  public static final int EXIT_BAD_INPUT = 2;

  static final String USAGE =
      """
      Usage: java -jar quarkus-run.jar [COMMAND]

      Commands:
        serve               run the service: webhooks, node checker, health (the default)
        agent               run the node agent (DaemonSet): keeps the WireGuardModuleReady
                            node condition and the wgguard.io/tunnels annotation current;
                            settings: WGGUARD_AGENT_* variables
        review FILE...      judge AdmissionReview files as the webhook would, offline
        review --old FILE --new FILE
                            judge a FelixConfiguration write given as old/new objects
        audit [FILE|-]      check a cluster dump (kubectl get
                            nodes,felixconfigurations.crd.projectcalico.org -o yaml)
        help                show this help

      Run 'java -jar quarkus-run.jar COMMAND --help' for a command's options.
      Exit status of review and audit: 0 allowed / all ready, 1 refused / not ready,
      2 bad input.
      """;

  private Cli() {}

  /**
   * Runs an offline command. Returns the exit code, or empty when the arguments ask for the
   * service.
   */
  public static OptionalInt run(String[] args, PrintStream out, PrintStream err) {
    return run(args, System.in, out, err, Clock.systemUTC(), System.console() != null);
  }

  /**
   * Runs an offline command with the given standard input and clock.
   *
   * @param interactive whether standard input is a terminal (audit then needs a FILE)
   */
  static OptionalInt run(
      String[] args,
      InputStream in,
      PrintStream out,
      PrintStream err,
      Clock clock,
      boolean interactive) {
    if (args.length == 0 || "serve".equals(args[0]) || args[0].startsWith("-D")) {
      return OptionalInt.empty();
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    return switch (args[0]) {
      case "agent" -> OptionalInt.of(AgentCommand.run(args, out, err));
      case "review" ->
          OptionalInt.of(execute("review", new ReviewCommand(in, clock), rest, out, err));
      case "audit" ->
          OptionalInt.of(
              execute("audit", new AuditCommand(in, clock, interactive), rest, out, err));
      case "help", "--help", "-h" -> {
        out.print(USAGE);
        yield OptionalInt.of(EXIT_OK);
      }
      default -> {
        err.println(PROGRAM + ": unknown command '" + args[0] + "'");
        err.print(USAGE);
        yield OptionalInt.of(EXIT_BAD_INPUT);
      }
    };
  }

  private static int execute(
      String name, Callable<Integer> command, String[] args, PrintStream out, PrintStream err) {
    PrintWriter outWriter = new PrintWriter(out, true);
    PrintWriter errWriter = new PrintWriter(err, true);
    CommandLine line =
        new CommandLine(command)
            .setOut(outWriter)
            .setErr(errWriter)
            .setColorScheme(Help.defaultColorScheme(Ansi.OFF))
            .setCaseInsensitiveEnumValuesAllowed(true)
            .setParameterExceptionHandler(
                (e, given) -> {
                  errWriter.println(PROGRAM + " " + name + ": " + e.getMessage());
                  errWriter.println("Run '" + COMMAND + " " + name + " --help' for its options.");
                  return EXIT_BAD_INPUT;
                })
            .setExecutionExceptionHandler(
                (e, commandLine, parsed) -> {
                  // Never a stack trace: the reason, as the webhook words its own failures.
                  errWriter.println(
                      PROGRAM
                          + " "
                          + name
                          + ": internal error: "
                          + (e.getMessage() == null ? "unexpected failure" : e.getMessage()));
                  return EXIT_BAD_INPUT;
                });
    int code;
    try {
      code = line.execute(args);
    } catch (StackOverflowError e) {
      // The readers and the selector engine do not recurse on input; should anything else, the
      // answer is still a sentence and exit 2, never a stack trace.
      errWriter.println(PROGRAM + " " + name + ": the input is nested too deeply to read");
      code = EXIT_BAD_INPUT;
    }
    outWriter.flush();
    errWriter.flush();
    return code;
  }
}
