package io.wgguard.checker;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.wgguard.Names;
import io.wgguard.config.WgguardConfig;
import io.wgguard.evidence.AgentLease;
import io.wgguard.evidence.Finding;
import io.wgguard.evidence.NodeFacts;
import io.wgguard.evidence.NodeReadinessPolicy;
import io.wgguard.evidence.ReadinessSettings;
import io.wgguard.felix.CalicoNodeEnvironment;
import io.wgguard.felix.EffectiveWireguard;
import io.wgguard.felix.EnvironmentSetting;
import io.wgguard.felix.IpFamily;
import io.wgguard.pass.Departure;
import io.wgguard.pass.StandingOverride;
import io.wgguard.status.CheckerStatus;
import io.wgguard.status.CheckerView;
import io.wgguard.taints.Posture;
import io.wgguard.taints.RemovalGuard;
import io.wgguard.taints.TaintChange;
import io.wgguard.taints.TaintPlan;
import io.wgguard.taints.TaintPlanner;
import io.wgguard.tunnels.ClusterAssessment;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Runs checker passes: read the cache, assess and plan with the pure {@link NodeReadinessPolicy}
 * and {@link TaintPlanner}, publish the status, and, on the lease leader outside dry-run, write the
 * planned taint changes.
 *
 * <p>Passes run one at a time on one thread ({@link PassRequests}). Watch events and the scheduled
 * full pass only request a pass; requests arriving while one is pending are folded into it. Taint
 * removals pass the {@link RemovalGuard}: none while the view has a fault, and a mass removal only
 * once a second pass confirms it.
 */
@ApplicationScoped
public class TaintReconciler implements CheckerView {

  private static final Logger LOG = Logger.getLogger(TaintReconciler.class);

  private final ClusterCache cache;
  private final TaintPatcher patcher;
  private final TaintWriterElection election;
  private final EventRecorder events;
  private final CheckerMetrics metrics;
  private final ReadinessSettings settings;
  private final WgguardConfig config;
  private final Clock clock;
  private final PassRequests requests;
  private volatile CheckerStatus status;
  private volatile Posture lastPosture;
  // What the last pass saw, to tell which nodes left WireGuard since; checker thread only.
  private Map<String, Set<IpFamily>> familiesBefore = Map.of();
  private Map<String, Map<String, String>> labelsBefore = Map.of();
  private volatile List<String> lastFaults = List.of();

  /** When a mass removal was first planned, while it waits for its confirming pass. */
  private Instant massRemovalSince;

  public TaintReconciler(
      ClusterCache cache,
      TaintPatcher patcher,
      TaintWriterElection election,
      EventRecorder events,
      CheckerMetrics metrics,
      ReadinessSettings settings,
      WgguardConfig config,
      Clock clock) {
    this.cache = cache;
    this.patcher = patcher;
    this.election = election;
    this.events = events;
    this.metrics = metrics;
    this.settings = settings;
    this.config = config;
    this.clock = clock;
    // A pass waits for the cache; 100 ms after sync at the latest, it runs.
    this.requests = new PassRequests(cache::synced, this::pass, Duration.ofMillis(100));
  }

  void start(@Observes StartupEvent event) {
    if (!config.checker().enabled()) {
      LOG.info("node readiness checker disabled (wgguard.checker.enabled=false)");
      return;
    }
    cache.start(this::requestPass);
    election.start(this::requestPass);
  }

  void stop(@Observes ShutdownEvent event) {
    requests.stop();
    cache.stop();
  }

  /** The full pass, besides watch-driven ones. */
  @Scheduled(
      every = "${wgguard.checker.interval}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
      skipExecutionIf = CheckerDisabled.class)
  void scheduledPass() {
    cache.ensureFelixInformer();
    requestPass();
  }

  /**
   * Asks for a pass soon; several requests before it starts make one pass, and one made before the
   * cache has synced runs as soon as it has.
   */
  public void requestPass() {
    metrics.passRequested();
    requests.request();
  }

  @Override
  public Optional<CheckerStatus> status() {
    return Optional.ofNullable(status);
  }

  @Override
  public boolean synced() {
    return !config.checker().enabled() || cache.synced();
  }

  private static Map<String, Instant> summaries(Collection<NodeFacts> nodes) {
    Map<String, Instant> at = new HashMap<>();
    for (NodeFacts node : nodes) {
      if (node.tunnels() != null) {
        at.put(node.name(), node.tunnels().at());
      }
    }
    return at;
  }

  /** One pass; runs on the checker thread (tests call it directly). */
  void pass() {
    if (!cache.synced()) {
      return;
    }
    var felix = cache.felixConfigurations();
    List<String> faults = cache.faults();
    Collection<NodeFacts> nodes = cache.nodes();
    Instant now = clock.instant();
    var calicoNodes = cache.calicoNodes();
    var configMaps = cache.configMapReader();
    // calico-node's FELIX_* environment is the top layer, above every FelixConfiguration.
    EffectiveWireguard wireguard =
        EffectiveWireguard.of(felix).withEnvironment(calicoNodes, configMaps);
    Map<String, AgentLease> leases = cache.leases();
    ClusterAssessment assessment =
        NodeReadinessPolicy.assess(wireguard, nodes, leases, settings, now);
    TaintPlan plan = TaintPlanner.plan(assessment, settings);
    List<StandingOverride> overrides = StandingOverride.of(felix, now);
    boolean leader = election.isLeader();
    boolean dryRun = config.checker().dryRun();
    RemovalGuard.Decision decision =
        RemovalGuard.decide(
            plan,
            faults,
            settings.brakeFraction(),
            massRemovalSince,
            now,
            config.checker().removalConfirmDelay());
    status =
        new CheckerStatus(
            plan,
            assessment,
            now,
            cache.felixApiVersion().orElse(""),
            cache.unreadableFelixConfigurations(),
            leader,
            dryRun,
            overrides,
            faults,
            decision.held(),
            leases,
            summaries(nodes));
    metrics.pass(plan, overrides);
    reportDepartures(assessment, nodes, wireguard, leader && !dryRun);
    metrics.forcedOffByEnvironment(forcedOff(calicoNodes, configMaps));
    metrics.tunnels(assessment.tunnels());
    if (!faults.equals(lastFaults)) {
      if (faults.isEmpty()) {
        LOG.infof("the checker's view is whole again");
      } else {
        LOG.warnf("checker fault, no taint is removed meanwhile: %s", String.join("; ", faults));
      }
      lastFaults = faults;
    }
    if (plan.posture() != lastPosture) {
      LOG.infof("posture %s: %s", plan.posture(), plan.summary());
      lastPosture = plan.posture();
    }
    if (plan.noChange()) {
      massRemovalSince = null;
      return;
    }
    if (dryRun || !leader) {
      massRemovalSince = null;
      LOG.debugf(
          "%s: would %s",
          dryRun ? "dry-run" : "not the taint writer",
          plan.changes().stream().map(TaintChange::describe).toList());
      return;
    }
    if (decision.recheckIn() != null && massRemovalSince == null) {
      LOG.infof("%s", decision.held());
      requests.requestIn(decision.recheckIn());
    }
    massRemovalSince = decision.massRemovalSince();
    for (TaintChange change : decision.write().changes()) {
      if (!election.isLeader()) {
        return; // lost the lease mid-pass: the new leader re-plans from fresh state
      }
      write(change);
    }
  }

  /**
   * Nodes that left WireGuard since the last pass, counted by cause; the writer also records an
   * Event on each, since a relabelled node leaves WireGuard with no write admission could judge.
   */
  private void reportDepartures(
      ClusterAssessment assessment,
      Collection<NodeFacts> nodes,
      EffectiveWireguard wireguard,
      boolean writer) {
    Map<String, NodeFacts> byName = new HashMap<>(nodes.size() * 2);
    nodes.forEach(n -> byName.put(n.name(), n));
    for (Departure departure : Departure.between(familiesBefore, labelsBefore, wireguard, byName)) {
      metrics.departed(departure.cause());
      LOG.warnf("%s", departure.detail());
      if (writer) {
        events.onNode(
            departure.node(),
            departure.cause() == Departure.Cause.LABELS
                ? Names.EVENT_OFF_BY_LABELS
                : Names.EVENT_OFF_BY_FELIX,
            departure.detail(),
            true);
      }
    }
    Map<String, Set<IpFamily>> families = new HashMap<>(nodes.size() * 2);
    assessment.verdicts().forEach(v -> families.put(v.name(), v.families()));
    Map<String, Map<String, String>> labels = new HashMap<>(nodes.size() * 2);
    nodes.forEach(n -> labels.put(n.name(), n.labels()));
    familiesBefore = families;
    labelsBefore = labels;
  }

  /** How many IP families calico-node DaemonSets force off through their environment. */
  private static int forcedOff(
      java.util.Collection<CalicoNodeEnvironment> calicoNodes,
      CalicoNodeEnvironment.ConfigMaps configMaps) {
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

  private void write(TaintChange change) {
    TaintPatcher.Outcome outcome = patcher.apply(change.node(), change.to());
    switch (outcome) {
      case APPLIED -> {
        metrics.changed(change.action());
        LOG.infof("%s", change.describe());
        boolean tainting = change.to() != null;
        events.onNode(
            change.node(),
            tainting ? Names.EVENT_NOT_READY : Names.EVENT_READY,
            tainting
                ? "wgguard tainted the node "
                    + change.to().describe()
                    + ": "
                    + findings(change.node())
                : "WireGuard proven again: wgguard removed its taint "
                    + TaintChange.describe(change.from()),
            tainting);
      }
      case ALREADY_SO, NODE_GONE -> LOG.debugf("%s: %s", change.describe(), outcome);
      case FAILED -> LOG.warnf("could not %s; the next pass retries", change.describe());
    }
  }

  private String findings(String node) {
    CheckerStatus current = status;
    return current == null
        ? ""
        : current
            .verdict(node)
            .map(v -> String.join("; ", v.findings().stream().map(Finding::detail).toList()))
            .orElse("");
  }

  /** Skips the scheduled pass when the checker is off. */
  @jakarta.inject.Singleton
  public static class CheckerDisabled implements Scheduled.SkipPredicate {
    private final WgguardConfig config;

    public CheckerDisabled(WgguardConfig config) {
      this.config = config;
    }

    @Override
    public boolean test(io.quarkus.scheduler.ScheduledExecution execution) {
      return !config.checker().enabled();
    }
  }
}
