package io.wgguard.tls;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Serves HTTPS with {@link ServingCertificate}'s rotating key manager instead of a fixed key store,
 * so certificate rotation never reconfigures the server.
 */
@ApplicationScoped
public class WebhookTlsCustomizer implements HttpServerOptionsCustomizer {

  private final ServingCertificate certificate;

  public WebhookTlsCustomizer(ServingCertificate certificate) {
    this.certificate = certificate;
  }

  @Override
  public void customizeHttpsServer(HttpServerOptions options) {
    options.setKeyCertOptions(KeyCertOptions.wrap(certificate.keyManager()));
  }
}
