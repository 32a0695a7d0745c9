package io.wgguard.bench;

import io.wgguard.it.KubeCluster;
import io.wgguard.it.KubeCluster.User;
import io.wgguard.it.WgguardProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.HdrHistogram.Histogram;

/**
 * FelixConfiguration admission while wgguard's informers re-list every node (issue 24): the
 * packaged jar with the Deployment's JVM flags, a real kube-apiserver holding {@code -Dnodes}
 * synthetic nodes (default 65,000), the webhook at {@code -Drate=1000} requests/s (open loop, see
 * {@link OpenLoopLoad}), the body calico-node sends most (as {@link AdmissionBenchmark}).
 *
 * <p>Per build: idle for {@code -DidleSeconds}; then a window of {@code -DrelistSeconds} during
 * which kube-apiserver is restarted ({@link KubeCluster#restartApiServer()}): its new watch cache
 * starts at etcd's current revision and answers the informers' older resourceVersion with 410 Gone,
 * so they list every node again. The new kube-apiserver's {@code apiserver_request_total} for LIST
 * nodes is polled every second, which tells when the re-list's pages were served. The table gives
 * p50/p99/max idle, over the whole window, and over the seconds from the restart to 2 s after the
 * last LIST page. With {@code -Dbaseline.jar=PATH}, another build is measured the same way against
 * the same nodes afterwards.
 */
public final class RelistBenchmark {

  private RelistBenchmark() {}

  public static void main(String[] args) {
    BenchCluster.exitAfter(RelistBenchmark::run);
  }

  private static void run() throws Exception {
    int nodes = Integer.getInteger("nodes", 65_000);
    double rate = Double.parseDouble(System.getProperty("rate", "1000"));
    Duration idle = Duration.ofSeconds(Integer.getInteger("idleSeconds", 30));
    Duration window = Duration.ofSeconds(Integer.getInteger("relistSeconds", 180));
    int connections = Integer.getInteger("connections", 32);
    byte[] body =
        Files.readAllBytes(Path.of("src/test/resources/reviews/calico-node-update-default.json"));
    HttpClient http = HttpClient.newHttpClient();
    try (KubeCluster cluster = BenchCluster.start()) {
      Duration created = BenchCluster.createNodes(cluster.admin(), nodes, 32);
      System.err.printf("bench: %,d nodes created in %s%n", nodes, created);
      Table table =
          new Table(
              String.format(
                  "FelixConfiguration admission at %,.0f/s, idle and while the informers re-list"
                      + " %,d nodes after a kube-apiserver restart (wgguard %s)",
                  rate, nodes, String.join(" ", BenchCluster.wgguardJavaOptions())),
              "build",
              "part",
              "requests",
              "p50",
              "p99",
              "p99.9",
              "max",
              "errors",
              "re-list (LIST pages, from the restart)",
              "p99 within 2× idle p99");
      List<String> builds = new ArrayList<>(List.of(System.getProperty("wgguard.jar")));
      String baseline = System.getProperty("baseline.jar", "");
      if (!baseline.isBlank()) {
        builds.add(baseline);
      }
      for (String jar : builds) {
        System.setProperty("wgguard.jar", jar); // what WgguardProcess launches
        String build = jar.equals(builds.get(0)) ? "this build" : "baseline " + jar;
        try (WgguardProcess wgguard =
            WgguardProcess.launch(
                "bench-relist-" + builds.indexOf(jar),
                cluster.kubeconfig(User.ADMIN),
                BenchCluster.wgguardJavaOptions(),
                Map.of())) {
          KubeCluster.await(
              Duration.ofMinutes(15),
              "wgguard to see every node",
              () -> BenchCluster.wgguardNodes(http, wgguard.managementBase()) >= nodes);
          URI webhook = URI.create(wgguard.webhookBase() + "/admission/felixconfiguration");
          try (OpenLoopLoad load = new OpenLoopLoad(connections)) {
            load.run(
                "warm-up",
                webhook,
                body,
                rate,
                Duration.ofSeconds(10),
                Duration.ofSeconds(1),
                wgguard.pid());
            OpenLoopLoad.Result quiet =
                load.run("idle", webhook, body, rate, Duration.ofSeconds(2), idle, wgguard.pid());
            long idleP99 = quiet.latency().getValueAtPercentile(99);
            row(table, build, "idle", quiet.latency(), quiet, "", "");

            Relist relist = new Relist(cluster, Duration.ofSeconds(5), window);
            CompletableFuture<Void> restarter = CompletableFuture.runAsync(relist);
            OpenLoopLoad.Result during =
                load.run("re-list", webhook, body, rate, Duration.ZERO, window, wgguard.pid());
            restarter.join();
            row(
                table,
                build,
                "whole window (" + window.toSeconds() + " s, restart at 5 s)",
                during.latency(),
                during,
                relist.describe(),
                verdict(during.latency(), idleP99));
            if (relist.lastPage >= 0) {
              Histogram part = during.seconds(relist.restartAt, relist.lastPage + 3);
              row(
                  table,
                  build,
                  String.format(
                      "restart to re-list done (s %d–%d)", relist.restartAt, relist.lastPage + 2),
                  part,
                  during,
                  "",
                  verdict(part, idleP99));
            }
            System.err.printf(
                "bench: %s: idle p99 %s, window p99 %s; %s%n",
                build,
                Table.nanos(idleP99),
                Table.nanos(during.latency().getValueAtPercentile(99)),
                relist.describe());
            StringBuilder timeline = new StringBuilder("bench: worst latency by second:");
            for (int s = 0; s < window.toSeconds(); s++) {
              timeline.append(' ').append(s).append(':');
              timeline.append(Table.nanos(during.seconds(s, s + 1).getMaxValue()));
            }
            System.err.println(timeline);
          }
          if (!wgguard.isAlive()) {
            throw new IllegalStateException("wgguard exited:\n" + wgguard.log());
          }
        }
      }
      table.print();
    }
  }

  private static String verdict(Histogram h, long idleP99) {
    long p99 = h.getValueAtPercentile(99);
    return String.format("%s (%.1f×)", Table.verdict(p99 <= 2 * idleP99), p99 / (double) idleP99);
  }

  private static void row(
      Table table,
      String build,
      String part,
      Histogram h,
      OpenLoopLoad.Result r,
      String relist,
      String verdict) {
    table.row(
        build,
        part,
        String.format("%,d", h.getTotalCount()),
        Table.nanos(h.getValueAtPercentile(50)),
        Table.nanos(h.getValueAtPercentile(99)),
        Table.nanos(h.getValueAtPercentile(99.9)),
        Table.nanos(h.getMaxValue()),
        part.startsWith("restart")
            ? ""
            : r.errors() + (r.errorCauses().isEmpty() ? "" : " " + r.errorCauses()),
        relist,
        verdict);
  }

  /**
   * Restarts kube-apiserver {@code after} into the window, then polls the new one's LIST nodes
   * count every second until the window ends: the seconds (of the window) at which it first and
   * last grew.
   */
  static final class Relist implements Runnable {
    private final KubeCluster cluster;
    private final Duration after;
    private final Duration window;
    volatile int restartAt = -1;
    volatile int answeredAt = -1;
    volatile int firstPage = -1;
    volatile int lastPage = -1;
    volatile double pages;

    Relist(KubeCluster cluster, Duration after, Duration window) {
      this.cluster = cluster;
      this.after = after;
      this.window = window;
    }

    @Override
    public void run() {
      long start = System.nanoTime();
      BenchCluster.sleep(after);
      restartAt = second(start);
      try {
        cluster.restartApiServer();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      answeredAt = second(start);
      long end = start + window.toNanos();
      while (System.nanoTime() < end) {
        String metrics;
        try {
          metrics = cluster.admin().raw("/metrics");
        } catch (RuntimeException e) {
          metrics = null;
        }
        if (metrics != null) {
          double lists =
              BenchCluster.metric(
                  metrics,
                  "apiserver_request_total",
                  l -> l.contains("resource=\"nodes\"") && l.contains("verb=\"LIST\""));
          if (lists > pages) {
            if (firstPage < 0) {
              firstPage = second(start);
            }
            lastPage = second(start);
            pages = lists;
          }
        }
        BenchCluster.sleep(Duration.ofSeconds(1));
      }
    }

    private static int second(long start) {
      return (int) ((System.nanoTime() - start) / 1_000_000_000L);
    }

    String describe() {
      return lastPage < 0
          ? String.format(
              "restart at s %d, answering at s %d, **no LIST of nodes seen**",
              restartAt, answeredAt)
          : String.format(
              "restart at s %d, answering at s %d, %.0f LIST pages seen at s %d–%d",
              restartAt, answeredAt, pages, firstPage, lastPage);
    }
  }
}
