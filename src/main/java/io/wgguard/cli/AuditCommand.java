package io.wgguard.cli;

import io.wgguard.pass.CheckerPass;
import io.wgguard.pass.PassResult;
import io.wgguard.pass.PassSettings;
import io.wgguard.pass.PreviousPass;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code audit [FILE|-]}: the node readiness check on a cluster dump, offline. Reads what {@code
 * kubectl get nodes,felixconfigurations.crd.projectcalico.org -o yaml} (or {@code -o json}) prints,
 * runs the service's own {@link CheckerPass} on it at the current time, with the service's
 * settings, and prints what {@code /status} would show: the posture, one row per node, standing
 * overrides, the brake and the removal guard, and departures when an earlier dump is given. Exit 0
 * when WireGuard is on cluster-wide and every node is ready, 1 otherwise, 2 for bad input.
 */
@Command(
    name = Cli.COMMAND + " audit",
    sortOptions = false,
    usageHelpWidth = Cli.HELP_WIDTH,
    description = {
      "Checks a cluster dump as the node checker would: is WireGuard on cluster-wide, does every"
          + " node publish a valid, unique public key and an interface address, which taints"
          + " would the checker add or remove.",
      "",
      "  kubectl get nodes,felixconfigurations.crd.projectcalico.org -o yaml > dump.yaml",
      "  " + Cli.COMMAND + " audit dump.yaml",
      ""
    },
    footer = {
      "",
      "Input: a List (kubectl -o yaml or -o json), multi-document YAML, or single objects;"
          + " objects of other kinds are skipped.",
      "Settings are the service's properties (README, Configuration): --set NAME=VALUE, then JVM"
          + " system properties (-Dwgguard.x=y), then WGGUARD_* environment variables, then the"
          + " defaults.",
      "Exit status: 0 WireGuard on and every node ready, 1 WireGuard off or a node not ready,"
          + " 2 bad input."
    })
final class AuditCommand implements Callable<Integer> {

  /** Output formats. */
  enum Format {
    TEXT,
    JSON
  }

  @Spec private CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "FILE|-",
      description = "the dump; '-' or nothing reads standard input")
  private String file = InputDocuments.STDIN;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "text (default) or json")
  private Format output = Format.TEXT;

  @Option(
      names = "--previous",
      paramLabel = "FILE",
      description =
          "an earlier dump of the same cluster: nodes on WireGuard there and off here are"
              + " reported as departures, as the service reports them between two passes")
  private String previousFile;

  @Mixin private CommonOptions common = new CommonOptions();

  private final InputStream stdin;
  private final Clock clock;
  private final boolean interactive;

  AuditCommand(InputStream stdin, Clock clock, boolean interactive) {
    this.stdin = stdin;
    this.clock = clock;
    this.interactive = interactive;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      AuditReport report = audit();
      out.print(output == Format.JSON ? report.json() : report.text());
      return report.healthy() ? Cli.EXIT_OK : Cli.EXIT_NEGATIVE;
    } catch (BadInputException e) {
      err.println(Cli.PROGRAM + " audit: " + e.getMessage());
      return Cli.EXIT_BAD_INPUT;
    }
  }

  private AuditReport audit() throws BadInputException {
    if (InputDocuments.STDIN.equals(file) && interactive) {
      throw new BadInputException(
          "no FILE given and standard input is a terminal; name a dump file, or pipe one in:"
              + " kubectl get nodes,felixconfigurations.crd.projectcalico.org -o yaml | "
              + Cli.COMMAND
              + " audit -");
    }
    OfflineSettings settings = common.settings();
    PassSettings pass = settings.pass();
    Instant now = clock.instant();
    // A previous dump is the previous pass: it tells which nodes left WireGuard since.
    PreviousPass previous = PreviousPass.NONE;
    if (previousFile != null) {
      if (InputDocuments.STDIN.equals(previousFile)) {
        throw new BadInputException(
            "--previous needs a file: standard input is for the current dump");
      }
      previous =
          CheckerPass.run(dump(previousFile, settings).snapshot(), previous, pass, now).next(false);
    }
    ClusterDump dump = dump(file, settings);
    PassResult result = CheckerPass.run(dump.snapshot(), previous, pass, now);
    return new AuditReport(InputDocuments.describe(file), dump, result, pass.tunnelEvidence());
  }

  private ClusterDump dump(String name, OfflineSettings settings) throws BadInputException {
    return ClusterDump.read(
        InputDocuments.parse(InputDocuments.read(name, stdin), name),
        InputDocuments.describe(name),
        settings.config().checker().felixGroup().wire(),
        settings.config().calicoNode().namespaces().stream()
            .map(namespace -> namespace + "/" + settings.config().calicoNode().name())
            .collect(java.util.stream.Collectors.toSet()));
  }
}
