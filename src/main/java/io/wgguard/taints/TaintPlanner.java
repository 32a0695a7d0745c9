package io.wgguard.taints;

import io.wgguard.Messages;
import io.wgguard.evidence.NodeState;
import io.wgguard.evidence.NodeVerdict;
import io.wgguard.evidence.NotReadyReason;
import io.wgguard.evidence.Taint;
import io.wgguard.felix.EffectiveSetting;
import io.wgguard.felix.IpFamily;
import io.wgguard.taints.TaintChange.Action;
import io.wgguard.tunnels.ClusterAssessment;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Plans wgguard's taints from a {@link ClusterAssessment}. Pure: the reconciler applies {@link
 * TaintPlan#changes()} and nothing else, so it writes only on mismatch and never touches other
 * taints.
 *
 * <ul>
 *   <li>WireGuard on for no node and no family ({@link Posture#WIREGUARD_OFF}): every wgguard taint
 *       is removed, none is added. WireGuard on for some nodes only (a staged rollout, {@code
 *       default} off) is guarded on those nodes like a cluster-wide one.
 *   <li>Otherwise a not-ready node should carry exactly one taint, value = its reason, effect = the
 *       configured one; ready and exempt nodes should carry none. Extra wgguard taints (one per
 *       effect is possible) are removed in the same change, so each node gets at most one.
 *   <li>Safety brake: when the not-ready nodes are more than {@link TaintSettings#brakeFraction()}
 *       of the non-exempt nodes (exactly the fraction does not engage it), no new taint is added
 *       ({@link Posture#DEGRADED}); nodes already tainted keep their taint, updated to the current
 *       reason, and ready nodes still lose theirs.
 * </ul>
 */
public final class TaintPlanner {

  private TaintPlanner() {}

  /** The plan for this assessment under these settings. */
  public static TaintPlan plan(ClusterAssessment assessment, TaintSettings settings) {
    List<NodeVerdict> verdicts = assessment.verdicts();
    Map<NodeState, Integer> counts = new EnumMap<>(NodeState.class);
    for (NodeState state : NodeState.values()) {
      counts.put(state, 0);
    }
    Map<NotReadyReason, List<String>> notReady = new EnumMap<>(NotReadyReason.class);
    for (NodeVerdict verdict : verdicts) {
      counts.merge(verdict.state(), 1, Integer::sum);
      if (verdict.state() == NodeState.NOT_READY) {
        notReady.computeIfAbsent(verdict.reason(), r -> new ArrayList<>()).add(verdict.name());
      }
    }
    int nonExempt = counts.get(NodeState.READY) + counts.get(NodeState.NOT_READY);
    int failing = counts.get(NodeState.NOT_READY);
    // Every node where WireGuard is effectively on is guarded, whatever default says: in a staged
    // rollout default is off while node.<name> and selector-scoped objects turn it on.
    boolean on = assessment.enabledAnywhere() || assessment.enabledClusterWide();
    boolean brake =
        on
            && BigDecimal.valueOf(failing)
                    .compareTo(
                        BigDecimal.valueOf(settings.brakeFraction())
                            .multiply(BigDecimal.valueOf(nonExempt)))
                > 0;
    Posture posture;
    if (!on) {
      posture = Posture.WIREGUARD_OFF;
    } else if (failing == 0) {
      posture = Posture.HEALTHY;
    } else if (brake) {
      posture = Posture.DEGRADED;
    } else {
      posture = Posture.NODES_NOT_READY;
    }

    List<NodePlan> nodes = new ArrayList<>();
    List<TaintChange> changes = new ArrayList<>();
    List<String> withheld = new ArrayList<>();
    for (NodeVerdict verdict : verdicts) {
      Taint desired =
          on && verdict.state() == NodeState.NOT_READY
              ? Taint.of(verdict.reason(), settings.effect())
              : null;
      boolean held = false;
      if (brake && desired != null && verdict.taints().isEmpty()) {
        desired = null;
        held = true;
        withheld.add(verdict.name());
      }
      nodes.add(
          new NodePlan(
              verdict.name(), verdict.state(), verdict.reason(), verdict.taints(), desired, held));
      changes.addAll(diff(verdict.name(), verdict.taints(), desired));
    }
    String summary =
        summary(assessment, posture, counts, notReady, nonExempt, settings, withheld, changes);
    return new TaintPlan(
        posture,
        assessment.clusterFamilies(),
        nodes,
        changes,
        counts,
        notReady,
        brake,
        withheld,
        assessment.problems(),
        summary);
  }

  /**
   * The one change that makes the node's wgguard taints exactly {@code desired} (or none), if any.
   * One change per node, applied in one patch: a change per extra taint would have each write "none
   * of ours but the wanted one" and, run as separate patches, could take off the taint that should
   * stay.
   */
  private static List<TaintChange> diff(String node, List<Taint> current, Taint desired) {
    if (desired == null) {
      return current.isEmpty()
          ? List.of()
          : List.of(new TaintChange(node, Action.REMOVE, current, null));
    }
    if (current.isEmpty()) {
      return List.of(new TaintChange(node, Action.ADD, List.of(), desired));
    }
    if (current.equals(List.of(desired))) {
      return List.of();
    }
    return List.of(new TaintChange(node, Action.UPDATE, current, desired));
  }

  private static String summary(
      ClusterAssessment assessment,
      Posture posture,
      Map<NodeState, Integer> counts,
      Map<NotReadyReason, List<String>> notReady,
      int nonExempt,
      TaintSettings settings,
      List<String> withheld,
      List<TaintChange> changes) {
    List<String> parts = new ArrayList<>();
    String where = where(assessment);
    int failing = counts.get(NodeState.NOT_READY);
    parts.add(
        switch (posture) {
          case WIREGUARD_OFF -> offReason(assessment) + ", so wgguard taints no node";
          case HEALTHY -> where + " and every non-exempt node is ready";
          case NODES_NOT_READY ->
              "%s and %d of %d non-exempt nodes %s not ready"
                  .formatted(where, failing, nonExempt, failing == 1 ? "is" : "are");
          case DEGRADED ->
              ("%s and %d of %d non-exempt nodes %s not ready, more than the safety-brake fraction"
                      + " of %s, so no new taint is added")
                  .formatted(
                      where,
                      failing,
                      nonExempt,
                      failing == 1 ? "is" : "are",
                      percent(settings.brakeFraction()));
        });
    parts.add(
        "nodes: "
            + counts.get(NodeState.READY)
            + " ready, "
            + counts.get(NodeState.EXEMPT)
            + " exempt, "
            + failing
            + " not ready");
    notReady.forEach((reason, names) -> parts.add(reason.wire() + ": " + Messages.names(names)));
    if (!withheld.isEmpty()) {
      parts.add("held back by the brake: " + Messages.names(withheld));
    }
    parts.add(changes(changes));
    if (!assessment.problems().isEmpty()) {
      parts.add(assessment.problems().size() + " FelixConfiguration problem(s)");
    }
    return posture + ": " + String.join("; ", parts);
  }

  /**
   * {@code WireGuard (IPv4) is enabled cluster-wide}, or, in a staged rollout, {@code WireGuard
   * (IPv4) is enabled on 2 of 5 nodes}.
   */
  private static String where(ClusterAssessment assessment) {
    Set<IpFamily> on = EnumSet.noneOf(IpFamily.class);
    on.addAll(assessment.familiesOn());
    on.addAll(assessment.clusterFamilies());
    String families = on.stream().map(IpFamily::label).collect(Collectors.joining(" and "));
    if (on.equals(assessment.clusterFamilies())) {
      return "WireGuard (%s) is enabled cluster-wide".formatted(families);
    }
    return "WireGuard (%s) is enabled on %d of %d nodes"
        .formatted(families, assessment.nodesOn(), assessment.verdicts().size());
  }

  /** Why WireGuard is off: calico-node's environment when it decides, else the plain fact. */
  private static String offReason(ClusterAssessment assessment) {
    return assessment.cluster().values().stream()
        .filter(s -> s.level() == EffectiveSetting.Level.ENVIRONMENT && !s.enabled())
        .findFirst()
        .map(s -> "WireGuard forced off by %s on DaemonSet %s".formatted(s.source(), s.object()))
        .orElse("WireGuard is not enabled on any node");
  }

  private static String changes(List<TaintChange> changes) {
    if (changes.isEmpty()) {
      return "no taint change";
    }
    Map<Action, Long> byAction =
        changes.stream()
            .collect(
                Collectors.groupingBy(
                    TaintChange::action, () -> new EnumMap<>(Action.class), Collectors.counting()));
    return "taint changes: "
        + byAction.entrySet().stream()
            .map(e -> e.getValue() + " " + e.getKey().name().toLowerCase(Locale.ROOT))
            .collect(Collectors.joining(", "));
  }

  private static String percent(double fraction) {
    return BigDecimal.valueOf(fraction)
            .multiply(BigDecimal.valueOf(100))
            .setScale(1, RoundingMode.HALF_UP)
            .stripTrailingZeros()
            .toPlainString()
        + "%";
  }
}
