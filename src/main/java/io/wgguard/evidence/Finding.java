package io.wgguard.evidence;

import io.wgguard.FieldPath;
import io.wgguard.felix.IpFamily;

/**
 * One thing that keeps a node from being WireGuard-ready.
 *
 * @param reason the taint value it maps to
 * @param family the IP family concerned, or null for node-wide evidence (condition, label)
 * @param field where on the Node the evidence is, e.g. {@code
 *     metadata.annotations[projectcalico.org/WireguardPublicKey]} or {@code
 *     status.conditions[WireGuardModuleReady]}
 * @param detail a sentence for people, naming the annotation, condition or label and the evidence
 */
public record Finding(NotReadyReason reason, IpFamily family, String field, String detail) {

  /** Path of a node annotation, e.g. {@code metadata.annotations[projectcalico.org/...]}. */
  public static String annotation(String key) {
    return FieldPath.annotation(key);
  }

  /** Path of a node label. */
  static String label(String key) {
    return FieldPath.label(key);
  }

  /**
   * Path of the node agent's Lease, which is not on the Node: {@code
   * lease[wgguard-agent-<node>].spec.renewTime}.
   */
  public static String agentLease(String node) {
    return "lease[" + io.wgguard.Names.agentLeaseName(node) + "].spec.renewTime";
  }

  /** Path of a node condition. */
  static String condition(String type) {
    return FieldPath.condition(type);
  }
}
