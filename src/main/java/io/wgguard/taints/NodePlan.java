package io.wgguard.taints;

import io.wgguard.evidence.NodeState;
import io.wgguard.evidence.NotReadyReason;
import io.wgguard.evidence.Taint;
import java.util.List;

/**
 * What the plan wants for one node.
 *
 * @param node the node name
 * @param state the node's readiness state
 * @param reason why it is not ready, null when ready or exempt
 * @param current wgguard's taints on the node now
 * @param desired the one taint the node should carry after the plan, null for none
 * @param withheld true when the node should be tainted but the safety brake holds the new taint
 *     back
 */
public record NodePlan(
    String node,
    NodeState state,
    NotReadyReason reason,
    List<Taint> current,
    Taint desired,
    boolean withheld) {

  public NodePlan {
    current = List.copyOf(current);
  }
}
