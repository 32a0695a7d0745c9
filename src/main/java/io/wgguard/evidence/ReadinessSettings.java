package io.wgguard.evidence;

import io.wgguard.tunnels.TunnelEvidence;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * What the node readiness check and the taint planner need from configuration, as plain values.
 *
 * @param exemptSelector nodes it matches are exempt (besides label {@code wgguard.io/exempt=true});
 *     {@link EqualitySelector#none()} exempts no node
 * @param moduleSources evidence of a ready WireGuard module; all must hold (empty: none required)
 * @param moduleLabel key of the node label for {@link ModuleSource#LABEL}; blank when unused
 * @param moduleLabelValue the value that label must have; empty means any value
 * @param conditionMaxAge how old the heartbeat of {@code WireGuardModuleReady} may be
 * @param taintEffect the effect of wgguard's taint
 * @param brakeFraction the safety brake engages when more than this fraction of non-exempt nodes
 *     would be tainted; in (0, 1], 1 switches the brake off
 * @param requireInterfaceAddress whether the interface address annotation is evidence: Felix
 *     publishes it only when Calico manages IPAM
 * @param tunnelEvidence whether the tunnel cross-check only reports or also taints
 */
public record ReadinessSettings(
    EqualitySelector exemptSelector,
    Set<ModuleSource> moduleSources,
    String moduleLabel,
    Optional<String> moduleLabelValue,
    Duration conditionMaxAge,
    TaintEffect taintEffect,
    double brakeFraction,
    boolean requireInterfaceAddress,
    TunnelEvidence tunnelEvidence) {

  /** Default exemption: Windows nodes, which never publish a WireGuard key. */
  public static final String DEFAULT_EXEMPT_SELECTOR = "kubernetes.io/os=windows";

  /** Default maximum heartbeat age of the module condition. */
  public static final Duration DEFAULT_CONDITION_MAX_AGE = Duration.ofMinutes(15);

  /** Default safety-brake fraction. */
  public static final double DEFAULT_BRAKE_FRACTION = 0.5;

  /** Settings that require the interface address and only report tunnel findings, as by default. */
  public ReadinessSettings(
      EqualitySelector exemptSelector,
      Set<ModuleSource> moduleSources,
      String moduleLabel,
      Optional<String> moduleLabelValue,
      Duration conditionMaxAge,
      TaintEffect taintEffect,
      double brakeFraction) {
    this(
        exemptSelector,
        moduleSources,
        moduleLabel,
        moduleLabelValue,
        conditionMaxAge,
        taintEffect,
        brakeFraction,
        true,
        TunnelEvidence.REPORT);
  }

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException naming the setting that is out of range
   */
  public ReadinessSettings {
    if (exemptSelector == null) {
      exemptSelector = EqualitySelector.none();
    }
    moduleSources = moduleSources.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(moduleSources));
    moduleLabel = moduleLabel == null ? "" : moduleLabel.strip();
    if (moduleSources.contains(ModuleSource.LABEL) && moduleLabel.isEmpty()) {
      throw new IllegalArgumentException(
          "module readiness source 'label' needs the module label key to be set");
    }
    if (conditionMaxAge == null || conditionMaxAge.isNegative() || conditionMaxAge.isZero()) {
      throw new IllegalArgumentException("condition max heartbeat age must be positive");
    }
    if (taintEffect == null) {
      throw new IllegalArgumentException("taint effect must be NoSchedule or NoExecute");
    }
    if (tunnelEvidence == null) {
      tunnelEvidence = TunnelEvidence.REPORT;
    }
    if (!(brakeFraction > 0 && brakeFraction <= 1)) {
      throw new IllegalArgumentException(
          "safety-brake fraction must be more than 0 and at most 1, not " + brakeFraction);
    }
  }

  /** These settings with the tunnel findings reported or enforced. */
  public ReadinessSettings withTunnelEvidence(TunnelEvidence evidence) {
    return new ReadinessSettings(
        exemptSelector,
        moduleSources,
        moduleLabel,
        moduleLabelValue,
        conditionMaxAge,
        taintEffect,
        brakeFraction,
        requireInterfaceAddress,
        evidence);
  }

  /**
   * The built-in defaults: Windows exempt, key evidence, NoSchedule, brake at one half, tunnel
   * findings reported.
   */
  public static ReadinessSettings defaults() {
    return new ReadinessSettings(
        EqualitySelector.parse(DEFAULT_EXEMPT_SELECTOR),
        Set.of(ModuleSource.KEY),
        "",
        Optional.empty(),
        DEFAULT_CONDITION_MAX_AGE,
        TaintEffect.NO_SCHEDULE,
        DEFAULT_BRAKE_FRACTION);
  }
}
