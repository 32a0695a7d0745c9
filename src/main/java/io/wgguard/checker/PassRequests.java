package io.wgguard.checker;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * Turns pass requests into passes, one at a time on one thread.
 *
 * <ul>
 *   <li>Requests made while a pass is pending fold into it; a request made while a pass runs gets a
 *       pass after it, so no change goes unseen.
 *   <li>A request made before the cache is ready is kept, not dropped: the pending pass looks again
 *       every {@code readyPoll} and runs as soon as the cache is ready. Before, a request that
 *       arrived before sync was lost and nothing asked again until the scheduled pass, 30 s later
 *       (a loaded CI machine saw no pass at all in 20 s after election).
 * </ul>
 */
final class PassRequests {

  private static final Logger LOG = Logger.getLogger(PassRequests.class);

  private final BooleanSupplier ready;
  private final Runnable pass;
  private final Duration readyPoll;
  private final AtomicBoolean pending = new AtomicBoolean();
  private final ScheduledExecutorService worker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "wgguard-checker");
            thread.setDaemon(true);
            return thread;
          });

  PassRequests(BooleanSupplier ready, Runnable pass, Duration readyPoll) {
    this.ready = ready;
    this.pass = pass;
    this.readyPoll = readyPoll;
  }

  /** Asks for a pass soon; several requests before it starts make one pass. */
  void request() {
    if (pending.compareAndSet(false, true)) {
      submit(this::run, Duration.ZERO);
    }
  }

  /** Asks for a pass after {@code delay}, besides any requested meanwhile. */
  void requestIn(Duration delay) {
    submit(this::request, delay);
  }

  /** Stops running passes; later requests are ignored. */
  void stop() {
    worker.shutdownNow();
  }

  private void run() {
    if (!ready.getAsBoolean()) {
      submit(this::run, readyPoll); // still pending: requests keep folding into this pass
      return;
    }
    pending.set(false); // from here a new request gets a pass of its own, after this one
    try {
      pass.run();
    } catch (RuntimeException e) {
      LOG.errorf(e, "checker pass failed");
    }
  }

  private void submit(Runnable task, Duration delay) {
    try {
      worker.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException shuttingDown) {
      pending.set(false);
    }
  }
}
