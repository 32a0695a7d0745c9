package io.wgguard.policy;

import io.wgguard.Messages;
import io.wgguard.Names;
import io.wgguard.policy.Decision.Verdict;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether a Pod pinned to a node with {@code spec.nodeName}, or a {@code pods/binding} to a
 * node, may be created. Both bypass the scheduler and so the checker's taint; this closes that gap.
 * A pure function of the pod or binding, the node's readiness as the checker last saw it, and the
 * settings.
 *
 * <p>A Binding carries no tolerations, and kube-apiserver sends no pod along with it (no {@code
 * oldObject}), so a binding is judged by its node and its requester alone: from a scheduler user,
 * which honours the taint and so binds only pods that tolerate it, it is admitted; from anyone
 * else, to a node the checker holds not ready, it is refused unless the namespace is exempt.
 * Looking the pod up would be an API call on the request path.
 *
 * <p>In dry run ({@code wgguard.checker.dry-run}) nothing is refused: what would be refused is
 * admitted with the refusal as a warning, as the checker then writes no taint either.
 */
public final class PodPlacementPolicy {

  private final Set<String> exemptNamespaces;
  private final Set<String> schedulers;
  private final boolean dryRun;

  /**
   * @param exemptNamespaces namespaces whose pods may be placed on any node
   * @param schedulers users whose bindings are admitted to any node (they honour the taint)
   * @param dryRun admit with a warning what would be refused
   */
  public PodPlacementPolicy(Set<String> exemptNamespaces, Set<String> schedulers, boolean dryRun) {
    this.exemptNamespaces = Set.copyOf(exemptNamespaces);
    this.schedulers = Set.copyOf(schedulers);
    this.dryRun = dryRun;
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
   * A {@code pods/binding} CREATE as admission sees it: the Binding names the pod and its target
   * node, not the pod's tolerations.
   *
   * @param namespace the pod's namespace
   * @param pod the pod's name
   * @param nodeName {@code target.name}
   * @param user the requester, {@code userInfo.username}
   */
  public record Binding(String namespace, String pod, String nodeName, String user) {}

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
      return Decision.allow(List.of());
    }
    if (node.withheldByBrake()) {
      return Decision.allow(List.of(braked(pod.nodeName(), node)));
    }
    if (!node.refuse()) {
      return Decision.allow(List.of());
    }
    String where = "pod " + pod.namespace() + "/" + pod.name();
    for (Toleration toleration : pod.tolerations()) {
      if (toleration.tolerates(Names.NOT_READY_TAINT, node.taintValue(), node.taintEffect())) {
        return new Decision(
            true,
            Verdict.OVERRIDDEN,
            "",
            List.of(
                "%s tolerates %s and is pinned to node %s, which is not WireGuard-ready (%s): its traffic is not encrypted"
                    .formatted(where, Names.NOT_READY_TAINT, pod.nodeName(), node.taintValue())),
            Map.of(
                Names.AUDIT_NODE,
                pod.nodeName(),
                Names.AUDIT_REASON,
                node.taintValue(),
                Names.AUDIT_TOLERATED,
                "true"),
            List.of());
      }
    }
    String message =
        "%s is pinned to node %s (spec.nodeName), which wgguard holds not WireGuard-ready: %s%s. Calico would send its traffic unencrypted. Wait until the node is ready, let the scheduler place the pod (no spec.nodeName), or, if it must run there unencrypted, add a toleration for %s."
            .formatted(
                where, pod.nodeName(), node.taintValue(), evidence(node), Names.NOT_READY_TAINT);
    return refuse(message, "spec.nodeName", pod.nodeName(), node);
  }

  /**
   * Judges a {@code pods/binding} CREATE: refused to a node the checker holds not ready, unless the
   * namespace is exempt or the requester is a scheduler (see the class comment).
   */
  public Decision decide(Binding binding, NodeStanding node) {
    if (binding.nodeName().isEmpty()
        || exemptNamespaces.contains(binding.namespace())
        || schedulers.contains(binding.user())
        || !node.known()) {
      return Decision.allow(List.of());
    }
    if (node.withheldByBrake()) {
      return Decision.allow(List.of(braked(binding.nodeName(), node)));
    }
    if (!node.refuse()) {
      return Decision.allow(List.of());
    }
    String message =
        "binding of pod %s/%s to node %s (pods/binding by %s), which wgguard holds not WireGuard-ready: %s%s. Calico would send its traffic unencrypted. A binding carries no tolerations, so wgguard admits one to such a node only from a scheduler (%s), which honours the taint %s. Wait until the node is ready, let the scheduler place the pod, or create it with spec.nodeName and a toleration for %s."
            .formatted(
                binding.namespace(),
                binding.pod(),
                binding.nodeName(),
                binding.user().isEmpty() ? "an unnamed requester" : binding.user(),
                node.taintValue(),
                evidence(node),
                String.join(", ", schedulers.stream().sorted().toList()),
                Names.NOT_READY_TAINT,
                Names.NOT_READY_TAINT);
    return refuse(message, "target.name", binding.nodeName(), node);
  }

  /** A refusal, or in dry run the same text as a warning on an admission. */
  private Decision refuse(String message, String field, String nodeName, NodeStanding node) {
    List<Violation> violations =
        List.of(new Violation(field, Violation.Type.NODE_NOT_READY, message));
    if (dryRun) {
      return new Decision(
          true,
          Verdict.WARNED,
          "",
          List.of("dry run (wgguard.checker.dry-run), not refused: " + message),
          Map.of(
              Names.AUDIT_NODE,
              nodeName,
              Names.AUDIT_REASON,
              node.taintValue(),
              Names.AUDIT_DRY_RUN,
              "true"),
          violations);
    }
    return new Decision(
        false,
        Verdict.DENIED,
        message,
        List.of(),
        Map.of(Names.AUDIT_NODE, nodeName, Names.AUDIT_REASON, node.taintValue()),
        violations);
  }

  private static String braked(String nodeName, NodeStanding node) {
    return "node %s is not WireGuard-ready (%s), but the safety brake holds its taint back: the pod is admitted unencrypted"
        .formatted(nodeName, node.taintValue());
  }

  private static String evidence(NodeStanding node) {
    return node.evidence().isEmpty()
        ? ""
        : " ("
            + String.join("; ", node.evidence().stream().limit(Messages.MAX_NAMES).toList())
            + ")";
  }
}
