package io.wgguard.health;

import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collections;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready only when the webhook's serving certificate is loaded and not expired. */
@Readiness
@ApplicationScoped
public class TlsReadinessCheck implements HealthCheck {

  /** Name of the TLS configuration the webhook port uses ({@code quarkus.tls.webhook.*}). */
  public static final String TLS_CONFIGURATION = "webhook";

  private final TlsConfigurationRegistry registry;

  public TlsReadinessCheck(TlsConfigurationRegistry registry) {
    this.registry = registry;
  }

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder response = HealthCheckResponse.named("webhook-tls");
    Optional<TlsConfiguration> tls = registry.get(TLS_CONFIGURATION);
    KeyStore keyStore = tls.map(TlsConfiguration::getKeyStore).orElse(null);
    if (keyStore == null) {
      return response.down().withData("reason", "no serving certificate loaded").build();
    }
    try {
      for (String alias : Collections.list(keyStore.aliases())) {
        if (keyStore.getCertificate(alias) instanceof X509Certificate cert) {
          Instant notAfter = cert.getNotAfter().toInstant();
          response
              .withData("subject", cert.getSubjectX500Principal().getName())
              .withData("notAfter", notAfter.toString());
          return notAfter.isAfter(Instant.now())
              ? response.up().build()
              : response.down().withData("reason", "serving certificate expired").build();
        }
      }
    } catch (KeyStoreException e) {
      return response.down().withData("reason", "key store unreadable").build();
    }
    return response.down().withData("reason", "no certificate in the key store").build();
  }
}
