package io.wgguard.pass;

import io.wgguard.evidence.EvidenceSettings;
import io.wgguard.guard.RegistrationSettings;
import io.wgguard.taints.TaintSettings;
import io.wgguard.tunnels.TunnelEvidence;

/**
 * Everything a {@link CheckerPass} needs from configuration: one record per stage.
 *
 * @param evidence what proves a node (the evidence stage)
 * @param tunnelEvidence whether the tunnel cross-check only reports or also makes nodes not ready
 * @param taints how nodes are tainted, the brake and the removal guard
 * @param registration what wgguard expects of its own webhook registrations (the guard stage)
 */
public record PassSettings(
    EvidenceSettings evidence,
    TunnelEvidence tunnelEvidence,
    TaintSettings taints,
    RegistrationSettings registration) {

  /** Settings without the guard stage (registrations not watched). */
  public PassSettings(
      EvidenceSettings evidence, TunnelEvidence tunnelEvidence, TaintSettings taints) {
    this(evidence, tunnelEvidence, taints, RegistrationSettings.off());
  }

  public PassSettings {
    if (evidence == null || taints == null) {
      throw new IllegalArgumentException("a pass needs evidence and taint settings");
    }
    tunnelEvidence = tunnelEvidence == null ? TunnelEvidence.REPORT : tunnelEvidence;
    registration = registration == null ? RegistrationSettings.off() : registration;
  }

  /** The built-in defaults of every stage, tunnel findings reported. */
  public static PassSettings defaults() {
    return new PassSettings(
        EvidenceSettings.defaults(), TunnelEvidence.REPORT, TaintSettings.defaults());
  }

  /** These settings with other evidence settings. */
  public PassSettings with(EvidenceSettings other) {
    return new PassSettings(other, tunnelEvidence, taints, registration);
  }

  /** These settings with the tunnel findings reported or enforced. */
  public PassSettings with(TunnelEvidence other) {
    return new PassSettings(evidence, other, taints, registration);
  }

  /** These settings with other taint settings. */
  public PassSettings with(TaintSettings other) {
    return new PassSettings(evidence, tunnelEvidence, other, registration);
  }
}
