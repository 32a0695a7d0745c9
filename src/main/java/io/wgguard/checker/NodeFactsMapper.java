package io.wgguard.checker;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.wgguard.Names;
import io.wgguard.evidence.NodeFacts;
import io.wgguard.evidence.Taint;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/** Reads what the readiness check needs from a fabric8 Node, and nothing more. */
public final class NodeFactsMapper {

  private NodeFactsMapper() {}

  /** The facts of one node. */
  public static NodeFacts facts(Node node) {
    var metadata = node.getMetadata();
    Map<String, String> labels = metadata.getLabels() == null ? Map.of() : metadata.getLabels();
    Map<String, String> annotations =
        metadata.getAnnotations() == null ? Map.of() : metadata.getAnnotations();
    NodeFacts.ModuleCondition condition = null;
    if (node.getStatus() != null && node.getStatus().getConditions() != null) {
      for (NodeCondition c : node.getStatus().getConditions()) {
        if (Names.MODULE_READY_CONDITION.equals(c.getType())) {
          condition =
              new NodeFacts.ModuleCondition(
                  c.getStatus(), instant(c.getLastHeartbeatTime()), c.getReason(), c.getMessage());
        }
      }
    }
    List<Taint> taints =
        node.getSpec() == null || node.getSpec().getTaints() == null
            ? List.of()
            : node.getSpec().getTaints().stream()
                .filter(t -> Names.NOT_READY_TAINT.equals(t.getKey()))
                .map(t -> new Taint(t.getValue(), t.getEffect()))
                .toList();
    return new NodeFacts(metadata.getName(), labels, annotations, condition, taints);
  }

  private static Instant instant(String timestamp) {
    if (timestamp == null || timestamp.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
