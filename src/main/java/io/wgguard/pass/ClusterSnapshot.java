package io.wgguard.pass;

import io.wgguard.evidence.AgentLease;
import io.wgguard.evidence.NodeFacts;
import io.wgguard.felix.CalicoNodeEnvironment;
import io.wgguard.felix.FelixObject;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What one {@link CheckerPass} reads: the cluster as the checker's caches hold it, or as a dump
 * ({@code audit}) gives it.
 *
 * @param felixConfigurations every readable FelixConfiguration of the group Felix reads
 * @param calicoNodes the calico-node DaemonSets' environments, the top layer of Felix's settings
 * @param configMaps the ConfigMaps those environments refer to
 * @param nodes every node
 * @param felixApiVersion the FelixConfiguration API read, empty when none is served
 * @param unreadable FelixConfigurations that could not be read, with reasons
 * @param faults what keeps this view from being the cluster's (an API lost after it was seen, a
 *     watch down), one sentence each; empty when none
 * @param leases the node agents' Leases, by node ({@code agent-silent} when one expired); empty
 *     when none are read (a dump without Leases, or no agent)
 */
public record ClusterSnapshot(
    Collection<FelixObject> felixConfigurations,
    Collection<CalicoNodeEnvironment> calicoNodes,
    CalicoNodeEnvironment.ConfigMaps configMaps,
    Collection<NodeFacts> nodes,
    String felixApiVersion,
    Map<String, String> unreadable,
    List<String> faults,
    Map<String, AgentLease> leases) {

  public ClusterSnapshot {
    felixApiVersion = felixApiVersion == null ? "" : felixApiVersion;
    unreadable = Map.copyOf(unreadable);
    faults = List.copyOf(faults);
    leases = Map.copyOf(leases);
  }

  /** A snapshot without Leases. */
  public ClusterSnapshot(
      Collection<FelixObject> felixConfigurations,
      Collection<CalicoNodeEnvironment> calicoNodes,
      CalicoNodeEnvironment.ConfigMaps configMaps,
      Collection<NodeFacts> nodes,
      String felixApiVersion,
      Map<String, String> unreadable,
      List<String> faults) {
    this(
        felixConfigurations,
        calicoNodes,
        configMaps,
        nodes,
        felixApiVersion,
        unreadable,
        faults,
        Map.of());
  }
}
