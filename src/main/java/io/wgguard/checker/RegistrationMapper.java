package io.wgguard.checker;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperationsBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ServiceReferenceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.wgguard.guard.Registration;
import io.wgguard.guard.Registration.Requirement;
import io.wgguard.guard.Registration.Rule;
import io.wgguard.guard.Registration.Selector;
import io.wgguard.guard.Registration.Target;
import io.wgguard.guard.Registration.Webhook;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Between the API's ValidatingWebhookConfiguration ({@code admissionregistration.k8s.io/v1}) and
 * the {@link Registration} the pure comparison reads. Absent fields read as the API server's
 * defaults for v1 (failurePolicy Fail, matchPolicy Equivalent, timeoutSeconds 10, scope {@code *},
 * port 443, empty selectors), so an object the API server filled in compares as what it means. The
 * caBundle is carried as PEM text (the API holds it base64-encoded).
 */
public final class RegistrationMapper {

  private RegistrationMapper() {}

  /** The registration an API object describes. */
  public static Registration read(ValidatingWebhookConfiguration object) {
    var metadata = object.getMetadata();
    List<ValidatingWebhook> webhooks =
        object.getWebhooks() == null ? List.of() : object.getWebhooks();
    return new Registration(
        metadata.getName(),
        metadata.getResourceVersion() == null ? "" : metadata.getResourceVersion(),
        metadata.getAnnotations() == null ? Map.of() : metadata.getAnnotations(),
        webhooks.stream().map(RegistrationMapper::read).toList());
  }

  private static Webhook read(ValidatingWebhook webhook) {
    WebhookClientConfig client = webhook.getClientConfig();
    Target target;
    String bundle = "";
    if (client == null) {
      target = Target.url("");
    } else {
      if (client.getService() != null) {
        var service = client.getService();
        target =
            Target.service(
                nonNull(service.getNamespace()),
                nonNull(service.getName()),
                nonNull(service.getPath()),
                service.getPort() == null ? 443 : service.getPort());
      } else {
        target = Target.url(nonNull(client.getUrl()));
      }
      if (client.getCaBundle() != null && !client.getCaBundle().isEmpty()) {
        bundle = decode(client.getCaBundle());
      }
    }
    return new Webhook(
        nonNull(webhook.getName()),
        target,
        bundle,
        webhook.getRules() == null
            ? List.of()
            : webhook.getRules().stream().map(RegistrationMapper::read).toList(),
        webhook.getFailurePolicy() == null ? "Fail" : webhook.getFailurePolicy(),
        read(webhook.getNamespaceSelector()),
        read(webhook.getObjectSelector()),
        nonNull(webhook.getSideEffects()),
        webhook.getTimeoutSeconds() == null ? 10 : webhook.getTimeoutSeconds(),
        webhook.getMatchPolicy() == null ? "Equivalent" : webhook.getMatchPolicy(),
        webhook.getAdmissionReviewVersions() == null
            ? List.of()
            : webhook.getAdmissionReviewVersions());
  }

  private static Rule read(RuleWithOperations rule) {
    return new Rule(
        rule.getApiGroups(),
        rule.getApiVersions(),
        rule.getOperations(),
        rule.getResources(),
        rule.getScope());
  }

  private static Selector read(LabelSelector selector) {
    if (selector == null) {
      return Selector.EVERYTHING;
    }
    List<LabelSelectorRequirement> expressions =
        selector.getMatchExpressions() == null ? List.of() : selector.getMatchExpressions();
    return new Selector(
        selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels(),
        expressions.stream()
            .map(e -> new Requirement(nonNull(e.getKey()), nonNull(e.getOperator()), e.getValues()))
            .toList());
  }

  /**
   * The API object for a registration. {@code labels} and the registration's annotations become its
   * metadata; its resourceVersion, when set, makes the update optimistic.
   */
  public static ValidatingWebhookConfiguration write(
      Registration registration, Map<String, String> labels) {
    var metadata =
        new ObjectMetaBuilder()
            .withName(registration.name())
            .withLabels(new HashMap<>(labels))
            .withAnnotations(new HashMap<>(registration.annotations()));
    if (!registration.resourceVersion().isEmpty()) {
      metadata.withResourceVersion(registration.resourceVersion());
    }
    return new ValidatingWebhookConfigurationBuilder()
        .withMetadata(metadata.build())
        .withWebhooks(registration.webhooks().stream().map(RegistrationMapper::write).toList())
        .build();
  }

  private static ValidatingWebhook write(Webhook webhook) {
    Target target = webhook.target();
    WebhookClientConfig client = new WebhookClientConfig();
    if (target.url().isEmpty()) {
      client.setService(
          new ServiceReferenceBuilder()
              .withNamespace(target.serviceNamespace())
              .withName(target.serviceName())
              .withPath(target.path())
              .withPort(target.port())
              .build());
    } else {
      client.setUrl(target.url());
    }
    if (!webhook.caBundle().isEmpty()) {
      client.setCaBundle(
          Base64.getEncoder().encodeToString(webhook.caBundle().getBytes(StandardCharsets.UTF_8)));
    }
    return new ValidatingWebhookBuilder()
        .withName(webhook.name())
        .withAdmissionReviewVersions(webhook.admissionReviewVersions())
        .withClientConfig(client)
        .withRules(webhook.rules().stream().map(RegistrationMapper::write).toList())
        .withFailurePolicy(webhook.failurePolicy())
        .withNamespaceSelector(write(webhook.namespaceSelector()))
        .withObjectSelector(write(webhook.objectSelector()))
        .withSideEffects(webhook.sideEffects())
        .withTimeoutSeconds(webhook.timeoutSeconds())
        .withMatchPolicy(webhook.matchPolicy())
        .build();
  }

  private static RuleWithOperations write(Rule rule) {
    return new RuleWithOperationsBuilder()
        .withApiGroups(rule.apiGroups())
        .withApiVersions(rule.apiVersions())
        .withOperations(rule.operations())
        .withResources(rule.resources())
        .withScope(rule.scope())
        .build();
  }

  private static LabelSelector write(Selector selector) {
    return new LabelSelectorBuilder()
        .withMatchLabels(new HashMap<>(selector.matchLabels()))
        .withMatchExpressions(
            selector.matchExpressions().stream()
                .map(
                    r ->
                        new LabelSelectorRequirementBuilder()
                            .withKey(r.key())
                            .withOperator(r.operator())
                            .withValues(r.values())
                            .build())
                .toList())
        .build();
  }

  private static String decode(String base64) {
    try {
      return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return base64; // not base64: judged as PEM, and found wanting
    }
  }

  private static String nonNull(String value) {
    return value == null ? "" : value;
  }
}
