package io.wgguard.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.wgguard.it.KubeCluster;
import io.wgguard.it.KubeCluster.User;
import io.wgguard.it.SeedNodes;
import io.wgguard.it.WgguardProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * The webhook port under load, and wgguard's footprint, in one run against one server: the packaged
 * jar with the Deployment's JVM flags, a real kube-apiserver holding {@code -Dnodes} synthetic
 * nodes (so the pod webhook looks a node up in a populated checker), and {@code
 * wgguard.bench.constant-endpoint=true} for the ceiling.
 *
 * <ol>
 *   <li>Footprint: launch to {@code /q/health/ready} 200, RSS when idle, peak RSS after the load.
 *   <li>Fixed rates ({@code -Drates=200,1000,3000}) over HTTPS with keep-alive, open loop (see
 *       {@link OpenLoopLoad}): the constant ceiling, the FelixConfiguration webhook with the review
 *       calico-node sends most (an UPDATE of {@code default} that leaves WireGuard alone), and the
 *       pod webhook with a nodeName-pinned pod.
 *   <li>Saturation: {@code wrk} (closed loop, {@code -Dconnections=32} keep-alive connections, one
 *       thread) against each endpoint; the webhooks' throughput as a fraction of the ceiling's.
 * </ol>
 */
public final class AdmissionBenchmark {

  private AdmissionBenchmark() {}

  record Endpoint(String name, String path, byte[] body) {}

  public static void main(String[] args) {
    BenchCluster.exitAfter(() -> run(args));
  }

  static void run(String[] args) throws Exception {
    int nodes = Integer.getInteger("nodes", 5000);
    List<Double> rates = new ArrayList<>();
    for (String rate : System.getProperty("rates", "200,1000,3000").split(",")) {
      rates.add(Double.parseDouble(rate.trim()));
    }
    Duration warmup = Duration.ofSeconds(Integer.getInteger("warmupSeconds", 10));
    Duration measure = Duration.ofSeconds(Integer.getInteger("measureSeconds", 20));
    int connections = Integer.getInteger("connections", 32);
    int saturationSeconds = Integer.getInteger("saturationSeconds", 15);

    List<Endpoint> endpoints =
        List.of(
            new Endpoint("constant (ceiling)", "/admission/constant", review("pod")),
            new Endpoint(
                "felixconfiguration",
                "/admission/felixconfiguration",
                Files.readAllBytes(
                    Path.of("src/test/resources/reviews/calico-node-update-default.json"))),
            // default switched off: judged by its effect on every node, refused.
            new Endpoint(
                "felixconfiguration switch-off",
                "/admission/felixconfiguration",
                Files.readAllBytes(Path.of("examples/review/update-default-disable.json"))),
            new Endpoint("pod", "/admission/pod", review("pod")));

    HttpClient http = HttpClient.newHttpClient();
    try (KubeCluster cluster = BenchCluster.start()) {
      KubernetesClient client = cluster.admin();
      Table footprint =
          new Table(
              "Footprint (" + String.join(" ", BenchCluster.wgguardJavaOptions()) + ")",
              "what",
              "figure",
              "notes");
      SeedNodes.create(client);
      for (int run = 1; run <= Integer.getInteger("footprintRuns", 3); run++) {
        long start = System.nanoTime();
        try (WgguardProcess small =
            WgguardProcess.launch(
                "bench-footprint-" + run,
                cluster.kubeconfig(User.ADMIN),
                BenchCluster.wgguardJavaOptions(),
                Map.of())) {
          long up = awaitReady(http, small, start);
          BenchCluster.sleep(Duration.ofSeconds(10));
          footprint.row(
              "launch → /q/health/ready 200, seed cluster (3 nodes), run " + run,
              Table.ms((up - start) / 1e6),
              "RSS 10 s later, idle: "
                  + Table.mib(Proc.rssKib(small.pid()) * 1024.0)
                  + " (anonymous "
                  + Table.mib(Proc.rssAnonKib(small.pid()) * 1024.0)
                  + ")");
        }
      }
      if (Boolean.getBoolean("footprintOnly")) {
        footprint.print();
        return;
      }
      BenchCluster.createNodes(client, nodes, 32);
      long launched = System.nanoTime();
      try (WgguardProcess wgguard =
          WgguardProcess.launch(
              "bench-admission",
              cluster.kubeconfig(User.ADMIN),
              BenchCluster.wgguardJavaOptions(),
              Map.of("wgguard.bench.constant-endpoint", "true"))) {
        long ready = awaitReady(http, wgguard, launched);
        footprint.row(
            String.format("launch → /q/health/ready 200, %,d more nodes", nodes),
            Table.ms((ready - launched) / 1e6),
            String.format(
                "%,d nodes in the API server; includes JVM start and the caches' sync", nodes));
        awaitSynced(http, wgguard, nodes);
        BenchCluster.sleep(Duration.ofSeconds(10));
        footprint.row(
            String.format("RSS idle, %,d nodes", nodes),
            Table.mib(Proc.rssKib(wgguard.pid()) * 1024.0),
            "10 s after the caches synced, before any admission request; anonymous "
                + Table.mib(Proc.rssAnonKib(wgguard.pid()) * 1024.0));
        footprint.row(
            "heap used idle (after full GC)",
            Table.mib(BenchCluster.heapAfterGc(http, wgguard.managementBase(), wgguard.pid())),
            "");

        Table fixed =
            new Table(
                "Admission at fixed rates (open loop, HTTPS keep-alive, loopback)",
                "endpoint",
                "rate/s",
                "achieved/s",
                "p50",
                "p99",
                "p99.9",
                "max",
                "errors",
                "wgguard CPU (cores)",
                "client CPU (cores)",
                "machine busy",
                "client lateness p99");
        try (OpenLoopLoad load = new OpenLoopLoad(connections)) {
          // Both JITs warm, every connection open, before anything is recorded.
          double highest = rates.stream().mapToDouble(Double::doubleValue).max().orElse(1000);
          for (Endpoint endpoint : endpoints) {
            load.run(
                endpoint.name(),
                URI.create(wgguard.webhookBase() + endpoint.path()),
                endpoint.body(),
                highest,
                warmup,
                Duration.ofSeconds(1),
                wgguard.pid());
          }
          for (double rate : rates) {
            for (Endpoint endpoint : endpoints) {
              OpenLoopLoad.Result r =
                  load.run(
                      endpoint.name(),
                      URI.create(wgguard.webhookBase() + endpoint.path()),
                      endpoint.body(),
                      rate,
                      warmup,
                      measure,
                      wgguard.pid());
              Histogram h = r.latency();
              fixed.row(
                  endpoint.name(),
                  String.format("%,.0f", rate),
                  String.format("%,.0f", r.achieved()),
                  Table.nanos(h.getValueAtPercentile(50)),
                  Table.nanos(h.getValueAtPercentile(99)),
                  Table.nanos(h.getValueAtPercentile(99.9)),
                  Table.nanos(h.getMaxValue()),
                  r.errors(),
                  Table.num(r.serverCores(), 2),
                  Table.num(r.clientCores(), 2),
                  String.format("%.0f %%", r.machineBusy() * 100),
                  Table.nanos(r.lateness().getValueAtPercentile(99)));
              System.err.printf(
                  "bench: %s at %.0f/s: p99 %s%s%n",
                  endpoint.name(),
                  rate,
                  Table.nanos(h.getValueAtPercentile(99)),
                  r.errorCauses().isEmpty() ? "" : "; errors: " + r.errorCauses());
            }
          }
        }
        fixed.print();

        saturation(endpoints, wgguard, connections, saturationSeconds);
        footprint.row(
            "peak RSS (VmHWM) after the load",
            Table.mib(Proc.peakRssKib(wgguard.pid()) * 1024.0),
            "");
        footprint.row(
            "RSS 10 s after the load",
            Table.mib(waitAndRss(wgguard)),
            "the heap grown under load is kept by the JVM");
        footprint.print();
      }
    }
  }

  /** wrk against each endpoint; throughput as a fraction of the constant ceiling. */
  private static void saturation(
      List<Endpoint> endpoints, WgguardProcess wgguard, int connections, int seconds)
      throws Exception {
    Table table =
        new Table(
            "Admission at saturation (wrk, 1 thread, "
                + connections
                + " keep-alive connections, "
                + seconds
                + " s)",
            "endpoint",
            "requests/s",
            "of the ceiling",
            "p50",
            "p99",
            "non-2xx or errors",
            "wgguard CPU (cores)");
    Optional<Path> wrk = which("wrk");
    if (wrk.isEmpty()) {
      table.row(
          "wrk not installed (apt-get install wrk): saturation not measured",
          "",
          "",
          "",
          "",
          "",
          "");
      table.print();
      return;
    }
    double ceiling = 0;
    for (Endpoint endpoint : endpoints) {
      Path body = Files.createTempFile("wgguard-bench-", ".json");
      Path script = Files.createTempFile("wgguard-bench-", ".lua");
      Files.write(body, endpoint.body());
      Files.writeString(
          script,
          """
          local f = assert(io.open("%s", "rb"))
          wrk.method = "POST"
          wrk.body = f:read("*a")
          f:close()
          wrk.headers["Content-Type"] = "application/json"
          """
              .formatted(body));
      double cpu0 = Proc.cpuSeconds(wgguard.pid());
      long t0 = System.nanoTime();
      Process process =
          new ProcessBuilder(
                  wrk.get().toString(),
                  "-t1",
                  "-c" + connections,
                  "-d" + seconds + "s",
                  "--latency",
                  "-s",
                  script.toString(),
                  wgguard.webhookBase() + endpoint.path())
              .redirectErrorStream(true)
              .start();
      String output = new String(process.getInputStream().readAllBytes());
      process.waitFor(seconds + 30L, TimeUnit.SECONDS);
      double cores = (Proc.cpuSeconds(wgguard.pid()) - cpu0) / ((System.nanoTime() - t0) / 1e9);
      Files.deleteIfExists(body);
      Files.deleteIfExists(script);
      double rps = number(output, "Requests/sec:\\s+([0-9.]+)");
      if (endpoint.path().endsWith("/constant")) {
        ceiling = rps;
      }
      Matcher errors = Pattern.compile("Non-2xx or 3xx responses: (\\d+)").matcher(output);
      Matcher socket = Pattern.compile("Socket errors: (.*)").matcher(output);
      table.row(
          endpoint.name(),
          String.format("%,.0f", rps),
          ceiling > 0 ? String.format("%.0f %%", 100 * rps / ceiling) : "",
          latency(output, "50%"),
          latency(output, "99%"),
          (errors.find() ? errors.group(1) : "0") + (socket.find() ? "; " + socket.group(1) : ""),
          Table.num(cores, 2));
      System.err.printf("bench: %s saturated at %,.0f req/s%n", endpoint.name(), rps);
    }
    table.print();
  }

  private static byte[] review(String name) throws IOException {
    return Files.readAllBytes(Path.of("src/test/resources/bench/" + name + "-create-pinned.json"));
  }

  private static long awaitReady(HttpClient http, WgguardProcess wgguard, long launched) {
    long deadline = launched + TimeUnit.MINUTES.toNanos(5);
    while (System.nanoTime() < deadline) {
      if (!wgguard.isAlive()) {
        throw new IllegalStateException("wgguard exited:\n" + wgguard.log());
      }
      if (BenchCluster.status(http, wgguard.managementBase() + "/q/health/ready") == 200) {
        return System.nanoTime();
      }
      BenchCluster.sleep(Duration.ofMillis(20));
    }
    throw new IllegalStateException("wgguard not ready in 5 minutes:\n" + wgguard.log());
  }

  private static void awaitSynced(HttpClient http, WgguardProcess wgguard, int nodes) {
    KubeCluster.await(
        Duration.ofMinutes(5),
        "wgguard to see every node",
        () -> BenchCluster.wgguardNodes(http, wgguard.managementBase()) >= nodes);
  }

  private static double waitAndRss(WgguardProcess wgguard) {
    BenchCluster.sleep(Duration.ofSeconds(10));
    return Proc.rssKib(wgguard.pid()) * 1024.0;
  }

  private static double number(String output, String regex) {
    Matcher m = Pattern.compile(regex).matcher(output);
    if (!m.find()) {
      throw new IllegalStateException("unexpected wrk output:\n" + output);
    }
    return Double.parseDouble(m.group(1));
  }

  /** A percentile from wrk's latency distribution, as wrk prints it (e.g. {@code 1.23ms}). */
  private static String latency(String output, String percentile) {
    Matcher m =
        Pattern.compile("^\\s+" + Pattern.quote(percentile) + "\\s+(\\S+)", Pattern.MULTILINE)
            .matcher(output);
    return m.find() ? m.group(1) : "?";
  }

  private static Optional<Path> which(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
