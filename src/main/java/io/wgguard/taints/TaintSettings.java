package io.wgguard.taints;

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

  /** Default safety-brake fraction. */
  public static final double DEFAULT_BRAKE_FRACTION = 0.5;

  /** Default wait before a mass removal is written. */
  public static final Duration DEFAULT_REMOVAL_CONFIRM_DELAY = Duration.ofSeconds(5);

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
        TaintEffect.NO_SCHEDULE, DEFAULT_BRAKE_FRACTION, DEFAULT_REMOVAL_CONFIRM_DELAY);
  }
}
