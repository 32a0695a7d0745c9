package io.wgguard.admission;

import com.fasterxml.jackson.databind.JsonNode;
import io.wgguard.Messages;
import io.wgguard.policy.AdmissionInput.Operation;
import io.wgguard.policy.Decision;
import io.wgguard.policy.PodPlacementPolicy;
import io.wgguard.policy.PodPlacementPolicy.NodeStanding;
import io.wgguard.policy.PodPlacementPolicy.Toleration;
import io.wgguard.readiness.CheckerStatus;
import io.wgguard.readiness.CheckerView;
import io.wgguard.readiness.NodePlan;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Judges Pod CREATEs that pin a node: decode, look the node up in the checker's last pass (memory
 * only, no API call), call {@link PodPlacementPolicy}.
 */
@ApplicationScoped
public class PodAdmission {

  /** Metric and log name of this webhook. */
  public static final String WEBHOOK = "pod";

  private static final Logger LOG = Logger.getLogger(PodAdmission.class);

  private final PodPlacementPolicy policy;
  private final CheckerView checker;

  public PodAdmission(PodPlacementPolicy policy, CheckerView checker) {
    this.policy = policy;
    this.checker = checker;
  }

  /** Judges a parsed review. */
  public Decision judge(ReviewRequest review) throws BadReviewException {
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
    if (!decision.allowed() || !decision.warnings().isEmpty()) {
      LOG.infof(
          "decision=%s webhook=%s op=CREATE pod=%s/%s node=%s user=%s dryRun=%s uid=%s",
          decision.verdict().tag(),
          WEBHOOK,
          Messages.clip(pod.namespace()),
          Messages.clip(pod.name()),
          Messages.clip(pod.nodeName()),
          Messages.clip(review.user().username()),
          review.dryRun(),
          Messages.clip(review.uid()));
    }
    return decision;
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
