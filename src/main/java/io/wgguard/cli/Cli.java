package io.wgguard.cli;

import io.wgguard.agent.AgentCommand;
import java.io.PrintStream;
import java.util.OptionalInt;

/**
 * Dispatches the offline commands of the wgguard jar. Exit codes: 0 success (allowed / all ready),
 * 1 the verdict is negative (refused / a node not ready), 2 bad input or usage.
 */
public final class Cli {

  static final String USAGE =
      """
      Usage: java -jar quarkus-run.jar [COMMAND]

      Commands:
        serve               run the service: webhooks, node checker, health (the default)
        agent               run the node agent (DaemonSet): keeps the WireGuardModuleReady
                            node condition current; settings: WGGUARD_AGENT_* variables
        help                show this help
      """;

  private Cli() {}

  /**
   * Runs an offline command. Returns the exit code, or empty when the arguments ask for the
   * service.
   */
  public static OptionalInt run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || "serve".equals(args[0]) || args[0].startsWith("-D")) {
      return OptionalInt.empty();
    }
    return switch (args[0]) {
      case "agent" -> OptionalInt.of(AgentCommand.run(args, out, err));
      case "help", "--help", "-h" -> {
        out.print(USAGE);
        yield OptionalInt.of(0);
      }
      default -> {
        err.println("wgguard: unknown command '" + args[0] + "'");
        err.print(USAGE);
        yield OptionalInt.of(2);
      }
    };
  }
}
