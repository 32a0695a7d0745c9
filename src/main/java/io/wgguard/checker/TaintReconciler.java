package io.wgguard.checker;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.wgguard.Names;
import io.wgguard.config.WgguardConfig;
import io.wgguard.readiness.CheckerStatus;
import io.wgguard.readiness.CheckerView;
import io.wgguard.readiness.ClusterAssessment;
import io.wgguard.readiness.Finding;
import io.wgguard.readiness.NodeReadinessPolicy;
import io.wgguard.readiness.Posture;
import io.wgguard.readiness.ReadinessSettings;
import io.wgguard.readiness.TaintChange;
import io.wgguard.readiness.TaintPlan;
import io.wgguard.readiness.TaintPlanner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Runs checker passes: read the cache, assess and plan with the pure {@link NodeReadinessPolicy}
 * and {@link TaintPlanner}, publish the status, and, on the lease leader outside dry-run, write the
 * planned taint changes.
 *
 * <p>Passes run one at a time on one thread. Watch events and the scheduled full pass only request
 * a pass; requests arriving while one is pending are folded into it.
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
  private final AtomicBoolean pending = new AtomicBoolean();
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread thread = new Thread(r, "wgguard-checker");
            thread.setDaemon(true);
            return thread;
          });
  private volatile CheckerStatus status;
  private volatile Posture lastPosture;

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
    worker.shutdownNow();
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

  /** Asks for a pass soon; several requests before it starts make one pass. */
  public void requestPass() {
    if (pending.compareAndSet(false, true)) {
      try {
        worker.execute(
            () -> {
              pending.set(false);
              try {
                pass();
              } catch (RuntimeException e) {
                LOG.errorf(e, "checker pass failed");
              }
            });
      } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
        pending.set(false);
      }
    }
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
    var felix = cache.felixConfigurations();
    ClusterAssessment assessment =
        NodeReadinessPolicy.assess(felix, cache.nodes(), settings, clock.instant());
    TaintPlan plan = TaintPlanner.plan(assessment, settings);
    boolean leader = election.isLeader();
    boolean dryRun = config.checker().dryRun();
    status =
        new CheckerStatus(
            plan,
            assessment,
            clock.instant(),
            cache.felixApiVersion().orElse(""),
            cache.unreadableFelixConfigurations(),
            leader,
            dryRun);
    metrics.pass(
        plan, (int) felix.stream().filter(f -> f.label(Names.OVERRIDE_LABEL).isPresent()).count());
    if (plan.posture() != lastPosture) {
      LOG.infof("posture %s: %s", plan.posture(), plan.summary());
      lastPosture = plan.posture();
    }
    if (plan.noChange()) {
      return;
    }
    if (dryRun || !leader) {
      LOG.debugf(
          "%s: would %s",
          dryRun ? "dry-run" : "not the taint writer",
          plan.changes().stream().map(TaintChange::describe).toList());
      return;
    }
    for (TaintChange change : plan.changes()) {
      if (!election.isLeader()) {
        return; // lost the lease mid-pass: the new leader re-plans from fresh state
      }
      write(change);
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
            tainting ? "WireGuardNotReady" : "WireGuardReady",
            tainting
                ? "wgguard tainted the node "
                    + change.to().describe()
                    + ": "
                    + findings(change.node())
                : "WireGuard proven again: wgguard removed its taint " + change.from().describe(),
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
