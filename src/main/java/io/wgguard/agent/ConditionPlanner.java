package io.wgguard.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Decides whether the agent writes the {@code WireGuardModuleReady} condition: on a change of
 * status, reason or message, or when the heartbeat is due; otherwise it writes nothing.
 */
public final class ConditionPlanner {

  /**
   * A {@code WireGuardModuleReady} condition.
   *
   * @param status True or False
   * @param reason why
   * @param message a sentence
   * @param lastHeartbeatTime when last confirmed
   * @param lastTransitionTime when the status last changed
   */
  public record Condition(
      String status,
      String reason,
      String message,
      Instant lastHeartbeatTime,
      Instant lastTransitionTime) {}

  private ConditionPlanner() {}

  /** Whether the condition's status, reason or message differs from what the probe shows. */
  public static boolean changed(Condition current, ModuleProbe.Result probe) {
    return current == null
        || !(probe.ready() ? "True" : "False").equals(current.status())
        || !probe.reason().equals(current.reason())
        || !probe.message().equals(current.message());
  }

  /** The condition to write now, or empty when the current one stands. */
  public static Optional<Condition> next(
      Condition current, ModuleProbe.Result probe, Instant now, Duration heartbeat) {
    String status = probe.ready() ? "True" : "False";
    boolean statusChanged = current == null || !status.equals(current.status());
    boolean changed =
        statusChanged
            || !probe.reason().equals(current.reason())
            || !probe.message().equals(current.message());
    boolean due =
        current == null
            || current.lastHeartbeatTime() == null
            || !current.lastHeartbeatTime().plus(heartbeat).isAfter(now);
    if (!changed && !due) {
      return Optional.empty();
    }
    Instant transition =
        statusChanged || current.lastTransitionTime() == null ? now : current.lastTransitionTime();
    return Optional.of(new Condition(status, probe.reason(), probe.message(), now, transition));
  }
}
