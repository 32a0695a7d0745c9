package io.wgguard.pass;

import io.wgguard.NameIndex;
import io.wgguard.evidence.NodeVerdict;
import io.wgguard.taints.NodePlan;
import io.wgguard.taints.TaintPlan;
import io.wgguard.tunnels.ClusterAssessment;
import io.wgguard.tunnels.TunnelReport;
import io.wgguard.tunnels.TunnelReport.NodeTunnels;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Hands back the previous pass's per-node results wherever this pass's are equal to them, so that
 * what a pass keeps until the next one is, on a cluster where little changed, the objects the
 * previous pass already kept.
 *
 * <p>Why: the results of a pass live until the next one (30 s by default), through several young
 * collections, and the Deployment's Serial collector then copies them into the old generation. At
 * 65,000 nodes a pass kept 29 MB of new verdicts, plans and indexes; the old generation filled
 * every few passes and each full collection stopped admission for 200-300 ms (BENCHMARKS.md,
 * "Admission during a re-list"). With the equal results replaced by the kept ones, this pass's new
 * objects die young and only what changed is promoted. The results are equal either way: only which
 * of two equal objects is kept differs.
 */
final class Unchanged {

  private Unchanged() {}

  /**
   * The assessment with its verdicts and per-node tunnel findings as kept where equal, and both
   * indexed by node name.
   */
  static Assessed assessment(ClusterAssessment fresh, PreviousPass.Indexes before) {
    List<NodeVerdict> verdicts = keep(fresh.verdicts(), NodeVerdict::name, before.verdicts());
    NameIndex<NodeVerdict> byName = NameIndex.of(verdicts, NodeVerdict::name, before.verdicts());
    TunnelReport tunnels = fresh.tunnels();
    NameIndex<NodeTunnels> tunnelsByName = NameIndex.empty();
    List<NodeTunnels> listed = inVerdictOrder(tunnels, verdicts);
    if (listed != null) {
      List<NodeTunnels> kept = keep(listed, NodeTunnels::node, before.tunnels());
      tunnelsByName = NameIndex.of(kept, NodeTunnels::node, before.tunnels());
      tunnels =
          new TunnelReport(
              tunnels.collected(),
              tunnelsByName.asMap(),
              tunnels.expectedPairs(),
              tunnels.healthyPairs(),
              tunnels.notReady());
    }
    ClusterAssessment assessment =
        verdicts == fresh.verdicts() && tunnels == fresh.tunnels()
            ? fresh
            : new ClusterAssessment(fresh.cluster(), verdicts, fresh.problems(), tunnels);
    return new Assessed(assessment, byName, tunnelsByName);
  }

  /**
   * The assessment as kept, and its per-node results by name.
   *
   * @param assessment the assessment, equal to the fresh one
   * @param verdicts its verdicts by node
   * @param tunnels its tunnel cross-check by checked node; empty when none was checked
   */
  record Assessed(
      ClusterAssessment assessment,
      NameIndex<NodeVerdict> verdicts,
      NameIndex<NodeTunnels> tunnels) {}

  /** The plan with its per-node plans as kept where equal. */
  static TaintPlan plan(TaintPlan fresh, NameIndex<NodePlan> before) {
    List<NodePlan> nodes = keep(fresh.nodes(), NodePlan::node, before);
    if (nodes == fresh.nodes()) {
      return fresh;
    }
    return new TaintPlan(
        fresh.posture(),
        fresh.clusterFamilies(),
        nodes,
        fresh.changes(),
        fresh.counts(),
        fresh.notReady(),
        fresh.brakeEngaged(),
        fresh.withheld(),
        fresh.problems(),
        fresh.summary());
  }

  /**
   * The report's per-node findings in verdict order; null when none were checked, or when the
   * report holds a node without a verdict (then it is kept as the policy made it).
   */
  private static List<NodeTunnels> inVerdictOrder(TunnelReport report, List<NodeVerdict> order) {
    if (report.nodes().isEmpty()) {
      return null;
    }
    List<NodeTunnels> listed = new ArrayList<>(report.nodes().size());
    for (NodeVerdict verdict : order) {
      NodeTunnels checked = report.nodes().get(verdict.name());
      if (checked != null) {
        listed.add(checked);
      }
    }
    return listed.size() == report.nodes().size() ? listed : null;
  }

  /**
   * {@code fresh} with each element replaced by the one {@code before} holds under the same name
   * when the two are equal; {@code before}'s own list when that leaves every element where it
   * stood, {@code fresh} itself (as an immutable list) when nothing could be replaced.
   */
  static <T> List<T> keep(List<T> fresh, Function<? super T, String> name, NameIndex<T> before) {
    List<T> old = before.items();
    if (old.isEmpty()) {
      return List.copyOf(fresh);
    }
    boolean sameList = fresh.size() == old.size();
    boolean anyKept = false;
    Object[] kept = new Object[fresh.size()];
    for (int i = 0; i < kept.length; i++) {
      T now = fresh.get(i);
      String key = name.apply(now);
      // Same names in the same order is the usual case: try the same position before the index.
      T then = i < old.size() ? old.get(i) : null;
      if (then == null || !key.equals(name.apply(then))) {
        then = before.get(key);
      }
      if (then != null && (then == now || then.equals(now))) {
        kept[i] = then;
        anyKept = true;
      } else {
        kept[i] = now;
      }
      sameList &= i < old.size() && kept[i] == old.get(i);
    }
    if (sameList) {
      return old;
    }
    if (!anyKept) {
      return List.copyOf(fresh);
    }
    @SuppressWarnings("unchecked")
    List<T> list = (List<T>) List.of(kept);
    return list;
  }
}
