package io.wgguard.checker;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.wgguard.Names;
import io.wgguard.guard.GuardedRegistration;
import io.wgguard.guard.Registration;
import io.wgguard.guard.RegistrationMode;
import io.wgguard.guard.RegistrationReport;
import io.wgguard.guard.RegistrationReport.Action;
import io.wgguard.guard.RegistrationReport.Restore;
import io.wgguard.guard.RegistrationSettings;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Watches wgguard's own ValidatingWebhookConfigurations ({@code admissionregistration.k8s.io/v1},
 * served from Kubernetes 1.16) and writes the restores the pure {@code RegistrationPolicy} plans.
 *
 * <p>One watch per name with a {@code metadata.name} field selector: RBAC grants list and watch on
 * those resourceNames only, and the API server authorizes a list or watch against resourceNames
 * only when such a selector names the object. Updates carry the resourceVersion the plan was made
 * from, so a registration changed meanwhile (an injector writing its caBundle, a person) is never
 * overwritten blind: the conflict is left to the next pass, which re-plans from what is there.
 */
@ApplicationScoped
public class RegistrationWatch {

  private static final Logger LOG = Logger.getLogger(RegistrationWatch.class);

  /** Labels a re-created registration carries, as {@code manifests/base} gives them. */
  static final Map<String, String> LABELS =
      Map.of("app.kubernetes.io/name", "wgguard", "app.kubernetes.io/part-of", "wgguard");

  private final KubernetesClient client;
  private final RegistrationSettings settings;
  private final Map<String, Registration> present = new ConcurrentHashMap<>();
  private final List<SharedIndexInformer<ValidatingWebhookConfiguration>> informers =
      new ArrayList<>();

  public RegistrationWatch(KubernetesClient client, RegistrationSettings settings) {
    this.client = client;
    this.settings = settings;
  }

  /** Starts the watches (none when the mode is off); {@code onChange} runs after each change. */
  public synchronized void start(Runnable onChange) {
    if (settings.mode() == RegistrationMode.OFF || !informers.isEmpty()) {
      return;
    }
    for (GuardedRegistration registration : settings.registrations()) {
      String name = registration.objectName();
      SharedIndexInformer<ValidatingWebhookConfiguration> informer =
          client
              .admissionRegistration()
              .v1()
              .validatingWebhookConfigurations()
              .withField("metadata.name", name)
              .runnableInformer(0)
              .exceptionHandler(
                  (started, error) -> {
                    LOG.warnf(
                        "watch of registration %s failed (%s); retrying", name, error.getMessage());
                    return true;
                  })
              .addEventHandler(new Handler(onChange));
      informer.start();
      informers.add(informer);
    }
  }

  /** Stops the watches and forgets what they saw. */
  public synchronized void stop() {
    informers.forEach(SharedIndexInformer::stop);
    informers.clear();
    present.clear();
  }

  /**
   * The registrations present, by name; empty while a watch has not listed yet (or the mode is
   * off).
   */
  public Optional<Map<String, Registration>> observed() {
    List<SharedIndexInformer<ValidatingWebhookConfiguration>> current;
    synchronized (this) {
      current = List.copyOf(informers);
    }
    if (current.isEmpty() || !current.stream().allMatch(SharedIndexInformer::hasSynced)) {
      return Optional.empty();
    }
    // Handlers run behind the store: a listed object not yet handed to us is not "gone".
    for (SharedIndexInformer<ValidatingWebhookConfiguration> informer : current) {
      for (String key : informer.getStore().listKeys()) {
        if (!present.containsKey(key)) {
          return Optional.empty();
        }
      }
    }
    return Optional.of(Map.copyOf(present));
  }

  /** Outcome of one restoring write. */
  public enum Outcome {
    WRITTEN,
    /** Changed or created meanwhile: the next pass decides again. */
    CONFLICT,
    FAILED
  }

  /** Writes one planned restore. */
  public Outcome restore(Restore restore) {
    Registration desired = restore.desired();
    var resource = client.admissionRegistration().v1().validatingWebhookConfigurations();
    try {
      if (restore.action() == Action.CREATE) {
        resource.resource(RegistrationMapper.write(desired, LABELS)).create();
        return Outcome.WRITTEN;
      }
      ValidatingWebhookConfiguration fresh = resource.withName(desired.name()).get();
      if (fresh == null
          || !Objects.equals(fresh.getMetadata().getResourceVersion(), desired.resourceVersion())) {
        return Outcome.CONFLICT;
      }
      fresh.setWebhooks(RegistrationMapper.write(desired, Map.of()).getWebhooks());
      resource.resource(fresh).update();
      return Outcome.WRITTEN;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return Outcome.CONFLICT;
      }
      LOG.warnf(
          "could not %s ValidatingWebhookConfiguration %s (%d %s); the next pass retries",
          restore.action() == Action.CREATE ? "create" : "update",
          desired.name(),
          e.getCode(),
          e.getMessage());
      return Outcome.FAILED;
    }
  }

  /** Names a report's Event reason for a registration. */
  static String eventReason(RegistrationReport.Finding finding) {
    return finding.kind() == RegistrationReport.Kind.MISSING
        ? Names.EVENT_REGISTRATION_MISSING
        : Names.EVENT_REGISTRATION_CHANGED;
  }

  private final class Handler implements ResourceEventHandler<ValidatingWebhookConfiguration> {
    private final Runnable onChange;

    Handler(Runnable onChange) {
      this.onChange = onChange;
    }

    @Override
    public void onAdd(ValidatingWebhookConfiguration object) {
      put(object);
    }

    @Override
    public void onUpdate(
        ValidatingWebhookConfiguration old, ValidatingWebhookConfiguration object) {
      put(object);
    }

    @Override
    public void onDelete(ValidatingWebhookConfiguration object, boolean finalStateUnknown) {
      present.remove(object.getMetadata().getName());
      onChange.run();
    }

    private void put(ValidatingWebhookConfiguration object) {
      Registration registration = RegistrationMapper.read(object);
      if (!registration.equals(present.put(registration.name(), registration))) {
        onChange.run();
      }
    }
  }
}
