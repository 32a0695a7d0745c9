package io.wgguard.it;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/** Registers the ValidatingWebhookConfiguration that {@code manifests/} ships, aimed at a URL. */
public final class Webhooks {

  private Webhooks() {}

  /**
   * The FelixConfiguration webhook of {@code manifests/base/webhook.yaml}, aimed at {@code base}.
   */
  public static ValidatingWebhookConfiguration register(KubernetesClient client, String base)
      throws IOException {
    return register(client, base, "webhook.yaml");
  }

  /** The pod webhook of {@code manifests/base/pod-webhook.yaml}, aimed at {@code base}. */
  public static ValidatingWebhookConfiguration registerPods(KubernetesClient client, String base)
      throws IOException {
    return register(client, base, "pod-webhook.yaml");
  }

  /**
   * The calico-node DaemonSet webhook of {@code manifests/base/calico-node-webhook.yaml}, aimed at
   * {@code base}.
   */
  public static ValidatingWebhookConfiguration registerCalicoNode(
      KubernetesClient client, String base) throws IOException {
    return register(client, base, "calico-node-webhook.yaml");
  }

  /**
   * Reads {@code manifests/base/<file>}, replaces each service reference by {@code base + path},
   * sets the caBundle to the test CA, and creates it.
   */
  private static ValidatingWebhookConfiguration register(
      KubernetesClient client, String base, String file) throws IOException {
    ValidatingWebhookConfiguration config;
    try (InputStream in =
        Files.newInputStream(
            Path.of(System.getProperty("wgguard.basedir", "."), "manifests", "base", file))) {
      config =
          client.getKubernetesSerialization().unmarshal(in, ValidatingWebhookConfiguration.class);
    }
    String caBundle =
        Base64.getEncoder()
            .encodeToString(Files.readAllBytes(WgguardProcess.TEST_TLS.resolve("ca.crt")));
    for (ValidatingWebhook webhook : config.getWebhooks()) {
      String path = webhook.getClientConfig().getService().getPath();
      webhook.getClientConfig().setService(null);
      webhook.getClientConfig().setUrl(base + path);
      webhook.getClientConfig().setCaBundle(caBundle);
    }
    return client
        .admissionRegistration()
        .v1()
        .validatingWebhookConfigurations()
        .resource(config)
        .create();
  }
}
