package io.wgguard.admission;

import com.fasterxml.jackson.databind.JsonNode;
import io.wgguard.Messages;
import io.wgguard.policy.AdmissionInput.Operation;
import io.wgguard.policy.Decision;
import io.wgguard.policy.PodPlacementPolicy;
import io.wgguard.policy.PodPlacementPolicy.NodeStanding;
import io.wgguard.policy.PodPlacementPolicy.Toleration;
import io.wgguard.status.CheckerStatus;
import io.wgguard.status.CheckerView;
import io.wgguard.taints.NodePlan;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Judges Pod CREATEs that pin a node, and {@code pods/binding} CREATEs: decode, look the node up in
 * the checker's last pass (memory only, no API call), call {@link PodPlacementPolicy}.
 */
@ApplicationScoped
public class PodAdmission {

  /** Metric and log name of this webhook. */
  public static final String WEBHOOK = "pod";

  private static final Logger LOG = Logger.getLogger(PodAdmission.class);

  /** {@code request.subResource} of a binding. */
  private static final String BINDING = "binding";

  private final PodPlacementPolicy policy;
  private final CheckerView checker;

  public PodAdmission(PodPlacementPolicy policy, CheckerView checker) {
    this.policy = policy;
    this.checker = checker;
  }

  /** Judges a parsed review: a Pod CREATE, or a {@code pods/binding} CREATE. */
  public Decision judge(ReviewRequest review) throws BadReviewException {
    if (BINDING.equals(review.subResource())) {
      return judgeBinding(review);
    }
    if (!review.group().isEmpty() || !"Pod".equals(review.kind())) {
      throw new BadReviewException(
          "request.kind is "
              + (review.group().isEmpty() ? "" : review.group() + "/")
              + Messages.clip(review.kind())
              + ": this endpoint judges core/v1 Pod");
    }
    if (review.operation() != Operation.CREATE) {
      return policy.decide(
          new PodPlacementPolicy.Pod("", "", "", List.of()), NodeStanding.unknown());
    }
    PodPlacementPolicy.Pod pod = pod(review);
    Decision decision = policy.decide(pod, standing(pod.nodeName()));
    log(decision, review, pod.namespace(), pod.name(), pod.nodeName());
    return decision;
  }

  /**
   * A {@code pods/binding} CREATE carries a Binding ({@code target.kind=Node}, {@code target.name})
   * and no pod: kube-apiserver sends no {@code oldObject} for it.
   */
  private Decision judgeBinding(ReviewRequest review) throws BadReviewException {
    if (!review.group().isEmpty() || !"Binding".equals(review.kind())) {
      throw new BadReviewException(
          "request.kind is "
              + (review.group().isEmpty() ? "" : review.group() + "/")
              + Messages.clip(review.kind())
              + " for subresource binding: expected core/v1 Binding");
    }
    if (review.operation() != Operation.CREATE) {
      return policy.decide(new PodPlacementPolicy.Binding("", "", "", ""), NodeStanding.unknown());
    }
    JsonNode target = review.object().path("target");
    if (!target.isObject()) {
      throw new BadReviewException("request.object.target is missing or not an object");
    }
    String kind = text(target.get("kind"), "request.object.target.kind");
    if (!kind.isEmpty() && !"Node".equals(kind)) {
      throw new BadReviewException(
          "request.object.target.kind is " + Messages.clip(kind) + ": a pod binds to a Node");
    }
    String namespace = review.namespace();
    if (namespace.isEmpty()) {
      namespace =
          text(
              review.object().path("metadata").get("namespace"),
              "request.object.metadata.namespace");
    }
    String name = review.name();
    if (name.isEmpty()) {
      name = text(review.object().path("metadata").get("name"), "request.object.metadata.name");
    }
    PodPlacementPolicy.Binding binding =
        new PodPlacementPolicy.Binding(
            namespace,
            name,
            text(target.get("name"), "request.object.target.name"),
            review.user().username());
    Decision decision = policy.decide(binding, standing(binding.nodeName()));
    log(decision, review, binding.namespace(), binding.pod(), binding.nodeName());
    return decision;
  }

  private static void log(
      Decision decision, ReviewRequest review, String namespace, String name, String node) {
    if (!decision.allowed() || !decision.warnings().isEmpty()) {
      LOG.infof(
          "decision=%s webhook=%s op=CREATE%s pod=%s/%s node=%s user=%s dryRun=%s uid=%s",
          decision.verdict().tag(),
          WEBHOOK,
          review.subResource().isEmpty() ? "" : " subresource=" + review.subResource(),
          Messages.clip(namespace),
          Messages.clip(name),
          Messages.clip(node),
          Messages.clip(review.user().username()),
          review.dryRun(),
          Messages.clip(review.uid()));
    }
  }

  private NodeStanding standing(String node) {
    if (node.isEmpty()) {
      return NodeStanding.unknown();
    }
    Optional<CheckerStatus> status = checker.status();
    if (status.isEmpty()) {
      return NodeStanding.unknown(); // not synced yet: fail open, as the registration does
    }
    Optional<NodePlan> plan = status.get().nodePlan(node);
    if (plan.isEmpty()) {
      return NodeStanding.unknown();
    }
    NodePlan p = plan.get();
    List<String> evidence =
        status
            .get()
            .verdict(node)
            .map(v -> v.findings().stream().map(f -> f.detail()).toList())
            .orElse(List.of());
    String value =
        p.desired() != null ? p.desired().value() : p.reason() == null ? "" : p.reason().wire();
    String effect = p.desired() != null ? p.desired().effect() : "";
    return new NodeStanding(true, p.desired() != null, value, effect, evidence, p.withheld());
  }

  private static PodPlacementPolicy.Pod pod(ReviewRequest review) throws BadReviewException {
    JsonNode object = review.object();
    JsonNode metadata = object.path("metadata");
    String name = text(metadata.get("name"), "request.object.metadata.name");
    if (name.isEmpty()) {
      name = text(metadata.get("generateName"), "request.object.metadata.generateName") + "*";
    }
    String namespace = review.namespace();
    if (namespace.isEmpty()) {
      namespace = text(metadata.get("namespace"), "request.object.metadata.namespace");
    }
    JsonNode spec = object.path("spec");
    String nodeName = text(spec.get("nodeName"), "request.object.spec.nodeName");
    List<Toleration> tolerations = new ArrayList<>();
    JsonNode list = spec.get("tolerations");
    if (list != null && !list.isNull()) {
      if (!list.isArray()) {
        throw new BadReviewException("request.object.spec.tolerations is not an array");
      }
      for (JsonNode t : list) {
        if (!t.isObject()) {
          throw new BadReviewException("request.object.spec.tolerations holds a non-object");
        }
        String path = "request.object.spec.tolerations[]";
        tolerations.add(
            new Toleration(
                text(t.get("key"), path + ".key"),
                text(t.get("operator"), path + ".operator"),
                text(t.get("value"), path + ".value"),
                text(t.get("effect"), path + ".effect")));
      }
    }
    return new PodPlacementPolicy.Pod(namespace, name, nodeName, tolerations);
  }

  private static String text(JsonNode node, String path) throws BadReviewException {
    if (node == null || node.isNull()) {
      return "";
    }
    if (!node.isTextual()) {
      throw new BadReviewException(path + " is not a string");
    }
    return node.asText();
  }
}
