package io.wgguard.bench;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.wgguard.it.KubeCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real API server the end-to-end benchmarks run against, and what they read from it. */
final class BenchCluster {

  private BenchCluster() {}

  /** A benchmark's body, which may throw anything. */
  interface Body {
    void run() throws Exception;
  }

  /**
   * Runs a benchmark main's body, then ends the JVM: 0 when it finished, 1 with the stack trace
   * when it failed. The fabric8 client leaves non-daemon Vert.x threads behind, so a main that
   * returned (or threw) kept the JVM and its script alive after the tables were printed.
   */
  static void exitAfter(Body body) {
    int code = 0;
    try {
      body.run();
    } catch (Exception | Error e) {
      e.printStackTrace();
      code = 1;
    }
    System.exit(code);
  }

  /** kube-apiserver + etcd with Calico's CRDs and {@code default} turning WireGuard on. */
  static KubeCluster start() throws IOException {
    return KubeCluster.startWithWireguardOn();
  }

  /**
   * Creates synthetic nodes {@code 0..n-1} with parallel POSTs; retries a failed create (429,
   * timeouts) a few times. Prints progress to standard error.
   */
  static Duration createNodes(KubernetesClient client, int n, int threads) throws Exception {
    Instant heartbeat = Instant.now();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicInteger done = new AtomicInteger();
    long start = System.nanoTime();
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int first = t;
      futures.add(
          pool.submit(
              () -> {
                for (int i = first; i < n; i += threads) {
                  create(client, SyntheticNodes.node(i, heartbeat));
                  int count = done.incrementAndGet();
                  if (count % Math.max(1, n / 10) == 0) {
                    System.err.printf(
                        "bench: %,d of %,d nodes created (%.0f s)%n",
                        count, n, (System.nanoTime() - start) / 1e9);
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
    pool.awaitTermination(1, TimeUnit.MINUTES);
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private static void create(KubernetesClient client, Node node) {
    for (int attempt = 1; ; attempt++) {
      try {
        client.nodes().resource(node).create();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() == 409) {
          return; // created by an attempt whose answer was lost
        }
        if (attempt >= 5) {
          throw e;
        }
        sleep(Duration.ofMillis(200L * attempt));
      }
    }
  }

  /** Sum of a Prometheus metric's samples whose labels satisfy {@code labels}. */
  static double metric(String exposition, String name, Predicate<String> labels) {
    Pattern line =
        Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})?\\s+(\\S+)", Pattern.MULTILINE);
    Matcher m = line.matcher(exposition);
    double sum = 0;
    while (m.find()) {
      if (labels.test(m.group(1) == null ? "" : m.group(1))) {
        sum += Double.parseDouble(m.group(2));
      }
    }
    return sum;
  }

  /** kube-apiserver's own count of requests on nodes with the given verb (any code). */
  static double apiserverNodeRequests(KubernetesClient client, String verb) {
    return metric(
        client.raw("/metrics"),
        "apiserver_request_total",
        l -> l.contains("resource=\"nodes\"") && l.contains("verb=\"" + verb + "\""));
  }

  /** GET over plain HTTP, e.g. wgguard's management port. */
  static String get(HttpClient http, String url) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() + "\n" + response.body();
    } catch (IOException e) {
      return "-1\n" + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** HTTP status of a GET, -1 when the port is not open. */
  static int status(HttpClient http, String url) {
    String answer = get(http, url);
    return Integer.parseInt(answer.substring(0, answer.indexOf('\n')));
  }

  /** The body of a GET. */
  static String body(HttpClient http, String url) {
    String answer = get(http, url);
    return answer.substring(answer.indexOf('\n') + 1);
  }

  /** Sum of wgguard's {@code wgguard_nodes} gauge over every state. */
  static double wgguardNodes(HttpClient http, String managementBase) {
    return metric(body(http, managementBase + "/q/metrics"), "wgguard_nodes", l -> true);
  }

  /** Heap used by wgguard after a full GC (jcmd GC.run, then its JVM metrics). */
  static double heapAfterGc(HttpClient http, String managementBase, long pid) throws Exception {
    Process jcmd =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid),
                "GC.run")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    jcmd.waitFor(60, TimeUnit.SECONDS);
    sleep(Duration.ofMillis(500));
    return metric(
        body(http, managementBase + "/q/metrics"),
        "jvm_memory_used_bytes",
        l -> l.contains("area=\"heap\""));
  }

  /** The JVM options the Deployment uses, from {@code bench/lib.sh}. */
  static List<String> wgguardJavaOptions() {
    String opts = System.getProperty("bench.wgguard-java-opts", "").trim();
    return opts.isEmpty() ? List.of() : List.of(opts.split("\\s+"));
  }

  /** Names of the wgguard properties and values, as one string for tables. */
  static String describe(Map<String, String> properties) {
    StringBuilder out = new StringBuilder();
    properties.forEach((k, v) -> out.append(k).append('=').append(v).append(' '));
    return out.toString().trim();
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
