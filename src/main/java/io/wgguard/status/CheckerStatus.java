package io.wgguard.status;

import io.wgguard.NameIndex;
import io.wgguard.evidence.AgentLease;
import io.wgguard.evidence.NodeFacts;
import io.wgguard.evidence.NodeVerdict;
import io.wgguard.guard.RegistrationReport;
import io.wgguard.pass.PassResult;
import io.wgguard.pass.PreviousPass;
import io.wgguard.pass.StandingOverride;
import io.wgguard.taints.NodePlan;
import io.wgguard.taints.TaintPlan;
import io.wgguard.tunnels.ClusterAssessment;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The latest outcome of a checker pass, as every replica computes it: what health, {@code /status},
 * metrics and pod admission read. Never blocks, never calls the API server. Looking one node up is
 * a hash lookup: pod admission does it on every pinned pod's request.
 */
public final class CheckerStatus {

  private final TaintPlan plan;
  private final ClusterAssessment assessment;
  private final Instant at;
  private final String felixApiVersion;
  private final Map<String, String> unreadable;
  private final boolean leader;
  private final boolean dryRun;
  private final List<String> faults;
  private final String held;
  // Indexes, not HashMaps: the status lives until the next pass and its maps would be promoted
  // (see NameIndex); a pass over the same nodes shares the previous pass's tables.
  private final NameIndex<NodeVerdict> verdicts;
  private final NameIndex<NodePlan> plans;
  private final List<StandingOverride> overrides;
  // Set by of(...) only, before the status is published.
  private RegistrationReport registration = RegistrationReport.off();
  private final Map<String, AgentLease> leases;
  private final Map<String, Instant> summaries;

  /**
   * @param plan the taint plan of the last pass
   * @param assessment the readiness assessment of the last pass
   * @param at when the pass ran
   * @param felixApiVersion the FelixConfiguration API watched, empty when none is served
   * @param unreadable FelixConfigurations that could not be read, with reasons
   * @param leader whether this replica writes taints
   * @param dryRun whether taint writes are only reported
   * @param overrides FelixConfigurations carrying an override label
   */
  public CheckerStatus(
      TaintPlan plan,
      ClusterAssessment assessment,
      Instant at,
      String felixApiVersion,
      Map<String, String> unreadable,
      boolean leader,
      boolean dryRun,
      List<StandingOverride> overrides) {
    this(
        plan,
        assessment,
        at,
        felixApiVersion,
        unreadable,
        leader,
        dryRun,
        overrides,
        List.of(),
        "");
  }

  /**
   * @param faults what keeps the checker's view from being the cluster's (an API lost after it was
   *     seen, a watch down), one sentence each; empty when none
   * @param held why taint removals were held back in this pass; empty when none were
   */
  public CheckerStatus(
      TaintPlan plan,
      ClusterAssessment assessment,
      Instant at,
      String felixApiVersion,
      Map<String, String> unreadable,
      boolean leader,
      boolean dryRun,
      List<StandingOverride> overrides,
      List<String> faults,
      String held) {
    this(
        plan,
        assessment,
        at,
        felixApiVersion,
        unreadable,
        leader,
        dryRun,
        overrides,
        faults,
        held,
        Map.of(),
        Map.of());
  }

  /**
   * @param leases the node agents' Leases the pass saw, by node
   * @param summaries when each node's tunnel summary was read by its agent ({@code at}), by node
   */
  public CheckerStatus(
      TaintPlan plan,
      ClusterAssessment assessment,
      Instant at,
      String felixApiVersion,
      Map<String, String> unreadable,
      boolean leader,
      boolean dryRun,
      List<StandingOverride> overrides,
      List<String> faults,
      String held,
      Map<String, AgentLease> leases,
      Map<String, Instant> summaries) {
    this(
        plan,
        assessment,
        at,
        felixApiVersion,
        unreadable,
        leader,
        dryRun,
        overrides,
        faults,
        held,
        leases,
        summaries,
        NameIndex.of(assessment.verdicts(), NodeVerdict::name),
        NameIndex.of(plan.nodes(), NodePlan::node));
  }

  private CheckerStatus(
      TaintPlan plan,
      ClusterAssessment assessment,
      Instant at,
      String felixApiVersion,
      Map<String, String> unreadable,
      boolean leader,
      boolean dryRun,
      List<StandingOverride> overrides,
      List<String> faults,
      String held,
      Map<String, AgentLease> leases,
      Map<String, Instant> summaries,
      NameIndex<NodeVerdict> verdicts,
      NameIndex<NodePlan> plans) {
    this.leases = leases;
    this.summaries = summaries;
    this.overrides = List.copyOf(overrides);
    this.faults = List.copyOf(faults);
    this.held = held;
    this.plan = plan;
    this.assessment = assessment;
    this.at = at;
    this.felixApiVersion = felixApiVersion;
    this.unreadable = Map.copyOf(unreadable);
    this.leader = leader;
    this.dryRun = dryRun;
    this.verdicts = verdicts;
    this.plans = plans;
  }

  /**
   * What a replica publishes after {@code pass}; {@code leader} and {@code dryRun} say who writes.
   */
  public static CheckerStatus of(PassResult pass, boolean leader, boolean dryRun) {
    // A result CheckerPass made carries its indexes; one assembled by hand (a test) may not.
    PreviousPass.Indexes indexes = pass.next().indexes();
    NameIndex<NodeVerdict> verdicts =
        indexes.verdicts().items() == pass.assessment().verdicts()
            ? indexes.verdicts()
            : NameIndex.of(pass.assessment().verdicts(), NodeVerdict::name);
    NameIndex<NodePlan> plans =
        indexes.plans().items() == pass.plan().nodes()
            ? indexes.plans()
            : NameIndex.of(pass.plan().nodes(), NodePlan::node);
    NameIndex<NodeFacts> nodes =
        indexes.nodes().items() == pass.snapshot().nodes()
            ? indexes.nodes()
            : NameIndex.of(List.copyOf(pass.snapshot().nodes()), NodeFacts::name);
    CheckerStatus status =
        new CheckerStatus(
            pass.plan(),
            pass.assessment(),
            pass.at(),
            pass.snapshot().felixApiVersion(),
            pass.snapshot().unreadable(),
            leader,
            dryRun,
            pass.overrides(),
            pass.snapshot().faults(),
            pass.removal().held(),
            pass.snapshot().leases(),
            nodes.asMap(n -> n.tunnels() == null ? null : n.tunnels().at()),
            verdicts,
            plans);
    status.registration = pass.registration();
    return status;
  }

  /** What the pass found of wgguard's own webhook registrations; {@code off} when not watched. */
  public RegistrationReport registration() {
    return registration;
  }

  /** The verdict on one node, if the last pass saw it. */
  public Optional<NodeVerdict> verdict(String node) {
    return Optional.ofNullable(verdicts.get(node));
  }

  /** The plan for one node, if the last pass saw it. */
  public Optional<NodePlan> nodePlan(String node) {
    return Optional.ofNullable(plans.get(node));
  }

  /** The node agent's Lease on one node, if the last pass saw one. */
  public Optional<AgentLease> lease(String node) {
    return Optional.ofNullable(leases.get(node));
  }

  /** When the node's agent read the tunnel summary the last pass saw, if there was one. */
  public Optional<Instant> summaryAt(String node) {
    return Optional.ofNullable(summaries.get(node));
  }

  /** FelixConfigurations carrying an override label, stale or in force. */
  public List<StandingOverride> overrides() {
    return overrides;
  }

  public TaintPlan plan() {
    return plan;
  }

  public ClusterAssessment assessment() {
    return assessment;
  }

  public Instant at() {
    return at;
  }

  public String felixApiVersion() {
    return felixApiVersion;
  }

  public Map<String, String> unreadable() {
    return unreadable;
  }

  public boolean leader() {
    return leader;
  }

  public boolean dryRun() {
    return dryRun;
  }

  /** What keeps the checker's view from being the cluster's; empty when none. */
  public List<String> faults() {
    return faults;
  }

  /** Why taint removals were held back in the last pass; empty when none were. */
  public String held() {
    return held;
  }
}
