package io.wgguard.checker;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.quarkus.runtime.ShutdownEvent;
import io.wgguard.config.WgguardConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Elects, through a Lease, the one replica that writes taints. Every replica serves admission and
 * computes status; only the leader patches nodes. A replica that loses the lease stops writing at
 * once and stands for election again.
 */
@ApplicationScoped
public class TaintWriterElection {

  private static final Logger LOG = Logger.getLogger(TaintWriterElection.class);

  /** Longest wait for the lease release at shutdown. */
  static final Duration RELEASE_BUDGET = Duration.ofSeconds(2);

  /** How long a lease holds without renewal: the longest another replica waits to take over. */
  static final Duration LEASE_DURATION = Duration.ofSeconds(15);

  private final KubernetesClient client;
  private final WgguardConfig config;
  private final String identity;
  private final AtomicBoolean leader = new AtomicBoolean();
  private volatile boolean stopping;
  private volatile CompletableFuture<?> election;
  private volatile Runnable onElected = () -> {};

  public TaintWriterElection(KubernetesClient client, WgguardConfig config) {
    this.client = client;
    this.config = config;
    this.identity =
        System.getenv().getOrDefault("HOSTNAME", "wgguard")
            + "-"
            + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Starts standing for election; {@code onElected} runs each time this replica wins. */
  public void start(Runnable onElected) {
    this.onElected = onElected;
    stand();
  }

  /** True while this replica holds the lease. */
  public boolean isLeader() {
    return leader.get();
  }

  /** This replica's identity in the Lease. */
  public String identity() {
    return identity;
  }

  /** The Lease's namespace: configured, else the namespace wgguard runs in, else default. */
  public String namespace() {
    return config
        .checker()
        .leaseNamespace()
        .orElseGet(() -> client.getNamespace() == null ? "default" : client.getNamespace());
  }

  private void stand() {
    if (stopping) {
      return;
    }
    election =
        client
            .leaderElector()
            .withConfig(
                new LeaderElectionConfigBuilder()
                    .withName("wgguard")
                    .withLock(new LeaseLock(namespace(), config.checker().leaseName(), identity))
                    .withLeaseDuration(LEASE_DURATION)
                    .withRenewDeadline(Duration.ofSeconds(10))
                    .withRetryPeriod(Duration.ofSeconds(2))
                    .withReleaseOnCancel(true)
                    .withLeaderCallbacks(
                        new LeaderCallbacks(
                            () -> {
                              leader.set(true);
                              LOG.infof(
                                  "%s now writes taints (lease %s)",
                                  identity, config.checker().leaseName());
                              onElected.run();
                            },
                            () -> {
                              leader.set(false);
                              LOG.infof("%s stopped writing taints", identity);
                            },
                            newLeader -> LOG.debugf("taint writer is %s", newLeader)))
                    .build())
            .build()
            .start();
    election.whenComplete(
        (ignored, error) -> {
          leader.set(false);
          if (!stopping) {
            if (error != null) {
              LOG.warnf("leader election ended (%s); standing again", error.getMessage());
            }
            CompletableFuture.delayedExecutor(2, java.util.concurrent.TimeUnit.SECONDS)
                .execute(this::stand);
          }
        });
  }

  /**
   * Stops writing at once, then gives the lease back so another replica need not wait out the lease
   * duration, but for at most {@link #RELEASE_BUDGET}: with the API server unreachable the release
   * (a Lease update, retried by the client) would hang well past Kubernetes' grace period, and an
   * unreleased lease only costs the other replica the lease duration.
   */
  void stop(@Observes ShutdownEvent event) {
    stopping = true;
    leader.set(false);
    CompletableFuture<?> running = election;
    if (running == null) {
      return;
    }
    Thread release = new Thread(() -> running.cancel(true), "wgguard-lease-release");
    release.setDaemon(true);
    release.start();
    try {
      release.join(RELEASE_BUDGET.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (release.isAlive()) {
      LOG.warnf(
          "could not give the lease back within %s (API server unreachable?); another replica"
              + " takes over when it expires",
          RELEASE_BUDGET);
    }
  }
}
