package io.wgguard.health;

import io.wgguard.tls.ServingCertificate;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.cert.X509Certificate;
import java.time.Instant;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready only when the webhook's serving certificate is loaded and not expired. */
@Readiness
@ApplicationScoped
public class TlsReadinessCheck implements HealthCheck {

  private final ServingCertificate certificate;

  public TlsReadinessCheck(ServingCertificate certificate) {
    this.certificate = certificate;
  }

  @Override
  public HealthCheckResponse call() {
    X509Certificate cert = certificate.certificate();
    Instant notAfter = cert.getNotAfter().toInstant();
    HealthCheckResponseBuilder response =
        HealthCheckResponse.named("webhook-tls")
            .withData("subject", cert.getSubjectX500Principal().getName())
            .withData("serial", cert.getSerialNumber().toString(16))
            .withData("notAfter", notAfter.toString());
    certificate.lastError().ifPresent(e -> response.withData("reloadError", e));
    return notAfter.isAfter(Instant.now())
        ? response.up().build()
        : response.down().withData("reason", "serving certificate expired").build();
  }
}
