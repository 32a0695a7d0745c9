package io.wgguard.readiness;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One node's row of a JSON report, the same in {@code GET /status} and {@code audit --output json}
 * so that a script reads both alike.
 */
public final class NodeRows {

  private NodeRows() {}

  /**
   * Adds {@code name}, {@code ready}, {@code reason}, {@code exempt}, {@code families}, {@code
   * keyFingerprints}, {@code tainted}, {@code taints} and {@code findings} to {@code row}.
   */
  public static ObjectNode write(ObjectNode row, NodeVerdict verdict) {
    row.put("name", verdict.name());
    row.put("ready", verdict.ready());
    row.put("reason", verdict.reason() == null ? null : verdict.reason().wire());
    row.put("exempt", verdict.exempt());
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
}
