package io.wgguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.wgguard.Messages;
import io.wgguard.Names;
import io.wgguard.admission.AdmissionReviews;
import io.wgguard.admission.BadReviewException;
import io.wgguard.admission.FelixConfigurationAdmission;
import io.wgguard.felix.ClusterView;
import io.wgguard.felix.FelixObject;
import io.wgguard.felix.FelixObjects;
import io.wgguard.felix.FelixPath;
import io.wgguard.policy.AdmissionInput;
import io.wgguard.policy.AdmissionInput.Operation;
import io.wgguard.policy.AdmissionInput.Requester;
import io.wgguard.policy.Decision;
import io.wgguard.policy.FelixConfigurationPolicy;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code review}: the FelixConfiguration admission decision, offline. Judges AdmissionReview files
 * ({@link AdmissionReviews#parse}, {@link FelixConfigurationAdmission#input}) or an old/new object
 * pair ({@link FelixObjects#read}) with {@link FelixConfigurationPolicy#decide}, the code the
 * webhook runs, at the current time, with the service's settings. Exit 0 when every write is
 * allowed, 1 when one is refused, 2 for bad input (the other files are still judged).
 */
@Command(
    name = Cli.COMMAND + " review",
    sortOptions = false,
    usageHelpWidth = Cli.HELP_WIDTH,
    description = {
      "Judges FelixConfiguration writes as the admission webhook would, without a cluster:"
          + " AdmissionReview JSON files as the API server sends them, or an old/new object pair"
          + " (YAML or JSON): --old and --new is an UPDATE, --new alone a CREATE, --old alone a"
          + " DELETE.",
      "",
      "  " + Cli.COMMAND + " review review.json",
      "  " + Cli.COMMAND + " review --old before.yaml --new after.yaml --user alice --group ops",
      ""
    },
    footer = {
      "",
      "Settings are the service's properties (README, Configuration): --set NAME=VALUE, then JVM"
          + " system properties (-Dwgguard.x=y), then WGGUARD_* environment variables, then the"
          + " defaults.",
      "Exit status: 0 allowed, 1 refused, 2 bad input."
    })
final class ReviewCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Parameters(
      paramLabel = "FILE",
      arity = "0..*",
      description = "AdmissionReview JSON files (admission.k8s.io/v1)")
  private List<String> files = new ArrayList<>();

  @Option(
      names = "--old",
      paramLabel = "FILE",
      description = "the FelixConfiguration as stored (UPDATE, DELETE)")
  private String oldFile;

  @Option(
      names = "--new",
      paramLabel = "FILE",
      description = "the FelixConfiguration as written (CREATE, UPDATE)")
  private String newFile;

  @Option(
      names = "--user",
      paramLabel = "NAME",
      description = "the requester's user name (default: unknown)")
  private String user = "";

  @Option(
      names = "--group",
      paramLabel = "GROUP",
      description = "a group of the requester (repeatable)")
  private List<String> groups = new ArrayList<>();

  @Option(
      names = "--v3",
      description =
          "the write goes through projectcalico.org/v3 (calico-apiserver), not"
              + " crd.projectcalico.org/v1")
  private boolean v3;

  @Option(names = "--dry-run", description = "the request is a dry run")
  private boolean dryRun;

  @Option(
      names = "--cluster",
      paramLabel = "FILE",
      description =
          "a cluster dump (kubectl get nodes,felixconfigurations.crd.projectcalico.org -o yaml):"
              + " writes are judged by their effect on its nodes, as the webhook judges them;"
              + " without it, by the written object alone")
  private String clusterFile;

  @Mixin private CommonOptions common = new CommonOptions();

  private final InputStream stdin;
  private final Clock clock;

  ReviewCommand(InputStream stdin, Clock clock) {
    this.stdin = stdin;
    this.clock = clock;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    FelixConfigurationPolicy policy;
    ClusterView view;
    int maxBodyBytes;
    try {
      checkArguments();
      OfflineSettings settings = common.settings();
      policy = new FelixConfigurationPolicy(settings.policy());
      maxBodyBytes = settings.config().admission().maxBodyBytes();
      view = clusterView(settings);
    } catch (BadInputException e) {
      return bad(e, out, err);
    }
    if (files.isEmpty()) {
      try {
        AdmissionInput input = pair();
        Decision decision = policy.decide(input, view, clock.instant());
        print(pairTitle(), input, decision, out);
        return exitCode(decision);
      } catch (BadInputException e) {
        return bad(e, out, err);
      }
    }
    int worst = Cli.EXIT_OK;
    boolean first = true;
    for (String file : files) {
      try {
        AdmissionInput input = review(file, maxBodyBytes);
        Decision decision = policy.decide(input, view, clock.instant());
        if (!first) {
          out.println();
        }
        first = false;
        print(InputDocuments.describe(file), input, decision, out);
        worst = Math.max(worst, exitCode(decision));
      } catch (BadInputException e) {
        worst = bad(e, out, err);
      }
    }
    return worst;
  }

  /**
   * The view the webhook would have: the dump's FelixConfigurations and nodes, as synced caches;
   * without {@code --cluster}, none, and the object alone decides.
   */
  private ClusterView clusterView(OfflineSettings settings) throws BadInputException {
    if (clusterFile == null) {
      return ClusterView.NONE;
    }
    ClusterDump dump =
        ClusterDump.read(
            InputDocuments.parse(InputDocuments.read(clusterFile, stdin), clusterFile),
            InputDocuments.describe(clusterFile),
            settings.config().checker().felixGroup().wire());
    Map<String, Map<String, String>> nodes = new HashMap<>();
    dump.nodes().forEach(n -> nodes.put(n.name(), n.felixLabels()));
    return ClusterView.of(true, dump.felix(), nodes, dump.felixPaths());
  }

  private static int bad(BadInputException e, PrintWriter out, PrintWriter err) {
    out.flush();
    err.println(Cli.PROGRAM + " review: " + e.getMessage());
    err.flush();
    return Cli.EXIT_BAD_INPUT;
  }

  private void checkArguments() throws BadInputException {
    boolean pair = oldFile != null || newFile != null;
    if (files.isEmpty() && !pair) {
      throw new BadInputException(
          "give AdmissionReview FILEs, or --old and/or --new FelixConfiguration files");
    }
    if (!files.isEmpty() && pair) {
      throw new BadInputException(
          "give either AdmissionReview FILEs or --old/--new, not both (" + files.get(0) + ")");
    }
    if (InputDocuments.STDIN.equals(oldFile) && InputDocuments.STDIN.equals(newFile)) {
      throw new BadInputException("--old and --new cannot both read standard input");
    }
    if (!pair && (!user.isEmpty() || !groups.isEmpty() || v3 || dryRun)) {
      throw new BadInputException(
          "--user, --group, --v3 and --dry-run apply to --old/--new only; an AdmissionReview"
              + " carries its own");
    }
  }

  /**
   * The policy input of one AdmissionReview file, read as the webhook reads a request body: up to
   * {@code wgguard.admission.max-body-bytes}, by {@link AdmissionReviews#parse}.
   */
  private AdmissionInput review(String file, int maxBodyBytes) throws BadInputException {
    byte[] body = InputDocuments.read(file, stdin);
    if (body.length > maxBodyBytes) {
      throw new BadInputException(
          InputDocuments.describe(file)
              + " has "
              + body.length
              + " bytes, more than wgguard.admission.max-body-bytes ("
              + maxBodyBytes
              + "); the webhook answers such a body with HTTP 413");
    }
    try {
      return FelixConfigurationAdmission.input(AdmissionReviews.parse(body));
    } catch (BadReviewException e) {
      throw new BadInputException(
          InputDocuments.describe(file) + ": " + e.getMessage() + pairHint(body, file));
    }
  }

  /** A hint for a FelixConfiguration given where an AdmissionReview belongs. */
  private static String pairHint(byte[] body, String file) {
    try {
      JsonNode object = InputDocuments.single(body, file);
      if (Names.FELIX_KIND.equals(object.path("kind").asText())) {
        return "; the file holds a FelixConfiguration: pass it with --old or --new";
      }
    } catch (BadInputException e) {
      // Not a single object either: the parse error above says enough.
    }
    return "";
  }

  /** The policy input of the old/new pair. */
  private AdmissionInput pair() throws BadInputException {
    FelixObject oldObject = object(oldFile);
    FelixObject newObject = object(newFile);
    if (oldObject != null
        && newObject != null
        && !oldObject.name().isEmpty()
        && !newObject.name().isEmpty()
        && !oldObject.name().equals(newObject.name())) {
      throw new BadInputException(
          "--old "
              + oldFile
              + " is FelixConfiguration \""
              + Messages.clip(oldObject.name())
              + "\" but --new "
              + newFile
              + " is \""
              + Messages.clip(newObject.name())
              + "\"; an UPDATE keeps the name");
    }
    Operation operation;
    if (oldObject == null) {
      operation = Operation.CREATE;
    } else if (newObject == null) {
      operation = Operation.DELETE;
    } else {
      operation = Operation.UPDATE;
    }
    return new AdmissionInput(
        operation,
        v3 ? Names.CALICO_V3_GROUP : Names.CALICO_CRD_GROUP,
        oldObject,
        newObject,
        new Requester(user, groups),
        dryRun,
        path(oldFile),
        path(newFile));
  }

  /** What the file's object asserts about the path into WireGuard, null without a file. */
  private FelixPath path(String file) throws BadInputException {
    if (file == null) {
      return null;
    }
    return FelixPath.read(json(file));
  }

  private final Map<String, JsonNode> documents = new HashMap<>();

  /** The one object of a file, read once (standard input can be read only once). */
  private JsonNode json(String file) throws BadInputException {
    JsonNode json = documents.get(file);
    if (json == null) {
      json = InputDocuments.single(InputDocuments.read(file, stdin), file);
      documents.put(file, json);
    }
    return json;
  }

  private FelixObject object(String file) throws BadInputException {
    if (file == null) {
      return null;
    }
    JsonNode json = json(file);
    try {
      return FelixObjects.read(json);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(InputDocuments.describe(file) + ": the object " + e.getMessage());
    }
  }

  private String pairTitle() {
    List<String> parts = new ArrayList<>();
    if (oldFile != null) {
      parts.add("--old " + InputDocuments.describe(oldFile));
    }
    if (newFile != null) {
      parts.add("--new " + InputDocuments.describe(newFile));
    }
    return String.join(" ", parts);
  }

  /** One block per judged write: the request, the decision, message, warnings, audit. */
  private static void print(
      String title, AdmissionInput input, Decision decision, PrintWriter out) {
    out.println(title);
    out.println("  request:  " + request(input));
    out.println("  decision: " + decision(decision));
    if (!decision.message().isEmpty()) {
      out.println("  message:  " + decision.message());
    }
    decision.warnings().forEach(w -> out.println("  warning:  " + w));
    decision.auditAnnotations().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> out.println("  audit:    " + e.getKey() + "=" + e.getValue()));
  }

  /** E.g. {@code UPDATE FelixConfiguration "default" (crd.projectcalico.org) by alice [ops]}. */
  private static String request(AdmissionInput input) {
    StringBuilder text = new StringBuilder(input.operation().name());
    FelixObject subject = input.subject();
    if (subject != null) {
      text.append(" FelixConfiguration \"").append(Messages.clip(subject.name())).append('"');
    }
    text.append(" (").append(input.apiGroup()).append(") by ");
    Requester user = input.user();
    text.append(user.username().isEmpty() ? "an unknown user" : Messages.clip(user.username()));
    if (!user.groups().isEmpty()) {
      text.append(" [")
          .append(String.join(", ", user.groups().stream().map(Messages::clip).toList()))
          .append(']');
    }
    if (input.dryRun()) {
      text.append(", dry run");
    }
    return text.toString();
  }

  private static String decision(Decision decision) {
    return switch (decision.verdict()) {
      case ALLOWED -> "allowed";
      case OVERRIDDEN -> "allowed under override";
      case WARNED -> "allowed in warn mode (enforce mode refuses it)";
      case DENIED -> "denied";
    };
  }

  private static int exitCode(Decision decision) {
    return decision.allowed() ? Cli.EXIT_OK : Cli.EXIT_NEGATIVE;
  }
}
