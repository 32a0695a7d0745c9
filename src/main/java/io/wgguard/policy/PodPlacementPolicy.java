package io.wgguard.policy;

import io.wgguard.Messages;
import io.wgguard.Names;
import io.wgguard.felix.Violation;
import io.wgguard.policy.Decision.Verdict;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether a Pod pinned to a node with {@code spec.nodeName} may be created. Pinning
 * bypasses the scheduler and so the checker's taint; this closes that gap. A pure function of the
 * pod, the node's readiness as the checker last saw it, and the settings.
 */
public final class PodPlacementPolicy {

  private final Set<String> exemptNamespaces;

  public PodPlacementPolicy(Set<String> exemptNamespaces) {
    this.exemptNamespaces = Set.copyOf(exemptNamespaces);
  }

  /**
   * A pod as admission sees it.
   *
   * @param namespace the pod's namespace
   * @param name the pod's name, or its generateName followed by {@code *}
   * @param nodeName {@code spec.nodeName}, empty when the scheduler will choose
   * @param tolerations {@code spec.tolerations}
   */
  public record Pod(String namespace, String name, String nodeName, List<Toleration> tolerations) {
    public Pod {
      tolerations = List.copyOf(tolerations);
    }
  }

  /** One toleration; null fields are absent. */
  public record Toleration(String key, String operator, String value, String effect) {

    /** Kubernetes' rule: does this toleration tolerate the taint key=value:effect? */
    public boolean tolerates(String taintKey, String taintValue, String taintEffect) {
      if (effect != null && !effect.isEmpty() && !effect.equals(taintEffect)) {
        return false;
      }
      if ("Exists".equals(operator)) {
        return key == null || key.isEmpty() || key.equals(taintKey);
      }
      if (operator == null || operator.isEmpty() || "Equal".equals(operator)) {
        return taintKey.equals(key) && taintValue.equals(value == null ? "" : value);
      }
      return false;
    }
  }

  /**
   * What the checker holds about the pod's node.
   *
   * @param known whether the checker has seen the node
   * @param refuse whether the checker holds it not ready and would taint it now (not when WireGuard
   *     is off cluster-wide, and not when the safety brake withholds the taint)
   * @param taintValue the taint the node has or would get (the reason)
   * @param taintEffect its effect
   * @param evidence the findings, each a sentence
   * @param withheldByBrake the node is not ready but the safety brake holds its taint back
   */
  public record NodeStanding(
      boolean known,
      boolean refuse,
      String taintValue,
      String taintEffect,
      List<String> evidence,
      boolean withheldByBrake) {
    public NodeStanding {
      evidence = List.copyOf(evidence);
    }

    /** The node is unknown to the checker (not synced yet, or just created). */
    public static NodeStanding unknown() {
      return new NodeStanding(false, false, "", "", List.of(), false);
    }
  }

  /** Judges a Pod CREATE. */
  public Decision decide(Pod pod, NodeStanding node) {
    if (pod.nodeName().isEmpty() || exemptNamespaces.contains(pod.namespace()) || !node.known()) {
      return allowed(List.of());
    }
    if (node.withheldByBrake()) {
      return allowed(
          List.of(
              "node "
                  + pod.nodeName()
                  + " is not WireGuard-ready ("
                  + node.taintValue()
                  + "), but the safety brake holds its taint back: the pod is admitted unencrypted"));
    }
    if (!node.refuse()) {
      return allowed(List.of());
    }
    String where = "pod " + pod.namespace() + "/" + pod.name();
    for (Toleration toleration : pod.tolerations()) {
      if (toleration.tolerates(Names.NOT_READY_TAINT, node.taintValue(), node.taintEffect())) {
        return new Decision(
            true,
            Verdict.OVERRIDDEN,
            "",
            List.of(
                where
                    + " tolerates "
                    + Names.NOT_READY_TAINT
                    + " and is pinned to node "
                    + pod.nodeName()
                    + ", which is not WireGuard-ready ("
                    + node.taintValue()
                    + "): its traffic is not encrypted"),
            Map.of("node", pod.nodeName(), "reason", node.taintValue(), "tolerated", "true"),
            List.of());
      }
    }
    String message =
        where
            + " is pinned to node "
            + pod.nodeName()
            + " (spec.nodeName), which wgguard holds not WireGuard-ready: "
            + node.taintValue()
            + (node.evidence().isEmpty()
                ? ""
                : " ("
                    + String.join("; ", node.evidence().stream().limit(Messages.MAX_NAMES).toList())
                    + ")")
            + ". Calico would send its traffic unencrypted. Wait until the node is ready, let the"
            + " scheduler place the pod (no spec.nodeName), or, if it must run there unencrypted,"
            + " add a toleration for "
            + Names.NOT_READY_TAINT
            + ".";
    return new Decision(
        false,
        Verdict.DENIED,
        message,
        List.of(),
        Map.of("node", pod.nodeName(), "reason", node.taintValue()),
        List.of(new Violation("spec.nodeName", Violation.Type.NODE_NOT_READY, message)));
  }

  private static Decision allowed(List<String> warnings) {
    return new Decision(true, Verdict.ALLOWED, "", warnings, Map.of(), List.of());
  }
}
