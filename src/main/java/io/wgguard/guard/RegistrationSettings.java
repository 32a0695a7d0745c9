package io.wgguard.guard;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What wgguard expects of its own registrations, from {@code wgguard.registration.*} and {@code
 * wgguard.pods.exempt-namespaces}.
 *
 * @param mode off, report or restore
 * @param url a base URL the webhooks are registered at ({@code https://host:port}, paths appended);
 *     empty: the Service below
 * @param serviceNamespace the Service's namespace
 * @param serviceName the Service's name
 * @param servicePort the Service's port
 * @param registrations the registrations watched
 * @param podExemptNamespaces the namespaces the pod webhook's namespaceSelector leaves out
 */
public record RegistrationSettings(
    RegistrationMode mode,
    Optional<String> url,
    String serviceNamespace,
    String serviceName,
    int servicePort,
    Set<GuardedRegistration> registrations,
    List<String> podExemptNamespaces) {

  /**
   * The built-in defaults, registrations not watched: what the configuration's defaults give
   * outside a pod, and what offline commands, benchmarks and tests of other stages use.
   */
  public static RegistrationSettings off() {
    return new RegistrationSettings(
        RegistrationMode.OFF,
        Optional.empty(),
        "wgguard-system",
        "wgguard",
        443,
        Set.of(GuardedRegistration.values()),
        List.of("kube-system", "calico-system", "tigera-operator", "wgguard-system"));
  }

  public RegistrationSettings {
    registrations = Set.copyOf(registrations);
    podExemptNamespaces = List.copyOf(podExemptNamespaces);
    url = url.map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
    if (url.isPresent() && !url.get().startsWith("https://")) {
      throw new IllegalArgumentException(
          "wgguard.registration.url is '%s'; the API server calls webhooks over HTTPS only: use"
                  .formatted(url.get())
              + " https://host:port");
    }
    if (servicePort < 1 || servicePort > 65535) {
      throw new IllegalArgumentException(
          "wgguard.registration.service-port is %d; use 1 to 65535".formatted(servicePort));
    }
  }
}
