package io.wgguard.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wgguard.Messages;
import io.wgguard.evidence.NodeFacts;
import io.wgguard.evidence.NodeState;
import io.wgguard.evidence.NodeVerdict;
import io.wgguard.felix.EffectiveSetting;
import io.wgguard.felix.IpFamily;
import io.wgguard.pass.PassResult;
import io.wgguard.status.CheckerStatus;
import io.wgguard.status.NodeRows;
import io.wgguard.status.StatusDocument;
import io.wgguard.taints.Posture;
import io.wgguard.taints.TaintChange;
import io.wgguard.taints.TaintPlan;
import io.wgguard.tunnels.ClusterAssessment;
import io.wgguard.tunnels.TunnelEvidence;
import io.wgguard.tunnels.TunnelReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The outcome of {@code audit}: the readiness assessment and the taint plan of a cluster dump, as a
 * text report for people or as a JSON document for tools. The JSON uses the field names of the
 * service's {@code GET /status} where they overlap.
 *
 * @param source the dump as named on the command line
 * @param dump what was read
 * @param pass the checker pass on it, as the service runs it
 * @param tunnelEvidence whether tunnel findings are only reported or enforced
 */
record AuditReport(
    String source, ClusterDump dump, PassResult pass, TunnelEvidence tunnelEvidence) {

  /** Version of the JSON document's shape; raised only when a field changes meaning or goes. */
  static final int JSON_SCHEMA = 1;

  /** Column headers of the node table. */
  static final List<String> HEADERS =
      List.of(
          "NAME",
          "READY",
          "REASON",
          "FAMILIES",
          "PUBLIC-KEY",
          "INTERFACE-ADDRESS",
          "TAINTED",
          "EXEMPT");

  private static final String NONE = "-";
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(SerializationFeature.INDENT_OUTPUT)
          // Key fingerprints end in an ellipsis; escaped, the document is ASCII on any terminal.
          .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
          .build();

  /** The verdict per node and the tunnel report. */
  ClusterAssessment assessment() {
    return pass.assessment();
  }

  /** The posture and what the checker would change. */
  TaintPlan plan() {
    return pass.plan();
  }

  /** The instant the pass was run for. */
  Instant at() {
    return pass.at();
  }

  /** The pass as {@code /status} publishes it; offline, nobody writes. */
  private CheckerStatus status() {
    return CheckerStatus.of(pass, false, true);
  }

  /** True when WireGuard is on cluster-wide and every node is ready (or exempt). */
  boolean healthy() {
    return plan().posture() == Posture.HEALTHY;
  }

  /** The text report. */
  String text() {
    StringBuilder out = new StringBuilder();
    Map<String, NodeFacts> facts = factsByName();
    out.append("audit of ")
        .append(source)
        .append(": ")
        .append(count(dump.nodes().size(), "node"))
        .append(", ")
        .append(count(dump.felix().size(), "FelixConfiguration"))
        .append(dump.felixApiVersion().isEmpty() ? "" : " (" + dump.felixApiVersion() + ")")
        .append('\n');
    out.append("posture: ")
        .append(plan().posture())
        .append(" (")
        .append(meaning(plan().posture()))
        .append(")\n");
    out.append("wireguard: ")
        .append(
            assessment().cluster().values().stream()
                .map(EffectiveSetting::describe)
                .collect(Collectors.joining("; ")))
        .append('\n');
    out.append("nodes: ")
        .append(plan().counts().get(NodeState.READY))
        .append(" ready, ")
        .append(plan().counts().get(NodeState.EXEMPT))
        .append(" exempt, ")
        .append(plan().counts().get(NodeState.NOT_READY))
        .append(" not ready\n");
    TunnelReport tunnels = assessment().tunnels();
    if (tunnels.collected()) {
      out.append("tunnels: ")
          .append(
              String.format(
                  Locale.ROOT,
                  "mesh coverage %.1f%% (%d of %d node pairs proven), %s",
                  tunnels.coverage() * 100,
                  tunnels.healthyPairs(),
                  tunnels.expectedPairs(),
                  tunnelEvidence == TunnelEvidence.ENFORCE
                      ? "findings taint (tunnel-evidence enforce)"
                      : "findings reported, not tainted (tunnel-evidence report)"))
          .append('\n');
    }
    if (plan().brakeEngaged()) {
      out.append("held back by the safety brake: ")
          .append(Messages.names(plan().withheld()))
          .append('\n');
    }
    if (!pass.removal().held().isEmpty()) {
      out.append("removal guard: ").append(pass.removal().held()).append('\n');
    }
    out.append('\n');
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADERS);
    for (NodeVerdict verdict : assessment().verdicts()) {
      rows.add(row(verdict, facts.get(verdict.name())));
    }
    table(rows, out);

    List<String> findings = new ArrayList<>();
    for (NodeVerdict verdict : assessment().verdicts()) {
      verdict.findings().forEach(f -> findings.add(verdict.name() + ": " + f.detail()));
    }
    section("findings", findings, out);
    List<String> exemptions = new ArrayList<>();
    for (NodeVerdict verdict : assessment().verdicts()) {
      if (!verdict.exemption().isEmpty()) {
        exemptions.add(
            verdict.name() + (verdict.exempt() ? ": exempt by " : ": ") + verdict.exemption());
      }
    }
    section("exemptions", exemptions, out);
    List<String> tunnelFindings = new ArrayList<>();
    for (NodeVerdict verdict : assessment().verdicts()) {
      tunnels
          .findings(verdict.name())
          .forEach(
              f ->
                  tunnelFindings.add(
                      verdict.name() + ": " + f.reason().wire() + ": " + f.detail()));
    }
    section("tunnel findings", tunnelFindings, out);
    section(
        "taint changes the checker would make",
        plan().changes().stream().map(TaintChange::describe).toList(),
        out);
    section(
        "standing overrides",
        pass.overrides().stream()
            .map(
                o ->
                    "%s: %s (%s%s): %s"
                        .formatted(
                            o.object(),
                            o.ticket(),
                            o.stale() ? "stale" : "active",
                            o.expires().isEmpty() ? "" : ", expires " + o.expires(),
                            o.why()))
            .toList(),
        out);
    section(
        "left WireGuard since the previous dump",
        pass.departures().stream().map(d -> d.node() + ": " + d.detail()).toList(),
        out);
    List<String> notes = new ArrayList<>(dump.notes());
    notes.addAll(StatusDocument.problems(status()));
    section("notes", notes, out);
    return out.toString();
  }

  /** The JSON document. */
  String json() {
    ObjectNode root = JSON.createObjectNode();
    Map<String, NodeFacts> facts = factsByName();
    root.put("schema", JSON_SCHEMA);
    root.put("source", source);
    root.put("assessedAt", at().toString());
    root.put("posture", plan().posture().name());
    root.put("healthy", healthy());
    root.put("summary", plan().summary());
    StatusDocument.write(root, status(), tunnelEvidence);
    ObjectNode wireguard = root.putObject("wireguard");
    assessment()
        .cluster()
        .forEach(
            (family, setting) -> {
              ObjectNode entry = wireguard.putObject(family.label());
              entry.put("enabled", setting.enabled());
              entry.put("level", setting.level().name());
              entry.put("object", setting.object());
              entry.put("source", setting.source());
            });
    strings(root.putArray("notes"), dump.notes());
    StatusDocument.departures(root.putArray("departures"), pass.departures());
    ArrayNode nodes = root.putArray("nodes");
    for (NodeVerdict verdict : assessment().verdicts()) {
      ObjectNode row = NodeRows.write(nodes.addObject(), verdict, assessment().tunnels());
      ObjectNode addresses = row.putObject("interfaceAddresses");
      addresses(facts.get(verdict.name())).forEach((family, a) -> addresses.put(family.label(), a));
    }
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode the audit document", e);
    }
  }

  /** What a posture means for the traffic, for the text report. */
  static String meaning(Posture posture) {
    return switch (posture) {
      case HEALTHY -> "WireGuard is on cluster-wide and every node is ready";
      case WIREGUARD_OFF -> "WireGuard is not enabled cluster-wide: pod traffic is not encrypted";
      case NODES_NOT_READY ->
          "Calico sends traffic to and from nodes that are not ready unencrypted;"
              + " the checker taints them";
      case DEGRADED ->
          "more nodes are not ready than the safety brake allows: the checker adds no new taint";
    };
  }

  private Map<String, NodeFacts> factsByName() {
    return dump.nodes().stream().collect(Collectors.toMap(NodeFacts::name, n -> n));
  }

  private static List<String> row(NodeVerdict verdict, NodeFacts facts) {
    return List.of(
        verdict.name(),
        yesNo(verdict.ready()),
        verdict.reason() == null ? NONE : verdict.reason().wire(),
        joined(verdict.families().stream().map(IpFamily::label).toList(), ","),
        joined(verdict.keyFingerprints().values(), " "),
        joined(addresses(facts).values(), " "),
        yesNo(verdict.tainted()),
        yesNo(verdict.exempt()));
  }

  /** The interface address annotations of a node, per family that has one. */
  private static Map<IpFamily, String> addresses(NodeFacts facts) {
    Map<IpFamily, String> addresses = new EnumMap<>(IpFamily.class);
    for (IpFamily family : IpFamily.values()) {
      String address = facts.annotations().get(family.addressAnnotation());
      if (address != null && !address.isEmpty()) {
        addresses.put(family, Messages.clip(address));
      }
    }
    return addresses;
  }

  private static void table(List<List<String>> rows, StringBuilder out) {
    int[] widths = new int[HEADERS.size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(row.get(i));
        if (i < row.size() - 1) {
          line.append(" ".repeat(widths[i] - row.get(i).length() + 2));
        }
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
  }

  private static void section(String title, List<String> lines, StringBuilder out) {
    if (lines.isEmpty()) {
      return;
    }
    out.append('\n').append(title).append(":\n");
    lines.forEach(line -> out.append("  ").append(line).append('\n'));
  }

  private static void strings(ArrayNode array, Collection<String> values) {
    values.forEach(array::add);
  }

  private static String joined(Collection<String> values, String separator) {
    return values.isEmpty() ? NONE : String.join(separator, values);
  }

  private static String yesNo(boolean value) {
    return value ? "yes" : "no";
  }

  private static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
