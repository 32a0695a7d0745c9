package io.wgguard.status;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wgguard.Names;
import io.wgguard.evidence.AgentLease;
import io.wgguard.evidence.NodeVerdict;
import io.wgguard.tunnels.TunnelEvidence;
import io.wgguard.tunnels.TunnelReport;
import java.time.Duration;
import java.time.Instant;

/**
 * One node's row of a JSON report, the same in {@code GET /status} and {@code audit --output json}
 * so that a script reads both alike.
 */
public final class NodeRows {

  private NodeRows() {}

  /**
   * Adds {@code name}, {@code ready}, {@code reason}, {@code exempt}, {@code exemption}, {@code
   * families}, {@code keyFingerprints}, {@code tainted}, {@code taints} and {@code findings} to
   * {@code row}.
   */
  public static ObjectNode write(ObjectNode row, NodeVerdict verdict) {
    row.put("name", verdict.name());
    row.put("ready", verdict.ready());
    row.put("reason", verdict.reason() == null ? null : verdict.reason().wire());
    row.put("exempt", verdict.exempt());
    // What grants the exemption, or why a claim to one is not honoured.
    row.put("exemption", verdict.exemption().isEmpty() ? null : verdict.exemption());
    ArrayNode families = row.putArray("families");
    verdict.families().forEach(f -> families.add(f.label()));
    ObjectNode keys = row.putObject("keyFingerprints");
    verdict
        .keyFingerprints()
        .forEach((family, fingerprint) -> keys.put(family.label(), fingerprint));
    row.put("tainted", verdict.tainted());
    ArrayNode taints = row.putArray("taints");
    verdict.taints().forEach(t -> taints.add(t.describe()));
    ArrayNode findings = row.putArray("findings");
    verdict.findings().forEach(f -> findings.add(f.detail()));
    return row;
  }

  /**
   * The row of {@link #write(ObjectNode, NodeVerdict)} and, when the tunnel cross-check judged the
   * node, {@code tunnels}: {@code source}, {@code at}, {@code pairsExpected}, {@code pairsHealthy},
   * {@code reasons} and {@code findings}.
   */
  public static ObjectNode write(ObjectNode row, NodeVerdict verdict, TunnelReport report) {
    write(row, verdict);
    TunnelReport.NodeTunnels tunnels = report.nodes().get(verdict.name());
    if (tunnels != null) {
      ObjectNode node = row.putObject("tunnels");
      node.put("source", tunnels.source());
      node.put("at", tunnels.at() == null ? null : tunnels.at().toString());
      node.put("pairsExpected", tunnels.expectedPairs());
      node.put("pairsHealthy", tunnels.healthyPairs());
      ArrayNode reasons = node.putArray("reasons");
      tunnels.findings().stream().map(f -> f.reason().wire()).distinct().forEach(reasons::add);
      ArrayNode details = node.putArray("findings");
      tunnels.findings().forEach(f -> details.add(f.detail()));
    }
    return row;
  }

  /**
   * Adds {@code agent} to {@code row} when the node has an agent Lease or a tunnel summary: the
   * Lease's {@code lease} (name), {@code renewTime}, {@code leaseDurationSeconds}, {@code
   * leaseAgeSeconds} and {@code silent} (expired), and the summary's {@code summaryAt} and {@code
   * summaryAgeSeconds}; ages as of {@code at}, the pass. The Node is written on change and every
   * few minutes, so an old summary of a live agent is a quiet node, not a silent one.
   */
  public static ObjectNode agent(
      ObjectNode row, String node, AgentLease lease, Instant summaryAt, Instant at) {
    if (lease == null && summaryAt == null) {
      return row;
    }
    ObjectNode agent = row.putObject("agent");
    if (lease != null) {
      agent.put("lease", Names.agentLeaseName(node));
      agent.put("renewTime", lease.renewTime() == null ? null : lease.renewTime().toString());
      agent.put("leaseDurationSeconds", lease.duration().toSeconds());
      if (lease.renewTime() != null) {
        agent.put("leaseAgeSeconds", Duration.between(lease.renewTime(), at).toSeconds());
      }
      agent.put("silent", lease.expired(at));
    }
    if (summaryAt != null) {
      agent.put("summaryAt", summaryAt.toString());
      agent.put("summaryAgeSeconds", Duration.between(summaryAt, at).toSeconds());
    }
    return row;
  }

  /**
   * The cluster's tunnel figures: {@code collected}, {@code evidence} ({@code report} or {@code
   * enforce}), {@code coverage}, {@code pairsExpected}, {@code pairsHealthy} and, per reason, the
   * number of nodes.
   */
  public static ObjectNode tunnels(ObjectNode node, TunnelReport report, TunnelEvidence evidence) {
    node.put("collected", report.collected());
    node.put("evidence", evidence.name().toLowerCase(java.util.Locale.ROOT));
    node.put("coverage", report.coverage());
    node.put("pairsExpected", report.expectedPairs());
    node.put("pairsHealthy", report.healthyPairs());
    ObjectNode reasons = node.putObject("nodesByReason");
    report.notReady().forEach((reason, names) -> reasons.put(reason.wire(), names.size()));
    return node;
  }
}
