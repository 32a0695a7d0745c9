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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * FelixConfiguration admission while wgguard's informers re-list every node (issue 24): the
 * packaged jar with the Deployment's JVM flags, a real kube-apiserver holding {@code -Dnodes}
 * synthetic nodes (default 65,000), the webhook at {@code -Drate=1000} requests/s (open loop, see
 * {@link OpenLoopLoad}), the body calico-node sends most (as {@link AdmissionBenchmark}).
 *
 * <p>Per build: a warm-up of {@code -DwarmupSeconds} at the same rate (the JIT's), idle for {@code
 * -DidleSeconds}; then a window of {@code -DrelistSeconds} during which kube-apiserver is restarted
 * {@code -Drestarts} times ({@link KubeCluster#restartApiServer()}, {@link Relist}): its new watch
 * cache starts at etcd's current revision and answers the informers' older resourceVersion with 410
 * Gone, so they list every node again. The new kube-apiserver's {@code apiserver_request_total} for
 * LIST nodes is polled every second, which tells when the re-list's pages were served. The table
 * gives p50/p99/max idle, over the whole window, and over the seconds from each restart to 2 s
 * after its last LIST page. With {@code -Dbaseline.jar=PATH}, another build is measured the same
 * way against the same nodes afterwards; with {@code -Dvariants="A|B"}, each build again with JVM
 * options A, then B, added to the Deployment's.
 *
 * <p>{@code -Dplacement=limit} (the default) runs wgguard under its Deployment's CPU limit ({@code
 * -DcpuLimit}, a CFS quota) and kube-apiserver and etcd at the lowest CPU weight ({@link
 * CpuPlacement}): in a cluster they run on other machines, and the restart's own work (the new
 * kube-apiserver reading every node from etcd into its watch cache, then serving the pages) is not
 * wgguard's to compete with. {@code -Dplacement=shared} leaves every process on the same cores at
 * the same weight, as the first runs of this benchmark did.
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
    String placementMode = System.getProperty("placement", "limit");
    if (!placementMode.equals("limit") && !placementMode.equals("shared")) {
      throw new IllegalArgumentException(
          "placement must be limit or shared, not '" + placementMode + "'");
    }
    byte[] body =
        Files.readAllBytes(Path.of("src/test/resources/reviews/calico-node-update-default.json"));
    Plan plan =
        new Plan(
            nodes,
            rate,
            Duration.ofSeconds(Integer.getInteger("warmupSeconds", 30)),
            idle,
            window,
            Integer.getInteger("restarts", 2),
            connections,
            body);
    HttpClient http = HttpClient.newHttpClient();
    try (KubeCluster cluster = BenchCluster.start();
        Placement placement = Placement.of(placementMode, cluster)) {
      Duration created = BenchCluster.createNodes(cluster.admin(), nodes, 32);
      System.err.printf("bench: %,d nodes created in %s%n", nodes, created);
      Table table =
          new Table(
              String.format(
                  "FelixConfiguration admission at %,.0f/s, idle and while the informers re-list"
                      + " %,d nodes after a kube-apiserver restart (wgguard %s; %s)",
                  rate,
                  nodes,
                  String.join(" ", BenchCluster.wgguardJavaOptions()),
                  placement.describe()),
              "build",
              "part",
              "requests",
              "p50",
              "p99",
              "p99.9",
              "max",
              "errors",
              "re-list (LIST pages, from the restart)",
              "p99 within 2× idle p99",
              "wgguard throttled (CFS)");
      List<String> builds = new ArrayList<>(List.of(System.getProperty("wgguard.jar")));
      String baseline = System.getProperty("baseline.jar", "");
      if (!baseline.isBlank()) {
        builds.add(baseline);
      }
      // -Dvariants="-XX:+UseZGC|-XX:+UseShenandoahGC": each build again with these JVM options
      // added to the Deployment's (an empty variant is the Deployment's own).
      List<String> variants =
          List.of(System.getProperty("variants", "").split("\\|", -1)).stream()
              .map(String::strip)
              .toList();
      int run = 0;
      for (String jar : builds) {
        for (String variant : variants) {
          System.setProperty("wgguard.jar", jar); // what WgguardProcess launches
          List<String> options = new ArrayList<>(BenchCluster.wgguardJavaOptions());
          if (!variant.isEmpty()) {
            options.addAll(List.of(variant.split("\\s+")));
          }
          String build =
              (jar.equals(builds.get(0)) ? "this build" : "baseline " + jar)
                  + (variant.isEmpty() ? "" : " " + variant);
          measure(cluster, placement, table, http, build, "bench-relist-" + run++, options, plan);
        }
      }
      table.print();
    }
  }

  private static void measure(
      KubeCluster cluster,
      Placement placement,
      Table table,
      HttpClient http,
      String build,
      String name,
      List<String> options,
      Plan plan)
      throws Exception {
    int nodes = plan.nodes();
    double rate = plan.rate();
    Duration idle = plan.idle();
    Duration window = plan.window();
    int restarts = plan.restarts();
    byte[] body = plan.body();
    try (WgguardProcess wgguard =
        WgguardProcess.launch(name, cluster.kubeconfig(User.ADMIN), options, Map.of())) {
      placement.limit(wgguard.pid());
      KubeCluster.await(
          Duration.ofMinutes(15),
          "wgguard to see every node",
          () -> BenchCluster.wgguardNodes(http, wgguard.managementBase()) >= nodes);
      URI webhook = URI.create(wgguard.webhookBase() + "/admission/felixconfiguration");
      try (OpenLoopLoad load = new OpenLoopLoad(plan.connections())) {
        load.run(
            "warm-up", webhook, body, rate, plan.warmup(), Duration.ofSeconds(1), wgguard.pid());
        CpuPlacement.Throttling before = placement.throttlingSample();
        OpenLoopLoad.Result quiet =
            load.run("idle", webhook, body, rate, Duration.ofSeconds(2), idle, wgguard.pid());
        long idleP99 = quiet.latency().getValueAtPercentile(99);
        row(table, build, "idle", quiet.latency(), quiet, "", "", placement.since(before));

        Relist relist = new Relist(cluster, restarts, window, placement::throttlingSample);
        CompletableFuture<Void> restarter = CompletableFuture.runAsync(relist);
        OpenLoopLoad.Result during =
            load.run("re-list", webhook, body, rate, Duration.ZERO, window, wgguard.pid());
        restarter.join();
        row(
            table,
            build,
            "whole window (" + window.toSeconds() + " s, " + restarts + " restarts)",
            during.latency(),
            during,
            relist.describe(),
            verdict(during.latency(), idleP99),
            relist.throttledBetween(0, relist.samples.size() - 1));
        int n = 0;
        for (Relist.Restart restart : relist.restarts) {
          n++;
          if (restart.lastPage < 0) {
            continue;
          }
          Histogram part = during.seconds(restart.restartAt, restart.lastPage + 3);
          row(
              table,
              build,
              String.format(
                  "restart %d to re-list done (s %d–%d)%s",
                  n,
                  restart.restartAt,
                  restart.lastPage + 2,
                  n == 1 ? ", the JVM's first re-list" : ""),
              part,
              during,
              "",
              verdict(part, idleP99),
              relist.throttledBetween(restart.restartAt, restart.lastPage + 3));
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

  /** What each build is put through. */
  record Plan(
      int nodes,
      double rate,
      Duration warmup,
      Duration idle,
      Duration window,
      int restarts,
      int connections,
      byte[] body) {}

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
      String verdict,
      String throttled) {
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
        verdict,
        throttled);
  }

  /** The benchmark's {@link CpuPlacement}, or none (every process on the same cores). */
  static final class Placement implements AutoCloseable {
    private final Optional<CpuPlacement> groups;

    private Placement(Optional<CpuPlacement> groups) {
      this.groups = groups;
    }

    static Placement of(String mode, KubeCluster cluster) {
      if (mode.equals("shared")) {
        return new Placement(Optional.empty());
      }
      String limit = System.getProperty("cpuLimit", "");
      double cpus;
      try {
        cpus = Double.parseDouble(limit);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "-DcpuLimit must be the Deployment's CPU limit in CPUs (bench/lib.sh reads it), not '"
                + limit
                + "'");
      }
      CpuPlacement groups =
          CpuPlacement.create("wgguard-bench-" + ProcessHandle.current().pid(), cpus)
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          CpuPlacement.ROOT
                              + " is not a writable cgroup v1 cpu controller (root is needed):"
                              + " BENCH_PLACEMENT=shared measures with every process on the same"
                              + " cores"));
      groups.yieldCpu(cluster.etcdPid());
      groups.yieldCpu(cluster.apiServerPid());
      cluster.relaunchInto(groups.yieldingProcs());
      return new Placement(Optional.of(groups));
    }

    void limit(long pid) {
      groups.ifPresent(g -> g.limit(pid));
    }

    /** wgguard's throttling counters now; null without a placement. */
    CpuPlacement.Throttling throttlingSample() {
      return groups.map(CpuPlacement::throttling).orElse(null);
    }

    /** wgguard's throttling since {@code before}; empty without a placement. */
    String since(CpuPlacement.Throttling before) {
      return before == null ? "" : throttlingSample().since(before).toString();
    }

    String describe() {
      return groups
          .map(CpuPlacement::describe)
          .orElse("every process on the same cores at the same weight");
    }

    @Override
    public void close() {
      groups.ifPresent(CpuPlacement::close);
    }
  }

  /**
   * Restarts kube-apiserver {@code restarts} times, evenly spread over the window (the first 5 s
   * in), and after each polls the new one's LIST nodes count every second until the next restart:
   * the seconds (of the window) at which it first and last grew. The first restart shows the first
   * re-list the JVM ever runs (code the JIT has not compiled yet); a later one shows a warm JVM.
   */
  static final class Relist implements Runnable {
    private final KubeCluster cluster;
    private final Duration window;
    final List<Restart> restarts = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final int count;

    /** wgguard's throttling counters at the end of each second of the window (null: none). */
    final List<CpuPlacement.Throttling> samples =
        java.util.Collections.synchronizedList(new ArrayList<>());

    private final Supplier<CpuPlacement.Throttling> throttling;

    Relist(
        KubeCluster cluster,
        int count,
        Duration window,
        Supplier<CpuPlacement.Throttling> throttling) {
      if (count < 1 || window.toSeconds() / count < 20) {
        throw new IllegalArgumentException(
            "restarts must be at least 1 and at least 20 s apart in the window, not "
                + count
                + " in "
                + window.toSeconds()
                + " s");
      }
      this.cluster = cluster;
      this.count = count;
      this.window = window;
      this.throttling = throttling;
    }

    /** One restart and the re-list after it, in seconds of the window. */
    static final class Restart {
      final int restartAt;
      volatile int answeredAt = -1;
      volatile int firstPage = -1;
      volatile int lastPage = -1;
      volatile double pages;

      Restart(int restartAt) {
        this.restartAt = restartAt;
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

    /** wgguard's throttling between the samples of two seconds; empty without a placement. */
    String throttledBetween(int from, int to) {
      synchronized (samples) {
        if (samples.isEmpty() || samples.get(0) == null) {
          return "";
        }
        int last = samples.size() - 1;
        int a = Math.max(0, Math.min(from, last));
        int b = Math.max(a, Math.min(to, last));
        return samples.get(b).since(samples.get(a)).toString();
      }
    }

    @Override
    public void run() {
      long start = System.nanoTime();
      samples.add(throttling.get());
      Thread sampler =
          new Thread(
              () -> {
                for (int s = 1; s <= window.toSeconds(); s++) {
                  long due = start + s * 1_000_000_000L;
                  BenchCluster.sleep(Duration.ofNanos(Math.max(0, due - System.nanoTime())));
                  samples.add(throttling.get());
                }
              },
              "bench-throttling");
      sampler.setDaemon(true);
      sampler.start();
      long spacing = window.toNanos() / count;
      for (int i = 0; i < count; i++) {
        long due = start + 5_000_000_000L + i * spacing;
        BenchCluster.sleep(Duration.ofNanos(Math.max(0, due - System.nanoTime())));
        Restart restart = new Restart(second(start));
        restarts.add(restart);
        try {
          cluster.restartApiServer();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        restart.answeredAt = second(start);
        long end = i + 1 < count ? due + spacing : start + window.toNanos();
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
            if (lists > restart.pages) {
              if (restart.firstPage < 0) {
                restart.firstPage = second(start);
              }
              restart.lastPage = second(start);
              restart.pages = lists;
            }
          }
          BenchCluster.sleep(Duration.ofSeconds(1));
        }
      }
    }

    private static int second(long start) {
      return (int) ((System.nanoTime() - start) / 1_000_000_000L);
    }

    String describe() {
      return String.join("; ", restarts.stream().map(Restart::describe).toList());
    }
  }
}
