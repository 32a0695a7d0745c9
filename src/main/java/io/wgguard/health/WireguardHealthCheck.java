package io.wgguard.health;

import io.smallrye.health.api.HealthGroup;
import io.wgguard.Messages;
import io.wgguard.Names;
import io.wgguard.evidence.NodeState;
import io.wgguard.guard.RegistrationMode;
import io.wgguard.guard.RegistrationReport;
import io.wgguard.status.CheckerStatus;
import io.wgguard.status.CheckerView;
import io.wgguard.taints.Posture;
import io.wgguard.taints.TaintPlan;
import io.wgguard.tunnels.TunnelReport;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * The cluster's WireGuard posture ({@code /q/health/group/wireguard}): UP only when WireGuard is on
 * cluster-wide, every non-exempt node is ready and the checker's view has no fault (an API lost, a
 * watch down: data {@code faults}); its data also gives the tunnel cross-check's coverage and, per
 * tunnel reason, node names (reported; they count against UP only when enforced, through the
 * verdicts), and wgguard's own webhook registrations in place (data {@code guard}: what is gone or
 * changed, or under break-glass). Kept out of liveness and readiness on purpose: a cluster problem
 * must page someone, not restart wgguard.
 */
@HealthGroup("wireguard")
@ApplicationScoped
public class WireguardHealthCheck implements HealthCheck {

  private final CheckerView reconciler;

  public WireguardHealthCheck(CheckerView reconciler) {
    this.reconciler = reconciler;
  }

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder response = HealthCheckResponse.named("wireguard");
    Optional<CheckerStatus> status = reconciler.status();
    if (status.isEmpty()) {
      return response.down().withData("posture", "unknown: no checker pass yet").build();
    }
    TaintPlan plan = status.get().plan();
    response
        .withData("posture", plan.posture().name())
        .withData("summary", plan.summary())
        .withData("brakeEngaged", plan.brakeEngaged());
    for (NodeState state : NodeState.values()) {
      response.withData("nodes." + Names.label(state), plan.counts().getOrDefault(state, 0));
    }
    plan.notReady()
        .forEach((reason, names) -> response.withData(reason.wire(), Messages.names(names)));
    if (!plan.withheld().isEmpty()) {
      response.withData("withheld", Messages.names(plan.withheld()));
    }
    TunnelReport tunnels = status.get().assessment().tunnels();
    if (tunnels.collected()) {
      response
          .withData("tunnels.coverage", String.format(Locale.ROOT, "%.4f", tunnels.coverage()))
          .withData("tunnels.pairsExpected", tunnels.expectedPairs())
          .withData("tunnels.pairsHealthy", tunnels.healthyPairs());
      tunnels
          .notReady()
          .forEach(
              (reason, names) ->
                  response.withData("tunnels." + reason.wire(), Messages.names(names)));
    }
    if (!plan.problems().isEmpty()) {
      response.withData("problems", String.join("; ", plan.problems()));
    }
    if (!status.get().faults().isEmpty()) {
      // The posture is as last seen; what wgguard sees now is not the cluster.
      response.withData("faults", String.join("; ", status.get().faults()));
    }
    RegistrationReport guard = status.get().registration();
    if (guard.mode() != RegistrationMode.OFF) {
      // A switch-off that never reaches wgguard leaves no trace in its admission log: a guard that
      // is not in place pages like a cluster that is not encrypted.
      response.withData("guard", guard.summary());
    }
    return response
        .status(
            plan.posture() == Posture.HEALTHY && status.get().faults().isEmpty() && guard.inPlace())
        .build();
  }
}
