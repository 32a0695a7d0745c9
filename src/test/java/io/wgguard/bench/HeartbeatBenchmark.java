package io.wgguard.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.wgguard.Names;
import io.wgguard.it.KubeCluster;
import io.wgguard.it.KubeCluster.User;
import io.wgguard.it.WgguardProcess;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The checker's cost of node agents heartbeating: {@code n} synthetic nodes whose {@code
 * WireGuardModuleReady} condition is renewed once per heartbeat period each (spread evenly, as
 * {@code n} agents would), against the same window with no heartbeat. Reports wgguard's CPU time,
 * the pass requests watch events made and the passes run ({@code wgguard_checker_*} metrics), and
 * the heartbeats kube-apiserver took.
 *
 * <p>Argument: the node count. {@code -DwindowSeconds=60} each window, {@code
 * -DheartbeatSeconds=60} the agents' period, {@code -DpatchThreads=32}.
 */
public final class HeartbeatBenchmark {

  private HeartbeatBenchmark() {}

  public static void main(String[] args) {
    BenchCluster.exitAfter(() -> run(args));
  }

  static void run(String[] args) throws Exception {
    int n = Integer.parseInt(args[0].replace(",", "").replace("_", ""));
    int window = Integer.getInteger("windowSeconds", 60);
    int period = Integer.getInteger("heartbeatSeconds", 60);
    int threads = Integer.getInteger("patchThreads", 32);
    Table table =
        new Table(
            String.format("Checker under agent heartbeats, %,d nodes", n),
            "what",
            "figure",
            "notes");
    HttpClient http = HttpClient.newHttpClient();
    List<String> jvm = BenchCluster.wgguardJavaOptions();
    Map<String, String> props = Map.of(); // the production interval (30 s)
    try (KubeCluster cluster = BenchCluster.start()) {
      KubernetesClient client = cluster.admin();
      BenchCluster.createNodes(client, n, 32);
      WgguardProcess wgguard =
          WgguardProcess.launch("bench-heartbeat-" + n, cluster.kubeconfig(User.ADMIN), jvm, props);
      try {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
        while (BenchCluster.wgguardNodes(http, wgguard.managementBase()) < n) {
          if (System.nanoTime() > deadline || !wgguard.isAlive()) {
            throw new IllegalStateException("wgguard did not sync:\n" + wgguard.log());
          }
          BenchCluster.sleep(Duration.ofMillis(200));
        }
        table.row("wgguard JVM options", "`" + String.join(" ", jvm) + "`", "interval 30s");
        BenchCluster.sleep(Duration.ofSeconds(5));

        Window quiet = Window.measure(http, wgguard, window, () -> 0);
        table.row(
            window + " s with no heartbeat",
            quiet.cpu(),
            quiet.counts() + "; the scheduled pass only");

        AtomicInteger sent = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Thread driver =
            new Thread(() -> drive(client, pool, n, period, sent, failed), "heartbeat-driver");
        driver.start();
        BenchCluster.sleep(Duration.ofSeconds(5)); // the rate settles
        Window beating = Window.measure(http, wgguard, window, sent::get);
        driver.interrupt();
        driver.join();
        pool.shutdownNow();
        table.row(
            window + " s with " + String.format("%,d", n) + " agents heartbeating",
            beating.cpu(),
            String.format(
                "%s; %,d heartbeats written (%.0f/s), %d failed",
                beating.counts(),
                beating.heartbeats(),
                beating.heartbeats() / (double) window,
                failed.get()));
      } finally {
        wgguard.close();
      }
    }
    table.print();
  }

  /** Renews node {@code i}'s condition at {@code i * period / n} into each period. */
  static void drive(
      KubernetesClient client,
      ExecutorService pool,
      int n,
      int period,
      AtomicInteger sent,
      AtomicInteger failed) {
    long start = System.nanoTime();
    long spacing = TimeUnit.SECONDS.toNanos(period) / n;
    for (long k = 0; !Thread.currentThread().isInterrupted(); k++) {
      long due = start + k * spacing;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException e) {
          return;
        }
      }
      String name = SyntheticNodes.name((int) (k % n));
      pool.execute(
          () -> {
            try {
              client
                  .nodes()
                  .withName(name)
                  .subresource("status")
                  .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), heartbeat(Instant.now()));
              sent.incrementAndGet();
            } catch (RuntimeException e) {
              failed.incrementAndGet();
            }
          });
    }
  }

  /** What the agent writes when nothing changed: the same condition, a new heartbeat. */
  static String heartbeat(Instant now) {
    return """
        {"status":{"conditions":[{"type":"%s","status":"True","reason":"ModuleLoaded",\
        "message":"wireguard module and interface present","lastHeartbeatTime":"%s"}]}}"""
        .formatted(
            Names.MODULE_READY_CONDITION, now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  }

  /** wgguard's CPU and pass counters over one window. */
  record Window(double cpuSeconds, int seconds, Double requests, Double passes, int heartbeats) {

    static Window measure(
        HttpClient http, WgguardProcess wgguard, int seconds, java.util.function.IntSupplier sent) {
      double cpu0 = Proc.cpuSeconds(wgguard.pid());
      String m0 = BenchCluster.body(http, wgguard.managementBase() + "/q/metrics");
      int s0 = sent.getAsInt();
      BenchCluster.sleep(Duration.ofSeconds(seconds));
      double cpu1 = Proc.cpuSeconds(wgguard.pid());
      String m1 = BenchCluster.body(http, wgguard.managementBase() + "/q/metrics");
      int s1 = sent.getAsInt();
      return new Window(
          cpu1 - cpu0,
          seconds,
          difference(
              counter(m0, "wgguard_checker_pass_requests_total"),
              counter(m1, "wgguard_checker_pass_requests_total")),
          difference(
              counter(m0, "wgguard_checker_passes_total"),
              counter(m1, "wgguard_checker_passes_total")),
          s1 - s0);
    }

    /** Null when the build does not export the counter (a baseline from before it existed). */
    static Double counter(String exposition, String name) {
      return exposition.contains(name) ? BenchCluster.metric(exposition, name, l -> true) : null;
    }

    static Double difference(Double before, Double after) {
      return before == null || after == null ? null : after - before;
    }

    String cpu() {
      return String.format(
          "%.2f CPU s (%.1f %% of a core)", cpuSeconds, 100 * cpuSeconds / seconds);
    }

    String counts() {
      if (requests == null || passes == null) {
        return "pass counters not exported by this build";
      }
      return String.format("%.0f pass requests, %.0f passes", requests, passes);
    }
  }
}
