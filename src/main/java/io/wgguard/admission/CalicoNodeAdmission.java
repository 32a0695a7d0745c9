package io.wgguard.admission;

import com.fasterxml.jackson.databind.JsonNode;
import io.wgguard.Messages;
import io.wgguard.Names;
import io.wgguard.config.WgguardConfig;
import io.wgguard.felix.CalicoNodeEnvironment;
import io.wgguard.policy.AdmissionInput.Operation;
import io.wgguard.policy.CalicoNodeInput;
import io.wgguard.policy.CalicoNodePolicy;
import io.wgguard.policy.Decision;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Judges writes to the calico-node DaemonSet: decode, call {@link CalicoNodePolicy}, encode. The
 * registration matches every DaemonSet (a namespace label selector needs Kubernetes 1.21, and
 * calico-node's labels differ between installs), so DaemonSets other than the configured
 * namespaces/name are allowed here before their objects are read.
 */
@ApplicationScoped
public class CalicoNodeAdmission {

  /** Metric and log name of this webhook. */
  public static final String WEBHOOK = "calico-node";

  private static final Logger LOG = Logger.getLogger(CalicoNodeAdmission.class);
  private static final Decision PASS = Decision.allow(List.of());

  private final CalicoNodePolicy policy;
  private final Clock clock;
  private final Set<String> namespaces;
  private final String name;

  @Inject
  public CalicoNodeAdmission(CalicoNodePolicy policy, Clock clock, WgguardConfig config) {
    this(policy, clock, Set.copyOf(config.calicoNode().namespaces()), config.calicoNode().name());
  }

  CalicoNodeAdmission(CalicoNodePolicy policy, Clock clock, Set<String> namespaces, String name) {
    this.policy = policy;
    this.clock = clock;
    this.namespaces = namespaces;
    this.name = name;
  }

  /** Judges a parsed review. */
  public Decision judge(ReviewRequest review) throws BadReviewException {
    if (!"apps".equals(review.group()) || !"DaemonSet".equals(review.kind())) {
      throw new BadReviewException(
          "request.kind is "
              + (review.group().isEmpty() ? "" : Messages.clip(review.group()) + "/")
              + Messages.clip(review.kind())
              + ": this endpoint judges apps/v1 DaemonSet");
    }
    if (!namespaces.contains(review.namespace())
        || !name.equals(review.name())
        || (review.operation() != Operation.CREATE && review.operation() != Operation.UPDATE)) {
      return PASS; // not calico-node: nothing read beyond the request's header
    }
    JsonNode newJson = review.object();
    JsonNode oldJson = review.oldObject();
    if (newJson == null) {
      throw new BadReviewException("request.object is missing for " + review.operation());
    }
    if (oldJson != null && sameEnvironment(oldJson, newJson)) {
      return PASS; // the operator's frequent writes: image bumps, resources, annotations
    }
    CalicoNodeInput input =
        new CalicoNodeInput(
            review.operation(),
            oldJson == null ? null : read(oldJson, "request.oldObject"),
            read(newJson, "request.object"),
            label(newJson, Names.OVERRIDE_LABEL, "labels"),
            label(newJson, Names.OVERRIDE_EXPIRES_ANNOTATION, "annotations"),
            oldJson == null ? Optional.empty() : label(oldJson, Names.OVERRIDE_LABEL, "labels"),
            review.user(),
            review.dryRun());
    Decision decision = policy.decide(input, clock.instant());
    log(review, decision);
    return decision;
  }

  /**
   * True when both templates give every container the same {@code env}, {@code envFrom}, {@code
   * command}, {@code args} and {@code volumeMounts}, and the pod the same {@code volumes} (deep
   * JSON equality), so nothing Felix reads locally can have changed: not its environment, not what
   * its command exports, not its config file. Cheap: no object is built.
   */
  private static boolean sameEnvironment(JsonNode oldJson, JsonNode newJson) {
    JsonNode before = containers(oldJson);
    JsonNode after = containers(newJson);
    if (!before.isArray() || !after.isArray() || before.size() != after.size()) {
      return false;
    }
    if (!pod(oldJson).path("volumes").equals(pod(newJson).path("volumes"))) {
      return false;
    }
    for (int i = 0; i < after.size(); i++) {
      JsonNode a = after.get(i);
      JsonNode b = before.get(i);
      if (!a.path("name").equals(b.path("name"))
          || !a.path("env").equals(b.path("env"))
          || !a.path("envFrom").equals(b.path("envFrom"))
          || !a.path("command").equals(b.path("command"))
          || !a.path("args").equals(b.path("args"))
          || !a.path("volumeMounts").equals(b.path("volumeMounts"))) {
        return false;
      }
    }
    return true;
  }

  private static JsonNode containers(JsonNode daemonSet) {
    return pod(daemonSet).path("containers");
  }

  private static JsonNode pod(JsonNode daemonSet) {
    return daemonSet.path("spec").path("template").path("spec");
  }

  private static CalicoNodeEnvironment read(JsonNode json, String path) throws BadReviewException {
    try {
      return CalicoNodeEnvironment.read(json);
    } catch (IllegalArgumentException e) {
      throw new BadReviewException(path + " " + e.getMessage());
    }
  }

  private static Optional<String> label(JsonNode json, String key, String where)
      throws BadReviewException {
    JsonNode value = json.path("metadata").path(where).get(key);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw new BadReviewException(
          "request.object.metadata." + where + "[" + key + "] is not a string");
    }
    return Optional.of(value.asText());
  }

  private static void log(ReviewRequest review, Decision decision) {
    DecisionLog.log(
        LOG,
        WEBHOOK,
        "daemonset=" + Messages.clip(review.namespace()) + "/" + Messages.clip(review.name()),
        review,
        decision);
  }
}
