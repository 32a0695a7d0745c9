package io.wgguard.evidence;

import io.wgguard.Durations;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * What the node evidence stage ({@link NodeReadinessPolicy}) needs from configuration, as plain
 * values.
 *
 * @param exemptSelector nodes it matches are exempt (besides label {@code wgguard.io/exempt=true});
 *     {@link EqualitySelector#none()} exempts no node
 * @param moduleSources evidence of a ready WireGuard module; all must hold (empty: none required)
 * @param moduleLabel key of the node label for {@link ModuleSource#LABEL}; blank when unused
 * @param moduleLabelValue the value that label must have; empty means any value
 * @param conditionMaxAge how old the heartbeat of {@code WireGuardModuleReady} (and the agent's
 *     tunnel summary) may be
 * @param requireInterfaceAddress whether the interface address annotation is evidence: Felix
 *     publishes it only when Calico manages IPAM
 */
public record EvidenceSettings(
    EqualitySelector exemptSelector,
    Set<ModuleSource> moduleSources,
    String moduleLabel,
    Optional<String> moduleLabelValue,
    Duration conditionMaxAge,
    boolean requireInterfaceAddress) {

  /** Default maximum heartbeat age of the module condition, as the configuration spells it. */
  public static final String DEFAULT_CONDITION_MAX_AGE_SETTING = "15m";

  /**
   * Default maximum heartbeat age of the module condition and the tunnel summary: the agent writes
   * them on change and every 5 to 6 minutes; its liveness is its Lease.
   */
  public static final Duration DEFAULT_CONDITION_MAX_AGE =
      Durations.parse(DEFAULT_CONDITION_MAX_AGE_SETTING);

  /** Default module evidence, as the configuration spells it. */
  public static final String DEFAULT_MODULE_SOURCES_SETTING = "key";

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException naming the setting that is out of range
   */
  public EvidenceSettings {
    if (exemptSelector == null) {
      exemptSelector = EqualitySelector.none();
    }
    moduleSources = moduleSources.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(moduleSources));
    moduleLabel = moduleLabel == null ? "" : moduleLabel.strip();
    moduleLabelValue = moduleLabelValue == null ? Optional.empty() : moduleLabelValue;
    if (moduleSources.contains(ModuleSource.LABEL) && moduleLabel.isEmpty()) {
      throw new IllegalArgumentException(
          "module readiness source 'label' needs the module label key to be set");
    }
    if (conditionMaxAge == null || conditionMaxAge.isNegative() || conditionMaxAge.isZero()) {
      throw new IllegalArgumentException("condition max heartbeat age must be positive");
    }
  }

  /**
   * The built-in defaults: no exempt selector (exemption by an admin's label, see {@link
   * Exemption}), key evidence, interface address required.
   */
  public static EvidenceSettings defaults() {
    return new EvidenceSettings(
        EqualitySelector.none(),
        Set.of(ModuleSource.fromWire(DEFAULT_MODULE_SOURCES_SETTING)),
        "",
        Optional.empty(),
        DEFAULT_CONDITION_MAX_AGE,
        true);
  }
}
