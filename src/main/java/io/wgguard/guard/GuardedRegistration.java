package io.wgguard.guard;

/**
 * The ValidatingWebhookConfigurations wgguard ships ({@code manifests/base}), each by the name it
 * has in the cluster. {@code wgguard.registration.registrations} lists those the checker watches
 * and restores.
 */
public enum GuardedRegistration {
  /** {@code webhook.yaml}: FelixConfiguration writes, fails closed. */
  FELIXCONFIGURATION("wgguard", "FelixConfiguration writes"),
  /** {@code calico-node-webhook.yaml}: the calico-node DaemonSet, fails open. */
  CALICO_NODE("wgguard-calico-node", "calico-node DaemonSet writes"),
  /** {@code pod-webhook.yaml}: pods pinned to nodes held not ready, fails open. */
  PODS("wgguard-pods", "pods pinned to nodes");

  private final String objectName;
  private final String guards;

  GuardedRegistration(String objectName, String guards) {
    this.objectName = objectName;
    this.guards = guards;
  }

  /** What the registration sends to wgguard, for sentences: {@code FelixConfiguration writes}. */
  public String guards() {
    return guards;
  }

  /** The registration of that object name, if it is one of wgguard's. */
  public static java.util.Optional<GuardedRegistration> named(String objectName) {
    for (GuardedRegistration r : values()) {
      if (r.objectName.equals(objectName)) {
        return java.util.Optional.of(r);
      }
    }
    return java.util.Optional.empty();
  }

  /** The ValidatingWebhookConfiguration's {@code metadata.name}. */
  public String objectName() {
    return objectName;
  }
}
