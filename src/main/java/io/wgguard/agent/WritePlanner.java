package io.wgguard.agent;

import io.wgguard.tunnels.summary.TunnelSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Decides when the node agent writes its Node ({@code nodes/status}: the condition {@code
 * WireGuardModuleReady} and the annotation {@code wgguard.io/tunnels} in one patch). Pure: the
 * agent's reading and what the Node shows in, a plan out, the time a parameter.
 *
 * <p>The agent's liveness is its Lease ({@link AgentLease}), renewed every few tens of seconds; the
 * Node is written only when what it says changes, and once per forced report so that a checker or a
 * person reading the Node alone still sees a recent time. This is the cadence Kubernetes gave the
 * kubelet (KEP-589, "efficient node heartbeats": a Lease renewed every 10 s, the Node status every
 * 5 minutes or on change) and Node Problem Detector its conditions. Each Node write goes to etcd
 * whole and to every Node watcher of the cluster; at 65,000 nodes a write a minute per node was
 * 1,083 Node writes a second.
 *
 * <ul>
 *   <li>The first write, and any change of the condition's status, reason or message, or of the
 *       tunnel summary's state ({@link TunnelSummary#sameState}: keys, devices, stale peers; the
 *       reading time and moving handshakes are no change), are written at once.
 *   <li>A change of the peer sets alone (peers joining or leaving: another node joined or left the
 *       cluster, which changes every node's peers at the same moment) waits a spread of up to
 *       {@link Cadence#changeSpread()}, drawn per node, so that one node joining does not cost the
 *       API server every node's write in the same second.
 *   <li>Otherwise the Node is written when the forced report is due: {@link
 *       Cadence#reportInterval()} after the last write, plus a jitter in [0, {@link
 *       Cadence#reportJitter()}) drawn per node and per write, so that agents restarted together
 *       (an API server outage, a rollout) do not stay in step. The mean interval is at least the
 *       report interval: at most 3600 / interval writes per idle node per hour.
 * </ul>
 */
public final class WritePlanner {

  /**
   * How often an idle node is written.
   *
   * @param reportInterval the least time between two forced reports
   * @param reportJitter the forced report comes up to this much later, drawn per node and write
   * @param changeSpread a change of the peer sets alone waits up to this much, drawn per node
   */
  public record Cadence(Duration reportInterval, Duration reportJitter, Duration changeSpread) {

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException naming the setting out of range
     */
    public Cadence {
      if (reportInterval == null || reportInterval.isNegative() || reportInterval.isZero()) {
        throw new IllegalArgumentException(
            "the report interval must be positive, not %s".formatted(reportInterval));
      }
      if (reportJitter == null
          || reportJitter.isNegative()
          || reportJitter.compareTo(reportInterval) > 0) {
        throw new IllegalArgumentException(
            "the report jitter must be between 0 and the report interval (%s), not %s"
                .formatted(reportInterval, reportJitter));
      }
      if (changeSpread == null
          || changeSpread.isNegative()
          || changeSpread.compareTo(reportInterval) > 0) {
        throw new IllegalArgumentException(
            "the change spread must be between 0 and the report interval (%s), not %s"
                .formatted(reportInterval, changeSpread));
      }
    }

    /** The longest time between two writes of an idle node. */
    public Duration longestSilence() {
      return reportInterval.plus(reportJitter);
    }
  }

  /** Why the Node is written. */
  public enum Why {
    /** The Node has no condition of the agent's yet (or one without times). */
    FIRST,
    /** The condition's status, reason or message changed. */
    CONDITION_CHANGED,
    /** The tunnel summary's state changed, or the published one is absent or unreadable. */
    SUMMARY_CHANGED,
    /** The peer sets changed, and this node's spread is over. */
    PEERS_CHANGED,
    /** Nothing changed, and the forced report is due. */
    FORCED_REPORT
  }

  /**
   * One round's inputs.
   *
   * @param node the node's name (draws the jitter)
   * @param published the condition the Node shows, null when none
   * @param annotation the annotation {@code wgguard.io/tunnels} the Node shows, null when none
   * @param probe what the host shows of the module
   * @param fresh the summary read now, null when the devices were not read this round (tunnel
   *     source {@code none}, FelixConfigurations not listed yet, a failed read): the annotation is
   *     then neither judged nor written
   * @param pendingSince when a peer-set change not yet written was first seen ({@link
   *     Plan#pendingSince()} of the previous round), null when none
   */
  public record Round(
      String node,
      ConditionPlanner.Condition published,
      String annotation,
      ModuleProbe.Result probe,
      TunnelSummary fresh,
      Instant pendingSince) {}

  /**
   * The plan.
   *
   * @param write why the Node is written now, empty when it is not
   * @param pendingSince what the next round passes as {@link Round#pendingSince()}
   * @param reportDue when the forced report is due, counted from the last write (null before the
   *     first)
   */
  public record Plan(Optional<Why> write, Instant pendingSince, Instant reportDue) {}

  private WritePlanner() {}

  /** Whether and why to write the Node now. */
  public static Plan plan(Round round, Instant now, Cadence cadence) {
    ConditionPlanner.Condition published = round.published();
    if (published == null || published.lastHeartbeatTime() == null) {
      return new Plan(Optional.of(Why.FIRST), null, null);
    }
    Instant lastWrite = published.lastHeartbeatTime();
    Optional<Why> change =
        ConditionPlanner.changed(published, round.probe())
            ? Optional.of(Why.CONDITION_CHANGED)
            : Optional.empty();
    Instant pending = null;
    if (round.fresh() != null) {
      TunnelSummary before = parse(round.annotation());
      if (before == null) {
        change = change.or(() -> Optional.of(Why.SUMMARY_CHANGED));
      } else {
        if (before.at().isBefore(lastWrite)) {
          lastWrite = before.at();
        }
        if (!before.sameState(round.fresh())) {
          if (!before.sameState(round.fresh().withPeerSetsOf(before))) {
            change = change.or(() -> Optional.of(Why.SUMMARY_CHANGED));
          } else {
            pending = round.pendingSince() == null ? now : round.pendingSince();
            Instant spreadOver =
                pending.plus(part(cadence.changeSpread(), round.node(), pending, 0x5bd1e995L));
            if (!now.isBefore(spreadOver)) {
              change = change.or(() -> Optional.of(Why.PEERS_CHANGED));
            }
          }
        }
      }
    }
    Instant due =
        lastWrite
            .plus(cadence.reportInterval())
            .plus(part(cadence.reportJitter(), round.node(), lastWrite, 0x9e3779b97f4a7c15L));
    if (change.isEmpty() && !now.isBefore(due)) {
      change = Optional.of(Why.FORCED_REPORT);
    }
    return new Plan(change, change.isPresent() ? null : pending, due);
  }

  /**
   * A part of {@code whole} in [0, whole), at millisecond resolution, drawn from the node's name
   * and a time: the same inputs give the same part (a plan is a function), another node or another
   * write another part.
   */
  static Duration part(Duration whole, String node, Instant at, long salt) {
    long millis = whole.toMillis();
    if (millis <= 0) {
      return Duration.ZERO;
    }
    long h = mix(node.hashCode() * 0xff51afd7ed558ccdL ^ at.toEpochMilli() ^ salt);
    double fraction = (h >>> 11) * 0x1.0p-53;
    return Duration.ofMillis((long) (fraction * millis));
  }

  // The finaliser of SplitMix64: every input bit changes about half the output bits.
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  private static TunnelSummary parse(String annotation) {
    if (annotation == null) {
      return null;
    }
    try {
      return TunnelSummary.parse(annotation);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
