package io.wgguard.pass;

import io.wgguard.felix.EffectiveWireguard;
import io.wgguard.guard.RegistrationReport;
import io.wgguard.taints.Posture;
import io.wgguard.taints.RemovalGuard;
import io.wgguard.taints.TaintPlan;
import io.wgguard.tunnels.ClusterAssessment;
import io.wgguard.tunnels.TunnelReport;
import java.time.Instant;
import java.util.List;

/**
 * Everything one {@link CheckerPass} concludes; the reconciler publishes and writes it, {@code
 * audit} prints it, the benchmarks time it.
 *
 * @param snapshot what the pass read
 * @param at when it ran
 * @param wireguard Felix's WireGuard settings per node, calico-node's environment layered on top
 * @param assessment the verdicts (tunnel findings included when enforced) and the tunnel report
 * @param plan the taint changes and the posture
 * @param removal what of the plan may be written now (the removal guard)
 * @param departures nodes that left WireGuard since the previous pass
 * @param overrides FelixConfigurations carrying an override label
 * @param forcedOffByEnvironment how many (DaemonSet, family) pairs calico-node's environment forces
 *     off
 * @param next what this pass leaves for the next one, when its changes are written
 * @param unexplained departures by a FelixConfiguration or calico-node change no fresh override
 *     explains
 * @param registration what wgguard's own webhook registrations look like, and the restores planned
 */
public record PassResult(
    ClusterSnapshot snapshot,
    Instant at,
    EffectiveWireguard wireguard,
    ClusterAssessment assessment,
    TaintPlan plan,
    RemovalGuard.Decision removal,
    List<Departure> departures,
    List<StandingOverride> overrides,
    int forcedOffByEnvironment,
    PreviousPass next,
    List<SwitchOffTrace.Unexplained> unexplained,
    RegistrationReport registration) {

  public PassResult {
    unexplained = List.copyOf(unexplained);
    departures = List.copyOf(departures);
    overrides = List.copyOf(overrides);
  }

  /** The cluster's posture. */
  public Posture posture() {
    return plan.posture();
  }

  /** The tunnel cross-check. */
  public TunnelReport tunnels() {
    return assessment.tunnels();
  }

  /**
   * What the next pass starts from when this one's changes were {@code written} or not: a mass
   * removal only waits for confirmation when the writer is the one waiting.
   */
  public PreviousPass next(boolean written) {
    return written && !plan.noChange() ? next : next.withoutWaitingRemoval();
  }
}
