package io.wgguard.guard;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One ValidatingWebhookConfiguration as wgguard compares it: what the API server stores, reduced to
 * the fields that decide which writes reach wgguard and whether the API server trusts its answer.
 *
 * @param name the object's name
 * @param resourceVersion its resourceVersion, empty for an expected registration not yet written
 * @param annotations its annotations (the break-glass annotation, an injector's annotation)
 * @param webhooks its webhooks, in stored order
 */
public record Registration(
    String name, String resourceVersion, Map<String, String> annotations, List<Webhook> webhooks) {

  public Registration {
    annotations = Map.copyOf(annotations);
    webhooks = List.copyOf(webhooks);
  }

  /** The webhook of that name, if the registration has one. */
  public Optional<Webhook> webhook(String webhookName) {
    return webhooks.stream().filter(w -> w.name().equals(webhookName)).findFirst();
  }

  /** This registration with other webhooks, everything else kept. */
  public Registration withWebhooks(List<Webhook> replaced) {
    return new Registration(name, resourceVersion, annotations, replaced);
  }

  /**
   * One webhook of a registration.
   *
   * @param name its name, e.g. {@code felixconfiguration.wgguard.io}
   * @param target where the API server sends the review
   * @param caBundle the PEM certificates the API server trusts for it, empty when none
   * @param rules which requests it receives
   * @param failurePolicy {@code Fail} or {@code Ignore}
   * @param namespaceSelector which namespaces' objects are sent
   * @param objectSelector which objects are sent, by their labels
   * @param sideEffects {@code None} for wgguard
   * @param timeoutSeconds how long the API server waits
   * @param matchPolicy {@code Exact} or {@code Equivalent}
   * @param admissionReviewVersions the review versions offered
   */
  public record Webhook(
      String name,
      Target target,
      String caBundle,
      List<Rule> rules,
      String failurePolicy,
      Selector namespaceSelector,
      Selector objectSelector,
      String sideEffects,
      int timeoutSeconds,
      String matchPolicy,
      List<String> admissionReviewVersions) {

    public Webhook {
      rules = List.copyOf(rules);
      admissionReviewVersions = List.copyOf(admissionReviewVersions);
    }

    /** This webhook with another caBundle. */
    public Webhook withCaBundle(String bundle) {
      return new Webhook(
          name,
          target,
          bundle,
          rules,
          failurePolicy,
          namespaceSelector,
          objectSelector,
          sideEffects,
          timeoutSeconds,
          matchPolicy,
          admissionReviewVersions);
    }
  }

  /**
   * Where the API server sends a review: a Service ({@code url} empty) or a URL ({@code service*}
   * empty, port 0).
   */
  public record Target(
      String url, String serviceNamespace, String serviceName, String path, int port) {

    /** The Service {@code namespace/name}, port and path. */
    public static Target service(String namespace, String name, String path, int port) {
      return new Target("", namespace, name, path, port);
    }

    /** A URL. */
    public static Target url(String url) {
      return new Target(url, "", "", "", 0);
    }

    /**
     * How a person reads it: {@code service wgguard-system/wgguard:443/admission/pod} or the URL.
     */
    public String describe() {
      return url.isEmpty()
          ? "service %s/%s:%d%s".formatted(serviceNamespace, serviceName, port, path)
          : url;
    }
  }

  /**
   * One rule: requests whose group, version, operation, resource and scope all match are sent.
   * Lists are kept sorted and free of duplicates, so two rules that mean the same compare equal.
   */
  public record Rule(
      List<String> apiGroups,
      List<String> apiVersions,
      List<String> operations,
      List<String> resources,
      String scope) {

    public Rule {
      apiGroups = sorted(apiGroups);
      apiVersions = sorted(apiVersions);
      operations = sorted(operations);
      resources = sorted(resources);
      scope = scope == null || scope.isEmpty() ? "*" : scope;
    }

    /** {@code CREATE, UPDATE on felixconfigurations in crd.projectcalico.org/*, Cluster}. */
    public String describe() {
      return "%s on %s in %s/%s, scope %s"
          .formatted(
              String.join(", ", operations),
              String.join(", ", resources),
              String.join(",", apiGroups.stream().map(g -> g.isEmpty() ? "core" : g).toList()),
              String.join(",", apiVersions),
              scope);
    }
  }

  /**
   * A label selector; an absent selector and an empty one both select everything.
   *
   * @param matchLabels labels that must equal
   * @param matchExpressions requirements, sorted
   */
  public record Selector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {

    /** The selector that selects everything. */
    public static final Selector EVERYTHING = new Selector(Map.of(), List.of());

    public Selector {
      matchLabels = Map.copyOf(matchLabels);
      matchExpressions =
          matchExpressions.stream()
              .distinct()
              .sorted(
                  java.util.Comparator.comparing(Requirement::key)
                      .thenComparing(Requirement::operator)
                      .thenComparing(r -> String.join(",", r.values())))
              .toList();
    }

    /** {@code everything}, or the labels and requirements. */
    public String describe() {
      if (matchLabels.isEmpty() && matchExpressions.isEmpty()) {
        return "everything";
      }
      List<String> parts = new java.util.ArrayList<>();
      new java.util.TreeMap<>(matchLabels).forEach((k, v) -> parts.add(k + "=" + v));
      matchExpressions.forEach(
          r ->
              parts.add(
                  r.values().isEmpty()
                      ? "%s %s".formatted(r.key(), r.operator())
                      : "%s %s (%s)"
                          .formatted(r.key(), r.operator(), String.join(",", r.values()))));
      return String.join(", ", parts);
    }
  }

  /** One requirement of a selector; values sorted. */
  public record Requirement(String key, String operator, List<String> values) {
    public Requirement {
      values = sorted(values);
    }
  }

  private static List<String> sorted(List<String> values) {
    return values == null ? List.of() : values.stream().distinct().sorted().toList();
  }
}
