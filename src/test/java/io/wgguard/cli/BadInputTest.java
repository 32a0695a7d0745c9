package io.wgguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Input the commands cannot use: exit 2, one line on standard error naming the file and the reason,
 * nothing on standard output, never a stack trace. {@code {file}} and {@code {other}} in a case
 * stand for files in a temporary directory holding the case's contents ({@code null}: not created),
 * and {@code {dir}} for the directory.
 */
class BadInputTest {

  static final String FELIX = "apiVersion: crd.projectcalico.org/v1\nkind: FelixConfiguration\n";
  static final String NODE_WORKER1 =
      "- apiVersion: v1\n  kind: Node\n  metadata:\n    name: worker1\n";
  static final String LIST = "apiVersion: v1\nkind: List\nitems:\n";
  static final String REVIEW_HEAD =
      "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u1\","
          + "\"operation\":\"UPDATE\",\"object\":{},\"oldObject\":{},";
  static final String AUDIT_HELP = "Run 'java -jar quarkus-run.jar audit --help' for its options.";
  static final String REVIEW_HELP =
      "Run 'java -jar quarkus-run.jar review --help' for its options.";
  static final String ON = FELIX + "metadata:\n  name: default\nspec:\n  wireguardEnabled: true\n";

  static Arguments c(String sentence, String args, List<String> err, String... contents) {
    return Arguments.of(sentence, args, err, Arrays.asList(contents));
  }

  static Arguments c(String sentence, String args, String err, String... contents) {
    return c(sentence, args, List.of(err), contents);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // Files.
        c(
            "a dump that does not exist",
            "audit {file}",
            "wgguard audit: {file}: no such file",
            (String) null),
        c(
            "a directory instead of a dump",
            "audit {dir}",
            "wgguard audit: {dir} is a directory, not a file"),
        c(
            "text that is not YAML",
            "audit {file}",
            "wgguard audit: {file} is not valid YAML (line 2, column 8: expected ',' or ']', but got :)",
            "key: [unclosed\n  other: x\n"),
        c(
            "JSON cut short",
            "audit {file}",
            "wgguard audit: {file} is not valid JSON (line 1, column 31: Unexpected end-of-input:"
                + " expected close marker for Array)",
            "{\"apiVersion\":\"v1\",\"items\":[{}"),
        c("an empty file", "audit {file}", "wgguard audit: {file} is empty", ""),
        c(
            "JSON nested deeper than anything Kubernetes writes",
            "audit {file}",
            "wgguard audit: {file} is not valid JSON: nested more than 200 levels deep",
            "[".repeat(1000)),
        c(
            "plain words, which YAML reads as one string",
            "audit {file}",
            "wgguard audit: {file}: the document is not a Kubernetes object; expected a List or Node"
                + " and FelixConfiguration objects",
            "just some words\n"),
        c(
            "a second YAML document that is a string",
            "audit {file}",
            "wgguard audit: {file}: document 2 is not a Kubernetes object; expected a List or Node"
                + " and FelixConfiguration objects",
            LIST + NODE_WORKER1 + "---\nstray words\n"),

        // Dumps of the wrong shape.
        c(
            "a List with no items",
            "audit {file}",
            "wgguard audit: {file} holds no Node; expected the output of kubectl get"
                + " nodes,felixconfigurations.crd.projectcalico.org -o yaml",
            "apiVersion: v1\nkind: List\nitems: []\n"),
        c(
            "a List with only the FelixConfiguration",
            "audit {file}",
            "wgguard audit: {file} holds no Node; expected the output of kubectl get"
                + " nodes,felixconfigurations.crd.projectcalico.org -o yaml",
            LIST
                + "- apiVersion: crd.projectcalico.org/v1\n  kind: FelixConfiguration\n"
                + "  metadata: {name: default}\n"),
        c(
            "a node without a name",
            "audit {file}",
            "wgguard audit: {file}: items[0] is a Node without metadata.name",
            LIST + "- apiVersion: v1\n  kind: Node\n  metadata:\n    labels: {a: b}\n"),
        c(
            "a node whose labels are a list",
            "audit {file}",
            "wgguard audit: {file}: node worker1 (items[0]): metadata.labels is not a map",
            LIST + NODE_WORKER1 + "    labels: [a, b]\n"),
        c(
            "a node annotation that is a number",
            "audit {file}",
            "wgguard audit: {file}: node worker1 (items[0]): metadata.annotations[a] is not a"
                + " string",
            LIST + NODE_WORKER1 + "    annotations: {a: 1}\n"),
        c(
            "a node whose taints are a number",
            "audit {file}",
            "wgguard audit: {file}: node worker1 (items[0]) is not a valid Node: spec.taints has the"
                + " wrong type",
            LIST + NODE_WORKER1 + "  spec:\n    taints: 5\n"),
        c(
            "the same node twice",
            "audit {file}",
            "wgguard audit: {file}: node worker1 appears more than once (items[1])",
            LIST + NODE_WORKER1 + NODE_WORKER1),
        c(
            "an item without a kind",
            "audit {file}",
            "wgguard audit: {file}: items[1] has no kind; expected Node or FelixConfiguration",
            LIST + NODE_WORKER1 + "- metadata: {name: x}\n"),

        // audit options and settings.
        c(
            "an unknown option",
            "audit --frobnicate {file}",
            List.of("wgguard audit: Unknown option: '--frobnicate'", AUDIT_HELP),
            LIST + NODE_WORKER1),
        c(
            "an output format audit does not have",
            "audit -o yaml {file}",
            List.of(
                "wgguard audit: Invalid value for option '--output': expected one of [TEXT, JSON]"
                    + " (case-insensitive) but was 'yaml'",
                AUDIT_HELP),
            LIST + NODE_WORKER1),
        c(
            "two dumps",
            "audit {file} {other}",
            List.of("wgguard audit: Unmatched argument at index 1: '{other}'", AUDIT_HELP),
            LIST + NODE_WORKER1,
            LIST + NODE_WORKER1),
        c(
            "a misspelt property",
            "audit --set wgguard.checker.brake-fracton=1 {file}",
            "wgguard audit: bad setting: wgguard.checker.brake-fracton is not a wgguard property",
            LIST + NODE_WORKER1),
        c(
            "a brake fraction that is not a number",
            "audit --set wgguard.checker.brake-fraction=half {file}",
            "wgguard audit: bad setting: wgguard.checker.brake-fraction=\"half\" is not valid:"
                + " Expected a double value, got \"half\"",
            LIST + NODE_WORKER1),
        c(
            "a brake fraction above 1",
            "audit --set wgguard.checker.brake-fraction=2 {file}",
            "wgguard audit: bad setting: wgguard.checker: safety-brake fraction must be more than 0"
                + " and at most 1, not 2.0",
            LIST + NODE_WORKER1),
        c(
            "a taint effect wgguard does not write",
            "audit --set wgguard.checker.taint-effect=PreferNoSchedule {file}",
            "wgguard audit: bad setting: wgguard.checker.taint-effect=\"PreferNoSchedule\" is not"
                + " valid: taint effect 'PreferNoSchedule' is not supported; use NoSchedule or"
                + " NoExecute",
            LIST + NODE_WORKER1),
        c(
            "a module source that does not exist",
            "audit --set wgguard.checker.module-sources=key,kernel {file}",
            "wgguard audit: bad setting: wgguard.checker.module-sources=\"key,kernel\" is not"
                + " valid: module readiness source 'kernel' is not one of key, condition, label",
            LIST + NODE_WORKER1),
        c(
            "a FelixConfiguration group Calico does not have",
            "audit --set wgguard.checker.felix-group=calico {file}",
            "wgguard audit: bad setting: wgguard.checker.felix-group=\"calico\" is not valid:"
                + " 'calico' is not a FelixConfiguration API group; use auto,"
                + " crd.projectcalico.org or projectcalico.org",
            LIST + NODE_WORKER1),

        // review files.
        c(
            "review with nothing to judge",
            "review",
            "wgguard review: give AdmissionReview FILEs, or --old and/or --new FelixConfiguration"
                + " files"),
        c(
            "an AdmissionReview that does not exist",
            "review {file}",
            "wgguard review: {file}: no such file",
            (String) null),
        c(
            "an AdmissionReview larger than the webhook accepts",
            "review --set wgguard.admission.max-body-bytes=10 {file}",
            "wgguard review: {file} has 11 bytes, more than wgguard.admission.max-body-bytes (10);"
                + " the webhook answers such a body with HTTP 413",
            "{\"kind\":1}\n"),
        c(
            "a FelixConfiguration where an AdmissionReview belongs",
            "review {file}",
            "wgguard review: {file}: body is not valid JSON (line 1, column 1); the file holds a"
                + " FelixConfiguration: pass it with --old or --new",
            ON),
        c(
            "an AdmissionReview of the old v1beta1 API",
            "review {file}",
            "wgguard review: {file}: apiVersion is 'admission.k8s.io/v1beta1', expected"
                + " admission.k8s.io/v1",
            "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\"}"),
        c(
            "an AdmissionReview about a Pod",
            "review {file}",
            "wgguard review: {file}: request.kind is Pod: this endpoint judges FelixConfiguration in"
                + " crd.projectcalico.org or projectcalico.org",
            REVIEW_HEAD + "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"}}}"),
        c(
            "a Node given as --new",
            "review --new {file}",
            "wgguard review: {file}: the object has kind 'Node', expected FelixConfiguration",
            "apiVersion: v1\nkind: Node\nmetadata:\n  name: worker1\n"),
        c(
            "two objects in one --new file",
            "review --new {file}",
            "wgguard review: {file} holds 2 documents; give one object per file",
            ON + "---\n" + ON),
        c(
            "old and new objects with different names",
            "review --old {file} --new {other}",
            "wgguard review: --old {file} is FelixConfiguration \"default\" but --new {other} is"
                + " \"node.worker1\"; an UPDATE keeps the name",
            ON,
            ON.replace("name: default", "name: node.worker1")),
        c(
            "--old and --new both from standard input",
            "review --old - --new -",
            "wgguard review: --old and --new cannot both read standard input"),

        // review options and settings.
        c(
            "a requester given for an AdmissionReview, which carries its own",
            "review --user alice {file}",
            "wgguard review: --user, --group, --v3 and --dry-run apply to --old/--new only; an"
                + " AdmissionReview carries its own",
            "{}"),
        c(
            "AdmissionReview files and --old together",
            "review {file} --old {other}",
            "wgguard review: give either AdmissionReview FILEs or --old/--new, not both ({file})",
            "{}",
            ON),
        c(
            "--old without its file",
            "review --old",
            List.of(
                "wgguard review: Missing required parameter for option '--old' (FILE)",
                REVIEW_HELP)),
        c(
            "an unknown option",
            "review --approve {file}",
            List.of("wgguard review: Unknown option: '--approve'", REVIEW_HELP),
            "{}"),
        c(
            "an enforcement mode that does not exist",
            "review --set wgguard.admission.mode=strict --new {file}",
            "wgguard review: bad setting: wgguard.admission.mode=\"strict\" is not valid: Cannot"
                + " convert strict; allowed values: warn,enforce",
            ON),
        c(
            "an override window that is not a duration",
            "review --set wgguard.override.max-window=soon --new {file}",
            "wgguard review: bad setting: wgguard.override.max-window=\"soon\" is not valid:"
                + " Invalid duration: soon",
            ON),
        c(
            "a ticket pattern that does not compile",
            "review --set wgguard.override.ticket-pattern=[A-Z --new {file}",
            "wgguard review: bad setting: wgguard.override.ticket-pattern is not a valid regular"
                + " expression: Unclosed character class",
            ON),
        c(
            "a Quarkus property, which offline commands do not read",
            "review --set quarkus.http.port=1 --new {file}",
            "wgguard review: --set quarkus.http.port: only wgguard.* properties apply to offline"
                + " commands",
            ON),
        c(
            "a --set without a value",
            "review --set wgguard.admission.mode --new {file}",
            "wgguard review: --set wgguard.admission.mode: expected NAME=VALUE, e.g."
                + " wgguard.admission.mode=warn",
            ON));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void badInput(
      String sentence, String args, List<String> err, List<String> contents, @TempDir Path dir)
      throws IOException {
    String file = place(dir, "input.yaml", contents.isEmpty() ? null : contents.get(0));
    String other = place(dir, "other.yaml", contents.size() < 2 ? null : contents.get(1));
    String[] argv =
        Arrays.stream(args.split(" "))
            .map(
                a ->
                    a.replace("{file}", file)
                        .replace("{other}", other)
                        .replace("{dir}", dir.toString()))
            .toArray(String[]::new);

    CliRun run = CliRun.run(argv);

    assertThat(run.errLines())
        .containsExactlyElementsOf(
            err.stream()
                .map(
                    l ->
                        l.replace("{file}", file)
                            .replace("{other}", other)
                            .replace("{dir}", dir.toString()))
                .toList());
    assertThat(run.out()).isEmpty();
    assertThat(run.code()).isEqualTo(Cli.EXIT_BAD_INPUT);
  }

  @Test
  void aBadFileAmongGoodOnesIsReportedAndTheOthersAreStillJudged() {
    CliRun run =
        CliRun.run(
            "review",
            "examples/review/update-default-enable.json",
            "examples/review/no-such-review.json",
            "examples/review/update-default-disable.json");

    assertThat(run.errLines())
        .containsExactly("wgguard review: examples/review/no-such-review.json: no such file");
    assertThat(run.outLines())
        .containsSubsequence(
            "examples/review/update-default-enable.json",
            "  decision: allowed",
            "examples/review/update-default-disable.json",
            "  decision: denied");
    assertThat(run.code()).isEqualTo(Cli.EXIT_BAD_INPUT);
  }

  @Test
  void bytesThatAreNotUtf8TextAreBadInput(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("latin1.yaml");
    Files.write(file, new byte[] {'k', 'i', 'n', 'd', ':', ' ', (byte) 0xff, (byte) 0xfe, '\n'});

    CliRun run = CliRun.run("audit", file.toString());

    assertThat(run.errLines())
        .containsExactly(
            "wgguard audit: " + file + " is not valid YAML (line 1, column 1: not UTF-8 text)");
    assertThat(run.code()).isEqualTo(Cli.EXIT_BAD_INPUT);
  }

  @Test
  void auditWithoutAFileOnATerminalAsksForOneInsteadOfWaiting() {
    CliRun run = CliRun.interactive("audit");

    assertThat(run.errLines())
        .containsExactly(
            "wgguard audit: no FILE given and standard input is a terminal; name a dump file, or"
                + " pipe one in: kubectl get nodes,felixconfigurations.crd.projectcalico.org -o"
                + " yaml | java -jar quarkus-run.jar audit -");
    assertThat(run.code()).isEqualTo(Cli.EXIT_BAD_INPUT);
  }

  private static String place(Path dir, String name, String content) throws IOException {
    Path path = dir.resolve(name);
    if (content != null) {
      Files.writeString(path, content);
    }
    return path.toString();
  }
}
