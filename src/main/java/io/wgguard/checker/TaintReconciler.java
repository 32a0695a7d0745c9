package io.wgguard.checker;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.wgguard.Names;
import io.wgguard.config.WgguardConfig;
import io.wgguard.evidence.Finding;
import io.wgguard.pass.CheckerPass;
import io.wgguard.pass.ClusterSnapshot;
import io.wgguard.pass.Departure;
import io.wgguard.pass.PassResult;
import io.wgguard.pass.PassSettings;
import io.wgguard.pass.PreviousPass;
import io.wgguard.pass.SwitchOffTrace;
import io.wgguard.status.CheckerStatus;
import io.wgguard.status.CheckerView;
import io.wgguard.taints.Posture;
import io.wgguard.taints.RemovalGuard;
import io.wgguard.taints.TaintChange;
import io.wgguard.taints.TaintPlan;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Runs checker passes: read the cache into a {@link ClusterSnapshot}, run the pure {@link
 * CheckerPass}, publish the status, and, on the lease leader outside dry-run, write the planned
 * taint changes the removal guard lets through.
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
  private final PassSettings settings;
  private final WgguardConfig config;
  private final Clock clock;
  private final PassRequests requests;
  private final RegistrationGuard guard;
  private volatile CheckerStatus status;
  private volatile Posture lastPosture;
  // What the last pass left (families and labels per node, a mass removal waiting for its
  // confirmation); checker thread only.
  private PreviousPass previous = PreviousPass.NONE;
  // The Events of joins the first pass found before this replica took the lease; checker thread
  // only.
  private final PendingJoinEvents pendingJoins = new PendingJoinEvents();
  private volatile List<String> lastFaults = List.of();

  public TaintReconciler(
      ClusterCache cache,
      TaintPatcher patcher,
      TaintWriterElection election,
      EventRecorder events,
      CheckerMetrics metrics,
      PassSettings settings,
      WgguardConfig config,
      Clock clock,
      RegistrationGuard guard) {
    this.guard = guard;
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
    guard.start(this::requestPass);
    election.start(this::requestPass);
  }

  void stop(@Observes ShutdownEvent event) {
    requests.stop();
    cache.stop();
    guard.stop();
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

  /** One pass; runs on the checker thread (tests call it directly). */
  void pass() {
    if (!cache.synced()) {
      return;
    }
    ClusterSnapshot snapshot =
        new ClusterSnapshot(
            cache.felixConfigurations(),
            cache.calicoNodes(),
            cache.configMapReader(),
            cache.nodes(),
            cache.felixApiVersion().orElse(""),
            cache.unreadableFelixConfigurations(),
            cache.faults(),
            cache.blockAffinities(),
            cache.calicoNodeOverrides(),
            guard.observed(),
            guard.trust(),
            cache.leases());
    PassResult result = CheckerPass.run(snapshot, previous, settings, clock.instant());
    boolean leader = election.isLeader();
    boolean dryRun = config.checker().dryRun();
    boolean writer = leader && !dryRun;
    status = CheckerStatus.of(result, leader, dryRun);
    TaintPlan plan = result.plan();
    metrics.pass(plan, result.overrides());
    metrics.exemptions(result.assessment().verdicts());
    reportDepartures(result, writer);
    reportUnexplained(result.unexplained(), writer);
    guard.apply(result.registration(), writer);
    metrics.forcedOffByEnvironment(result.forcedOffByEnvironment());
    metrics.tunnels(result.tunnels());
    List<String> faults = snapshot.faults();
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
    boolean waiting = previous.massRemovalSince() != null;
    previous = result.next(writer);
    if (plan.noChange()) {
      return;
    }
    if (!writer) {
      LOG.debugf(
          "%s: would %s",
          dryRun ? "dry-run" : "not the taint writer",
          plan.changes().stream().map(TaintChange::describe).toList());
      return;
    }
    RemovalGuard.Decision decision = result.removal();
    if (decision.recheckIn() != null && !waiting) {
      LOG.infof("%s", decision.held());
      requests.requestIn(decision.recheckIn());
    }
    for (TaintChange change : decision.write().changes()) {
      if (!election.isLeader()) {
        return; // lost the lease mid-pass: the new leader re-plans from fresh state
      }
      write(change);
    }
  }

  /**
   * Counts the nodes that left WireGuard since the last pass, by cause; the writer also records an
   * Event on each, since a relabelled node leaves WireGuard with no write admission could judge.
   * The joins of the first pass that this replica could not record yet wait for its first pass as
   * the writer ({@link PendingJoinEvents}).
   */
  private void reportDepartures(PassResult result, boolean writer) {
    List<Departure> departures = result.departures();
    if (writer && pendingJoins.any()) {
      Set<String> nodes = new HashSet<>();
      result.snapshot().nodes().forEach(n -> nodes.add(n.name()));
      for (Departure join : pendingJoins.release(nodes)) {
        events.onNode(join.node(), Names.EVENT_OFF_AT_JOIN, join.detail(), true);
      }
    }
    pendingJoins.keep(departures, previous == PreviousPass.NONE, writer);
    for (Departure departure : departures) {
      metrics.departed(departure.cause());
      LOG.warnf("%s", departure.detail());
      if (writer) {
        events.onNode(
            departure.node(),
            switch (departure.cause()) {
              case LABELS -> Names.EVENT_OFF_BY_LABELS;
              case FELIX_CONFIGURATION -> Names.EVENT_OFF_BY_FELIX;
              case JOINED -> Names.EVENT_OFF_AT_JOIN;
            },
            departure.detail(),
            true);
      }
    }
  }

  /**
   * The switch-offs no fresh override explains: the trace a bypass of admission leaves (a
   * registration tampered with, a write straight to etcd, a restore from backup).
   */
  private void reportUnexplained(List<SwitchOffTrace.Unexplained> unexplained, boolean writer) {
    for (SwitchOffTrace.Unexplained u : unexplained) {
      metrics.switchOffWithoutOverride();
      LOG.warnf("%s", u.detail());
      if (writer) {
        events.onNode(u.node(), Names.EVENT_OFF_WITHOUT_OVERRIDE, u.detail(), true);
      }
    }
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
