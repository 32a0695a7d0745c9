package io.wgguard.readiness;

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
 */
public record ClusterAssessment(
    Map<IpFamily, EffectiveSetting> cluster, List<NodeVerdict> verdicts, List<String> problems) {

  public ClusterAssessment {
    cluster =
        Collections.unmodifiableMap(
            cluster.isEmpty() ? new EnumMap<>(IpFamily.class) : new EnumMap<>(cluster));
    verdicts = List.copyOf(verdicts);
    problems = List.copyOf(problems);
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
}
