package io.wgguard.taints;

import io.wgguard.evidence.NodeState;
import io.wgguard.evidence.NotReadyReason;
import io.wgguard.felix.IpFamily;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The taint plan for the whole cluster.
 *
 * @param posture the cluster's posture
 * @param clusterFamilies the families {@code default} turns on
 * @param nodes one plan per node, ordered by node name
 * @param changes only where a node's taints differ from what is wanted, ordered by node name
 * @param counts nodes per state, every state present
 * @param notReady per reason, the full list of not-ready nodes
 * @param brakeEngaged true when the safety brake holds new taints back
 * @param withheld nodes that should be tainted but are not, because of the brake
 * @param problems what could not be read in the FelixConfigurations
 * @param summary one line for logs, health data and {@code /status}; names capped at 5 per list
 */
public record TaintPlan(
    Posture posture,
    Set<IpFamily> clusterFamilies,
    List<NodePlan> nodes,
    List<TaintChange> changes,
    Map<NodeState, Integer> counts,
    Map<NotReadyReason, List<String>> notReady,
    boolean brakeEngaged,
    List<String> withheld,
    List<String> problems,
    String summary) {

  public TaintPlan {
    clusterFamilies =
        Collections.unmodifiableSet(
            clusterFamilies.isEmpty()
                ? EnumSet.noneOf(IpFamily.class)
                : EnumSet.copyOf(clusterFamilies));
    nodes = List.copyOf(nodes);
    changes = List.copyOf(changes);
    counts =
        Collections.unmodifiableMap(
            counts.isEmpty() ? new EnumMap<>(NodeState.class) : new EnumMap<>(counts));
    Map<NotReadyReason, List<String>> lists = new EnumMap<>(NotReadyReason.class);
    notReady.forEach((reason, names) -> lists.put(reason, List.copyOf(names)));
    notReady = Collections.unmodifiableMap(lists);
    withheld = List.copyOf(withheld);
    problems = List.copyOf(problems);
  }

  /** True when the reconciler has nothing to write. */
  public boolean noChange() {
    return changes.isEmpty();
  }
}
