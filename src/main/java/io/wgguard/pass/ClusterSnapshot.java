package io.wgguard.pass;

import io.wgguard.evidence.AgentLease;
import io.wgguard.evidence.NodeFacts;
import io.wgguard.felix.CalicoNodeEnvironment;
import io.wgguard.felix.FelixObject;
import io.wgguard.guard.Registration;
import io.wgguard.guard.RegistrationPolicy;
import io.wgguard.tunnels.BlockAffinities;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
 * @param affinities the confirmed IPAM BlockAffinities the path check proves routes and allowed-ips
 *     against; {@link BlockAffinities#UNKNOWN} when not watched or not listed yet
 * @param calicoNodeOverrides the override label and expiry on each calico-node DaemonSet, by {@code
 *     namespace/name}
 * @param registrations wgguard's own ValidatingWebhookConfigurations present, by name; empty while
 *     not listed (or not watched)
 * @param trust the serving certificate and the CA file beside it, to judge caBundles
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
    BlockAffinities affinities,
    Map<String, SwitchOffTrace.OverrideMark> calicoNodeOverrides,
    Optional<Map<String, Registration>> registrations,
    RegistrationPolicy.Trust trust,
    Map<String, AgentLease> leases) {

  /**
   * A snapshot without the guard stage's inputs (an audit of a dump, a benchmark); {@code
   * affinities} {@link BlockAffinities#UNKNOWN} when there are none to prove paths against.
   */
  public ClusterSnapshot(
      Collection<FelixObject> felixConfigurations,
      Collection<CalicoNodeEnvironment> calicoNodes,
      CalicoNodeEnvironment.ConfigMaps configMaps,
      Collection<NodeFacts> nodes,
      String felixApiVersion,
      Map<String, String> unreadable,
      List<String> faults,
      BlockAffinities affinities) {
    this(
        felixConfigurations,
        calicoNodes,
        configMaps,
        nodes,
        felixApiVersion,
        unreadable,
        faults,
        affinities,
        Map.of(),
        Optional.empty(),
        new RegistrationPolicy.Trust(List.of(), ""),
        Map.of());
  }

  /** A snapshot without the guard stage's inputs and without IPAM blocks. */
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
        BlockAffinities.UNKNOWN);
  }

  public ClusterSnapshot {
    calicoNodeOverrides = Map.copyOf(calicoNodeOverrides);
    felixApiVersion = felixApiVersion == null ? "" : felixApiVersion;
    unreadable = Map.copyOf(unreadable);
    faults = List.copyOf(faults);
    affinities = affinities == null ? BlockAffinities.UNKNOWN : affinities;
    leases = Map.copyOf(leases);
  }
}
