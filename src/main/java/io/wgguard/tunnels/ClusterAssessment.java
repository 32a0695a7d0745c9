package io.wgguard.tunnels;

import io.wgguard.evidence.NodeVerdict;
import io.wgguard.felix.EffectiveSetting;
import io.wgguard.felix.IpFamily;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The readiness of every node, and what the cluster enables.
 *
 * @param cluster what {@code default} (or the built-in false) says per family
 * @param verdicts one per node, ordered by node name
 * @param problems what could not be read in the FelixConfigurations, each a sentence
 * @param tunnels the tunnel cross-check ({@link TunnelPolicy}); with {@link TunnelEvidence#ENFORCE}
 *     its findings are also in the verdicts
 */
public record ClusterAssessment(
    Map<IpFamily, EffectiveSetting> cluster,
    List<NodeVerdict> verdicts,
    List<String> problems,
    TunnelReport tunnels) {

  /** An assessment without tunnel cross-check. */
  public ClusterAssessment(
      Map<IpFamily, EffectiveSetting> cluster, List<NodeVerdict> verdicts, List<String> problems) {
    this(cluster, verdicts, problems, TunnelReport.NONE);
  }

  public ClusterAssessment {
    cluster =
        Collections.unmodifiableMap(
            cluster.isEmpty() ? new EnumMap<>(IpFamily.class) : new EnumMap<>(cluster));
    verdicts = List.copyOf(verdicts);
    problems = List.copyOf(problems);
    tunnels = tunnels == null ? TunnelReport.NONE : tunnels;
  }

  /** The families {@code default} turns on. */
  public Set<IpFamily> clusterFamilies() {
    Set<IpFamily> families = EnumSet.noneOf(IpFamily.class);
    cluster.values().stream()
        .filter(EffectiveSetting::enabled)
        .forEach(s -> families.add(s.family()));
    return Collections.unmodifiableSet(families);
  }

  /** True when {@code default} turns WireGuard on for at least one family. */
  public boolean enabledClusterWide() {
    return !clusterFamilies().isEmpty();
  }

  /**
   * The families WireGuard is effectively on for on at least one node, whatever {@code default}
   * says: a staged rollout enables it node by node or by selector.
   */
  public Set<IpFamily> familiesOn() {
    Set<IpFamily> families = EnumSet.noneOf(IpFamily.class);
    for (NodeVerdict verdict : verdicts) {
      families.addAll(verdict.families());
    }
    return Collections.unmodifiableSet(families);
  }

  /** How many nodes have WireGuard on for at least one family. */
  public int nodesOn() {
    int on = 0;
    for (NodeVerdict verdict : verdicts) {
      if (!verdict.families().isEmpty()) {
        on++;
      }
    }
    return on;
  }

  /** True when WireGuard is on for some family on some node: then the checker guards it. */
  public boolean enabledAnywhere() {
    for (NodeVerdict verdict : verdicts) {
      if (!verdict.families().isEmpty()) {
        return true;
      }
    }
    return false;
  }
}
