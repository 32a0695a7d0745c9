package io.wgguard.pass;

import io.wgguard.NameIndex;
import io.wgguard.evidence.AgentLease;
import io.wgguard.evidence.NodeFacts;
import io.wgguard.evidence.NodeReadinessPolicy;
import io.wgguard.evidence.NodeVerdict;
import io.wgguard.felix.CalicoNodeEnvironment;
import io.wgguard.felix.EffectiveWireguard;
import io.wgguard.felix.EnvironmentSetting;
import io.wgguard.felix.FelixObject;
import io.wgguard.felix.IpFamily;
import io.wgguard.guard.RegistrationPolicy;
import io.wgguard.guard.RegistrationReport;
import io.wgguard.taints.NodePlan;
import io.wgguard.taints.RemovalGuard;
import io.wgguard.taints.TaintPlan;
import io.wgguard.taints.TaintPlanner;
import io.wgguard.tunnels.BlockAffinities;
import io.wgguard.tunnels.ClusterAssessment;
import io.wgguard.tunnels.TunnelPolicy;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The checker's one pass, as a pure function: (cluster snapshot, what the previous pass left,
 * settings, time) to one {@link PassResult}. The live reconciler, the offline {@code audit} and the
 * benchmarks all call {@link #run}; none of them assembles the stages itself, so {@code /status}
 * and {@code audit} answer alike on the same cluster.
 *
 * <p>The stages, in order:
 *
 * <ol>
 *   <li>Felix's WireGuard settings per node ({@link EffectiveWireguard}), calico-node's {@code
 *       FELIX_*} environment layered on top;
 *   <li>node evidence ({@link NodeReadinessPolicy}): keys, addresses, module readiness, and the
 *       node agents' Leases ({@code agent-silent} when one expired);
 *   <li>tunnels ({@link TunnelPolicy}): the agents' summaries cross-checked, and under {@code
 *       tunnel-evidence=enforce} joined to the verdicts;
 *   <li>taint planning ({@link TaintPlanner}) with the safety brake, then the {@link RemovalGuard};
 *   <li>departures since the previous pass, those no fresh override explains ({@link
 *       SwitchOffTrace}), nodes that joined with WireGuard off while {@code default} turns it on
 *       ({@link OffAtJoin}), and standing overrides;
 *   <li>wgguard's own webhook registrations against what it ships ({@link RegistrationPolicy}).
 * </ol>
 */
public final class CheckerPass {

  private CheckerPass() {}

  /** One pass over {@code snapshot} at {@code now}. */
  public static PassResult run(
      ClusterSnapshot snapshot, PreviousPass previous, PassSettings settings, Instant now) {
    EffectiveWireguard wireguard =
        EffectiveWireguard.of(
            snapshot.felixConfigurations(),
            new EffectiveWireguard.Environment(snapshot.calicoNodes(), snapshot.configMaps()));
    PreviousPass.Indexes before = previous.indexes();
    NameIndex<NodeFacts> nodes =
        NameIndex.of(List.copyOf(snapshot.nodes()), NodeFacts::name, before.nodes());
    Unchanged.Assessed assessed =
        Unchanged.assessment(
            assess(
                wireguard, nodes.items(), snapshot.affinities(), snapshot.leases(), settings, now),
            before);
    ClusterAssessment assessment = assessed.assessment();
    TaintPlan plan =
        Unchanged.plan(TaintPlanner.plan(assessment, settings.taints()), before.plans());
    PreviousPass.Indexes indexes =
        new PreviousPass.Indexes(
            nodes,
            assessed.verdicts(),
            assessed.tunnels(),
            NameIndex.of(plan.nodes(), NodePlan::node, before.plans()));
    RemovalGuard.Decision removal =
        RemovalGuard.decide(
            plan, snapshot.faults(), settings.taints(), previous.massRemovalSince(), now);
    Map<String, NodeFacts> byName = nodes.asMap();
    List<Departure> departures =
        new java.util.ArrayList<>(
            Departure.between(previous.families(), previous.labels(), wireguard, byName));
    Map<String, FelixObject> felixNow = new HashMap<>();
    snapshot.felixConfigurations().forEach(f -> felixNow.put(f.name(), f));
    List<SwitchOffTrace.Unexplained> unexplained =
        SwitchOffTrace.unexplained(
            departures,
            wireguard,
            byName,
            new SwitchOffTrace.ObjectsSeen(
                previous.felix(),
                felixNow,
                previous.calicoNodeOverrides(),
                snapshot.calicoNodeOverrides()),
            now);
    departures.addAll(OffAtJoin.find(previous.families().keySet(), wireguard, snapshot.nodes()));
    RegistrationReport registration =
        RegistrationPolicy.check(
            settings.registration(), snapshot.registrations(), snapshot.trust(), now);
    return new PassResult(
        snapshot,
        now,
        wireguard,
        assessment,
        plan,
        removal,
        departures,
        StandingOverride.of(snapshot.felixConfigurations(), now),
        forcedOff(snapshot.calicoNodes(), snapshot.configMaps()),
        leaves(indexes, snapshot, felixNow, removal),
        unexplained,
        registration);
  }

  /** The evidence and tunnel stages alone, on FelixConfigurations with no calico-node layer. */
  public static ClusterAssessment assess(
      Collection<FelixObject> felixConfigurations,
      Collection<NodeFacts> nodes,
      PassSettings settings,
      Instant now) {
    return assess(
        EffectiveWireguard.of(felixConfigurations, EffectiveWireguard.Environment.NONE),
        nodes,
        settings,
        now);
  }

  /** The evidence and tunnel stages alone: every node's verdict and the tunnel report. */
  public static ClusterAssessment assess(
      EffectiveWireguard wireguard,
      Collection<NodeFacts> nodes,
      PassSettings settings,
      Instant now) {
    return assess(wireguard, nodes, BlockAffinities.UNKNOWN, Map.of(), settings, now);
  }

  /** The evidence and tunnel stages alone, the path proven against these IPAM blocks. */
  public static ClusterAssessment assess(
      EffectiveWireguard wireguard,
      Collection<NodeFacts> nodes,
      BlockAffinities affinities,
      PassSettings settings,
      Instant now) {
    return assess(wireguard, nodes, affinities, Map.of(), settings, now);
  }

  /** The evidence and tunnel stages alone, with the node agents' Leases. */
  public static ClusterAssessment assess(
      EffectiveWireguard wireguard,
      Collection<NodeFacts> nodes,
      Map<String, AgentLease> leases,
      PassSettings settings,
      Instant now) {
    return assess(wireguard, nodes, BlockAffinities.UNKNOWN, leases, settings, now);
  }

  /**
   * The evidence and tunnel stages alone, the tunnels' path ({@link io.wgguard.tunnels.PathPolicy})
   * proven against these IPAM blocks, with the node agents' Leases: a node whose agent's Lease
   * expired is {@code agent-silent} where the agent's word counts (module source {@code condition},
   * the tunnel cross-check).
   */
  public static ClusterAssessment assess(
      EffectiveWireguard wireguard,
      Collection<NodeFacts> nodes,
      BlockAffinities affinities,
      Map<String, AgentLease> leases,
      PassSettings settings,
      Instant now) {
    List<NodeVerdict> verdicts =
        NodeReadinessPolicy.verdicts(wireguard, nodes, leases, settings.evidence(), now);
    return TunnelPolicy.crossCheck(
        new ClusterAssessment(wireguard.cluster(), verdicts, wireguard.problems()),
        nodes,
        affinities,
        leases,
        settings.tunnelEvidence(),
        settings.evidence().conditionMaxAge(),
        now);
  }

  private static PreviousPass leaves(
      PreviousPass.Indexes indexes,
      ClusterSnapshot snapshot,
      Map<String, FelixObject> felix,
      RemovalGuard.Decision removal) {
    return new PreviousPass(
        indexes.verdicts().asMap(NodeVerdict::families),
        indexes.nodes().asMap(NodeFacts::felixLabels),
        removal.massRemovalSince(),
        felix,
        snapshot.calicoNodeOverrides(),
        indexes);
  }

  /** How many IP families calico-node DaemonSets force off through their environment. */
  private static int forcedOff(
      Collection<CalicoNodeEnvironment> calicoNodes, CalicoNodeEnvironment.ConfigMaps configMaps) {
    int off = 0;
    for (CalicoNodeEnvironment daemonSet : calicoNodes) {
      for (IpFamily family : IpFamily.values()) {
        if (daemonSet.setting(family.field(), configMaps).state() == EnvironmentSetting.State.OFF) {
          off++;
        }
      }
    }
    return off;
  }
}
