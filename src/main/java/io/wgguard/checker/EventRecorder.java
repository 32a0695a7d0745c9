package io.wgguard.checker;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.wgguard.Names;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Writes Kubernetes Events about nodes and wgguard's own registrations ({@code core/v1}, namespace
 * {@code default}, where Events of cluster-scoped objects live). An Event that cannot be written is
 * logged, never retried: it must not hold up the taint it reports.
 */
@ApplicationScoped
public class EventRecorder {

  private static final Logger LOG = Logger.getLogger(EventRecorder.class);
  private static final String NAMESPACE = "default";

  private final KubernetesClient client;
  private final AtomicLong sequence = new AtomicLong();

  public EventRecorder(KubernetesClient client) {
    this.client = client;
  }

  /** Records an Event on a node; {@code warning} selects type Warning over Normal. */
  public void onNode(String node, String reason, String message, boolean warning) {
    on("v1", "Node", node, reason, message, warning);
  }

  /** Records an Event on one of wgguard's ValidatingWebhookConfigurations. */
  public void onRegistration(String name, String reason, String message, boolean warning) {
    // An Event's message is cut at 1 kB by kubectl describe and by most Event exporters.
    String shown = message.length() <= 1000 ? message : message.substring(0, 997) + "...";
    on(
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
        name,
        reason,
        shown,
        warning);
  }

  /** Records an Event on a cluster-scoped object. */
  private void on(
      String apiVersion, String kind, String node, String reason, String message, boolean warning) {
    String now = Instant.now().toString();
    String name =
        (node + "." + Long.toHexString(System.currentTimeMillis()) + sequence.incrementAndGet())
            .toLowerCase(Locale.ROOT);
    try {
      client
          .v1()
          .events()
          .inNamespace(NAMESPACE)
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withNamespace(NAMESPACE)
                  .endMetadata()
                  .withNewInvolvedObject()
                  .withApiVersion(apiVersion)
                  .withKind(kind)
                  .withName(node)
                  .endInvolvedObject()
                  .withReason(reason)
                  .withMessage(message)
                  .withType(warning ? "Warning" : "Normal")
                  .withNewSource()
                  .withComponent(Names.EVENT_COMPONENT)
                  .endSource()
                  .withReportingComponent("wgguard.io/checker")
                  .withReportingInstance(
                      System.getenv().getOrDefault("HOSTNAME", Names.EVENT_COMPONENT))
                  .withFirstTimestamp(now)
                  .withLastTimestamp(now)
                  .withCount(1)
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      LOG.warnf("could not record Event %s on %s %s: %s", reason, kind, node, e.getMessage());
    }
  }
}
