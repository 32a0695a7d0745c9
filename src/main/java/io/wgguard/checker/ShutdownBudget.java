package io.wgguard.checker;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Bounds shutdown. Kubernetes sends SIGTERM and kills at the grace period (30 s by default). With
 * the API server unreachable, the lease release, a late discovery call and the client's pending
 * requests (each up to its 10 s connection timeout) kept a replica shutting down for 13 s on a busy
 * machine. From the first shutdown step on, this replica writes no taint and its lease release is
 * itself bounded; after {@link #BUDGET} the JVM halts, since whatever it has not released by then
 * it cannot reach anyway.
 */
@ApplicationScoped
public class ShutdownBudget {

  private static final Logger LOG = Logger.getLogger(ShutdownBudget.class);

  /** Longest shutdown; well inside the default grace period. */
  static final Duration BUDGET = Duration.ofSeconds(5);

  // First among the shutdown observers, so that the budget covers all of them.
  void onShutdown(@Observes @Priority(1) ShutdownEvent event) {
    if (LaunchMode.current() != LaunchMode.NORMAL) {
      return; // never halt a test or dev JVM
    }
    Thread watchdog =
        new Thread(
            () -> {
              try {
                Thread.sleep(BUDGET.toMillis());
              } catch (InterruptedException e) {
                return;
              }
              LOG.warnf(
                  "shutdown still running after %s (API server unreachable?): exiting now", BUDGET);
              Runtime.getRuntime().halt(1);
            },
            "wgguard-shutdown-budget");
    watchdog.setDaemon(true);
    watchdog.start();
  }
}
