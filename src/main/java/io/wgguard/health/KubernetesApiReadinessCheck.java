package io.wgguard.health;

import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only when the Kubernetes API answers. Liveness never depends on it: a replica that cannot
 * reach the API is taken out of the Service, not restarted.
 */
@Readiness
@ApplicationScoped
public class KubernetesApiReadinessCheck implements HealthCheck {

  private final KubernetesClient client;

  public KubernetesApiReadinessCheck(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public HealthCheckResponse call() {
    try {
      var version = client.getKubernetesVersion();
      return HealthCheckResponse.named("kubernetes-api")
          .up()
          .withData("version", version.getGitVersion())
          .build();
    } catch (RuntimeException e) {
      return HealthCheckResponse.named("kubernetes-api")
          .down()
          .withData("reason", "Kubernetes API not reachable at " + client.getMasterUrl())
          .build();
    }
  }
}
