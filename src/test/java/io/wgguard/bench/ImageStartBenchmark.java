package io.wgguard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.wgguard.it.ImageCluster;
import io.wgguard.it.KubeCluster;
import io.wgguard.it.KubeCluster.User;
import io.wgguard.it.PodContainer;
import io.wgguard.it.SeedNodes;
import io.wgguard.it.WgguardProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Launch to ready of the service: the image run as the Deployment runs it ({@link PodContainer}:
 * user 185, read-only root file system, its limits, in-cluster configuration on the wgguard service
 * account's token) and, for comparison, the packaged jar with the Deployment's JVM flags, against a
 * real kube-apiserver with the seed's three nodes. Time runs from the launch ({@code podman run},
 * or {@code java -jar}) to the first 200 of {@code /q/health/ready} (TLS loaded, API server
 * reached, caches synced), polled every 20 ms. {@code -Druns=7} of each, alternating.
 */
public final class ImageStartBenchmark {

  private ImageStartBenchmark() {}

  public static void main(String[] args) {
    BenchCluster.exitAfter(() -> run());
  }

  static void run() throws Exception {
    int runs = Integer.getInteger("runs", 7);
    List<JsonNode> base = PodContainer.render("manifests/base");
    JsonNode deployment = PodContainer.object(base, "Deployment", "wgguard");
    PodContainer.requirements(List.of(ImageCluster.image(deployment)));
    long[] image = new long[runs];
    long[] jar = new long[runs];
    long[] unlimited = new long[runs];
    try (KubeCluster cluster = BenchCluster.start()) {
      SeedNodes.create(cluster.admin());
      ImageCluster.applyRbac(cluster, base);
      Path serviceAccount = ImageCluster.serviceAccount(cluster, "wgguard");
      HttpClient http = HttpClient.newHttpClient();
      for (int i = 0; i < runs; i++) {
        int https = freePort();
        int management = freePort();
        PodContainer.Builder service =
            ImageCluster.service(
                "bench-service-" + i, cluster, deployment, serviceAccount, https, management);
        long started = System.nanoTime();
        try (PodContainer container = service.launch()) {
          image[i] = untilReady(http, management, started, container::isAlive, container::log);
        }
        int management2 = freePort();
        PodContainer.Builder noCpuLimit =
            ImageCluster.service(
                    "bench-service-nolimit-" + i,
                    cluster,
                    deployment,
                    serviceAccount,
                    freePort(),
                    management2)
                .withoutCpuLimit();
        long free = System.nanoTime();
        try (PodContainer container = noCpuLimit.launch()) {
          unlimited[i] = untilReady(http, management2, free, container::isAlive, container::log);
        }
        long launched = System.nanoTime();
        try (WgguardProcess process =
            WgguardProcess.launch(
                "bench-image-jar-" + i,
                cluster.kubeconfig(User.ADMIN),
                BenchCluster.wgguardJavaOptions(),
                Map.of())) {
          int port = URI.create(process.managementBase()).getPort();
          jar[i] = untilReady(http, port, launched, process::isAlive, process::log);
        }
        System.err.printf(
            "run %d: image %s, image without CPU limit %s, jar %s%n",
            i + 1, Table.nanos(image[i]), Table.nanos(unlimited[i]), Table.nanos(jar[i]));
      }
    }
    new Table(
            "Service launch to ready (" + runs + " runs each)",
            "how",
            "median",
            "min",
            "max",
            "runs")
        .row(
            "image (podman run, as the Deployment)",
            median(image),
            min(image),
            max(image),
            list(image))
        .row(
            "image without the CPU limit",
            median(unlimited),
            min(unlimited),
            max(unlimited),
            list(unlimited))
        .row("jar (java -jar, the Deployment's flags)", median(jar), min(jar), max(jar), list(jar))
        .print();
  }

  static long untilReady(
      HttpClient http,
      int management,
      long started,
      java.util.function.BooleanSupplier alive,
      java.util.function.Supplier<String> log)
      throws InterruptedException {
    HttpRequest ready =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/q/health/ready"))
            .timeout(Duration.ofSeconds(2))
            .build();
    long deadline = started + Duration.ofMinutes(3).toNanos();
    while (System.nanoTime() < deadline) {
      if (!alive.getAsBoolean()) {
        throw new IllegalStateException("the service exited before ready:\n" + log.get());
      }
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return System.nanoTime() - started;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("not ready after 3 minutes:\n" + log.get());
  }

  static String median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return Table.nanos(n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2);
  }

  static String min(long[] values) {
    return Table.nanos(Arrays.stream(values).min().orElseThrow());
  }

  static String max(long[] values) {
    return Table.nanos(Arrays.stream(values).max().orElseThrow());
  }

  static String list(long[] values) {
    return String.join(
        ", ", Arrays.stream(values).mapToObj(v -> String.format("%.2f s", v / 1e9)).toList());
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
