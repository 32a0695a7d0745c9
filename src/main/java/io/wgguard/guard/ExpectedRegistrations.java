package io.wgguard.guard;

import io.wgguard.guard.Registration.Requirement;
import io.wgguard.guard.Registration.Rule;
import io.wgguard.guard.Registration.Selector;
import io.wgguard.guard.Registration.Target;
import io.wgguard.guard.Registration.Webhook;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The registrations wgguard expects, field for field as {@code manifests/base} ships them ({@code
 * ExpectedRegistrationsTest} reads those files and holds the two equal), aimed at the Service or
 * the configured URL. The caBundle is left empty: which bundle is right is decided against the
 * serving certificate ({@link RegistrationPolicy}).
 */
public final class ExpectedRegistrations {

  /** The webhook's timeout in seconds, as shipped: well inside the API server's 30 s request. */
  static final int TIMEOUT_SECONDS = 5;

  private ExpectedRegistrations() {}

  /** The expected registrations, in {@link GuardedRegistration} order. */
  public static List<Registration> of(RegistrationSettings settings) {
    List<Registration> expected = new ArrayList<>();
    settings.registrations().stream()
        .sorted(Comparator.naturalOrder())
        .forEach(r -> expected.add(of(r, settings)));
    return expected;
  }

  /** One expected registration. */
  public static Registration of(GuardedRegistration registration, RegistrationSettings settings) {
    Webhook webhook =
        switch (registration) {
          case FELIXCONFIGURATION ->
              webhook(
                  "felixconfiguration.wgguard.io",
                  target(settings, "/admission/felixconfiguration"),
                  new Rule(
                      List.of("crd.projectcalico.org", "projectcalico.org"),
                      List.of("*"),
                      List.of("CREATE", "UPDATE", "DELETE"),
                      List.of("felixconfigurations"),
                      "Cluster"),
                  "Fail",
                  Selector.EVERYTHING);
          case CALICO_NODE ->
              webhook(
                  "calico-node.wgguard.io",
                  target(settings, "/admission/calico-node"),
                  new Rule(
                      List.of("apps"),
                      List.of("v1"),
                      List.of("CREATE", "UPDATE"),
                      List.of("daemonsets"),
                      "Namespaced"),
                  "Ignore",
                  Selector.EVERYTHING);
          case PODS ->
              webhook(
                  "pod.wgguard.io",
                  target(settings, "/admission/pod"),
                  new Rule(
                      List.of(""),
                      List.of("v1"),
                      List.of("CREATE"),
                      List.of("pods", "pods/binding"),
                      "Namespaced"),
                  "Ignore",
                  new Selector(
                      Map.of(),
                      List.of(
                          new Requirement(
                              "kubernetes.io/metadata.name",
                              "NotIn",
                              settings.podExemptNamespaces()))));
        };
    return new Registration(registration.objectName(), "", Map.of(), List.of(webhook));
  }

  private static Webhook webhook(
      String name, Target target, Rule rule, String failurePolicy, Selector namespaces) {
    return new Webhook(
        name,
        target,
        "",
        List.of(rule),
        failurePolicy,
        namespaces,
        Selector.EVERYTHING,
        "None",
        TIMEOUT_SECONDS,
        "Equivalent",
        List.of("v1"));
  }

  private static Target target(RegistrationSettings settings, String path) {
    return settings
        .url()
        .map(base -> Target.url(base + path))
        .orElseGet(
            () ->
                Target.service(
                    settings.serviceNamespace(),
                    settings.serviceName(),
                    path,
                    settings.servicePort()));
  }
}
