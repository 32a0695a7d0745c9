package io.wgguard.health;

import io.wgguard.status.CheckerView;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the Node and FelixConfiguration watches have listed everything: before that, status
 * and pod admission would judge from an empty cache. Never reflects the cluster's posture.
 */
@Readiness
@ApplicationScoped
public class CheckerReadinessCheck implements HealthCheck {

  private final CheckerView reconciler;

  public CheckerReadinessCheck(CheckerView reconciler) {
    this.reconciler = reconciler;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("checker-caches").status(reconciler.synced()).build();
  }
}
