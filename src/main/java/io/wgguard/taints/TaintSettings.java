package io.wgguard.taints;

import io.wgguard.Durations;
import io.wgguard.evidence.TaintEffect;
import java.time.Duration;

/**
 * What taint planning ({@link TaintPlanner}) and the {@link RemovalGuard} need from configuration.
 *
 * @param effect the effect of wgguard's taint
 * @param brakeFraction the safety brake engages when more than this fraction of non-exempt nodes
 *     would be tainted, and a removal of more than this fraction of the tainted nodes waits for a
 *     confirming pass; in (0, 1], 1 switches the brake off
 * @param removalConfirmDelay how long a mass removal must keep being planned before it is written
 */
public record TaintSettings(
    TaintEffect effect, double brakeFraction, Duration removalConfirmDelay) {

  /** Default taint effect, as the configuration spells it. */
  public static final String DEFAULT_EFFECT_SETTING = "NoSchedule";

  /** Default safety-brake fraction, as the configuration spells it. */
  public static final String DEFAULT_BRAKE_FRACTION_SETTING = "0.5";

  /** Default wait before a mass removal is written, as the configuration spells it. */
  public static final String DEFAULT_REMOVAL_CONFIRM_DELAY_SETTING = "5s";

  /** Default safety-brake fraction. */
  public static final double DEFAULT_BRAKE_FRACTION =
      Double.parseDouble(DEFAULT_BRAKE_FRACTION_SETTING);

  /** Default wait before a mass removal is written. */
  public static final Duration DEFAULT_REMOVAL_CONFIRM_DELAY =
      Durations.parse(DEFAULT_REMOVAL_CONFIRM_DELAY_SETTING);

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException naming the setting that is out of range
   */
  public TaintSettings {
    if (effect == null) {
      throw new IllegalArgumentException("taint effect must be NoSchedule or NoExecute");
    }
    if (!(brakeFraction > 0 && brakeFraction <= 1)) {
      throw new IllegalArgumentException(
          "safety-brake fraction must be more than 0 and at most 1, not " + brakeFraction);
    }
    if (removalConfirmDelay == null || removalConfirmDelay.isNegative()) {
      throw new IllegalArgumentException("removal confirmation delay must not be negative");
    }
  }

  /** NoSchedule, the brake at one half, mass removals confirmed after the default delay. */
  public static TaintSettings defaults() {
    return new TaintSettings(
        TaintEffect.fromWire(DEFAULT_EFFECT_SETTING),
        DEFAULT_BRAKE_FRACTION,
        DEFAULT_REMOVAL_CONFIRM_DELAY);
  }
}
