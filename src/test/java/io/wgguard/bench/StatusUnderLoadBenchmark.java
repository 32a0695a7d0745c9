package io.wgguard.bench;

import io.wgguard.it.KubeCluster;
import io.wgguard.it.KubeCluster.User;
import io.wgguard.it.WgguardProcess;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;

/**
 * FelixConfiguration admission while {@code GET /status} of every node is fetched in a loop: the
 * packaged jar with the Deployment's JVM flags and a real kube-apiserver holding {@code -Dnodes}
 * synthetic nodes (default 65,000). Before /status left the event loop, building its 16.6 MB
 * document there took 5.7 s, and every admission call queued behind it.
 *
 * <p>Each of {@code -Druns=3} runs measures the webhook at {@code -Drate=1000} requests/s (open
 * loop, see {@link OpenLoopLoad}) for {@code -DmeasureSeconds=20}: once quiet, once with one client
 * fetching the whole /status over and over (reading the stream to the end). The table gives p50,
 * p99 and max of each, and the /status fetches made meanwhile; the summary, the median and range of
 * the p99s over the runs. With {@code -Dbaseline.jar=PATH}, another build is measured the same way
 * against the same nodes afterwards (e.g. one from before a change).
 */
public final class StatusUnderLoadBenchmark {

  private StatusUnderLoadBenchmark() {}

  public static void main(String[] args) {
    BenchCluster.exitAfter(() -> run());
  }

  private static void run() throws Exception {
    int nodes = Integer.getInteger("nodes", 65_000);
    int runs = Integer.getInteger("runs", 3);
    double rate = Double.parseDouble(System.getProperty("rate", "1000"));
    Duration warmup = Duration.ofSeconds(Integer.getInteger("warmupSeconds", 10));
    Duration measure = Duration.ofSeconds(Integer.getInteger("measureSeconds", 20));
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
                  "FelixConfiguration admission at %,.0f/s while GET /status of %,d nodes is"
                      + " fetched in a loop (wgguard %s)",
                  rate, nodes, String.join(" ", BenchCluster.wgguardJavaOptions())),
              "build, run",
              "/status",
              "p50",
              "p99",
              "max",
              "errors",
              "/status fetches meanwhile",
              "/status time (median)",
              "/status size");
      List<String> builds = new ArrayList<>(List.of(System.getProperty("wgguard.jar")));
      String baseline = System.getProperty("baseline.jar", "");
      if (!baseline.isBlank()) {
        builds.add(baseline);
      }
      for (String jar : builds) {
        System.setProperty("wgguard.jar", jar); // what WgguardProcess launches
        String build = jar.equals(builds.get(0)) ? "this build" : "baseline " + jar;
        List<Long> quietP99 = new ArrayList<>();
        List<Long> loadedP99 = new ArrayList<>();
        try (WgguardProcess wgguard =
            WgguardProcess.launch(
                "bench-status-under-load-" + builds.indexOf(jar),
                cluster.kubeconfig(User.ADMIN),
                BenchCluster.wgguardJavaOptions(),
                Map.of())) {
          KubeCluster.await(
              Duration.ofMinutes(15),
              "wgguard to see every node",
              () -> BenchCluster.wgguardNodes(http, wgguard.managementBase()) >= nodes);
          URI webhook = URI.create(wgguard.webhookBase() + "/admission/felixconfiguration");
          URI status = URI.create(wgguard.managementBase() + "/status");
          try (OpenLoopLoad load = new OpenLoopLoad(connections)) {
            load.run("warm-up", webhook, body, rate, warmup, Duration.ofSeconds(1), wgguard.pid());
            fetch(http, status); // the first /status of a JVM includes its warm-up
            for (int run = 1; run <= runs; run++) {
              OpenLoopLoad.Result quiet =
                  load.run(
                      "quiet", webhook, body, rate, Duration.ofSeconds(2), measure, wgguard.pid());
              quietP99.add(quiet.latency().getValueAtPercentile(99));
              row(table, build + ", " + run, "none", quiet, List.of(), 0);

              StatusLoop loop = new StatusLoop(http, status);
              Thread fetcher = new Thread(loop, "status-loop");
              fetcher.setDaemon(true);
              fetcher.start();
              OpenLoopLoad.Result loaded =
                  load.run(
                      "with /status",
                      webhook,
                      body,
                      rate,
                      Duration.ofSeconds(2),
                      measure,
                      wgguard.pid());
              loop.stop.set(true);
              fetcher.join(120_000);
              loadedP99.add(loaded.latency().getValueAtPercentile(99));
              row(table, build + ", " + run, "in a loop", loaded, loop.times, loop.bytes);
              System.err.printf(
                  "bench: %s run %d: p99 quiet %s, with /status %s (%d fetches)%n",
                  build,
                  run,
                  Table.nanos(quiet.latency().getValueAtPercentile(99)),
                  Table.nanos(loaded.latency().getValueAtPercentile(99)),
                  loop.times.size());
            }
          }
        }
        table.row(
            "**" + build + ": p99 over " + runs + " runs**",
            "none / in a loop",
            "",
            "median " + Table.nanos(median(quietP99)) + " / " + Table.nanos(median(loadedP99)),
            "range " + range(quietP99) + " / " + range(loadedP99),
            "",
            "",
            "",
            "");
      }
      table.print();
    }
  }

  private static void row(
      Table table,
      String run,
      String fetches,
      OpenLoopLoad.Result r,
      List<Long> times,
      long bytes) {
    Histogram h = r.latency();
    long[] sorted = times.stream().mapToLong(Long::longValue).sorted().toArray();
    table.row(
        run,
        fetches,
        Table.nanos(h.getValueAtPercentile(50)),
        Table.nanos(h.getValueAtPercentile(99)),
        Table.nanos(h.getMaxValue()),
        r.errors() + (r.errorCauses().isEmpty() ? "" : " " + r.errorCauses()),
        times.isEmpty() ? "" : String.valueOf(times.size()),
        sorted.length == 0 ? "" : Table.nanos(sorted[sorted.length / 2]),
        times.isEmpty() ? "" : Table.mib(bytes / (double) times.size()));
  }

  private static long median(List<Long> values) {
    long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
    return sorted[sorted.length / 2];
  }

  private static String range(List<Long> values) {
    long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
    return Table.nanos(sorted[0]) + "–" + Table.nanos(sorted[sorted.length - 1]);
  }

  /** One whole {@code GET /status}, read to the end; its size in bytes. */
  static long fetch(HttpClient http, URI status) throws Exception {
    HttpResponse<InputStream> response =
        http.send(
            HttpRequest.newBuilder(status).timeout(Duration.ofMinutes(2)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      if (response.statusCode() != 200) {
        throw new IllegalStateException("GET /status answered " + response.statusCode());
      }
      byte[] buffer = new byte[64 * 1024];
      long total = 0;
      for (int n; (n = in.read(buffer)) > 0; ) {
        total += n;
      }
      return total;
    }
  }

  /** Fetches /status until stopped, one at a time; the time of each fetch, and the bytes. */
  static final class StatusLoop implements Runnable {
    final AtomicBoolean stop = new AtomicBoolean();
    final List<Long> times = new ArrayList<>();
    volatile long bytes;
    private final HttpClient http;
    private final URI status;

    StatusLoop(HttpClient http, URI status) {
      this.http = http;
      this.status = status;
    }

    @Override
    public void run() {
      while (!stop.get()) {
        long t0 = System.nanoTime();
        try {
          bytes += fetch(http, status);
        } catch (Exception e) {
          System.err.println("bench: GET /status failed: " + e);
          return;
        }
        synchronized (times) {
          times.add(System.nanoTime() - t0);
        }
      }
    }
  }
}
