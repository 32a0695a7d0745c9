package io.wgguard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.wgguard.Names;
import io.wgguard.it.KubeCluster;
import io.wgguard.it.KubeCluster.User;
import io.wgguard.it.WgguardProcess;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The checker end to end against a real kube-apiserver with {@code n} synthetic nodes: creating
 * them, wgguard's start and sync, its heap and RSS, key loss to visible taint (seen through a watch
 * on the node), and the node writes kube-apiserver counts while nothing changes.
 *
 * <p>Argument: the node count. {@code -Dreps=5} key-loss repetitions, {@code -DcreateThreads=32}
 * parallel creates, {@code -DquietSeconds=11} the window with no change (wgguard runs a full pass
 * every 2 s), {@code -DsyncTimeoutSeconds=900}.
 */
public final class CheckerEndToEndBenchmark {

  static final ObjectMapper JSON = new ObjectMapper();

  private CheckerEndToEndBenchmark() {}

  public static void main(String[] args) {
    BenchCluster.exitAfter(() -> run(args));
  }

  private static void run(String[] args) throws Exception {
    int n = Integer.parseInt(args[0].replace(",", "").replace("_", ""));
    int reps = Integer.getInteger("reps", 5);
    int threads = Integer.getInteger("createThreads", 32);
    int quietSeconds = Integer.getInteger("quietSeconds", 11);
    int syncTimeout = Integer.getInteger("syncTimeoutSeconds", 900);
    String label = String.format("%,d nodes", n);
    Table table = new Table("Checker end to end, " + label, "what", "figure", "notes");
    HttpClient http = HttpClient.newHttpClient();
    List<String> jvm = BenchCluster.wgguardJavaOptions();
    Map<String, String> props = Map.of("wgguard.checker.interval", "2s");
    try (KubeCluster cluster = BenchCluster.start()) {
      KubernetesClient client = cluster.admin();
      Duration create = BenchCluster.createNodes(client, n, threads);
      table.row(
          "create " + label + " in kube-apiserver",
          String.format("%.1f s", create.toMillis() / 1000.0),
          String.format(
              "%,.0f nodes/s, %d parallel POSTs; node JSON %,d B",
              n / (create.toMillis() / 1000.0),
              threads,
              SyntheticNodes.json(client.getKubernetesSerialization(), 0, java.time.Instant.now())
                  .length()));
      table.row("kube-apiserver RSS after creates", rss("kube-apiserver"), "");
      table.row("etcd RSS after creates", rss("etcd"), "");

      long launched = System.nanoTime();
      WgguardProcess wgguard =
          WgguardProcess.launch("bench-checker-" + n, cluster.kubeconfig(User.ADMIN), jvm, props);
      try {
        long ready = -1;
        long synced = -1;
        long deadline = launched + TimeUnit.SECONDS.toNanos(syncTimeout);
        while (System.nanoTime() < deadline && wgguard.isAlive()) {
          if (ready < 0
              && BenchCluster.status(http, wgguard.managementBase() + "/q/health/ready") == 200) {
            ready = System.nanoTime();
          }
          if (BenchCluster.wgguardNodes(http, wgguard.managementBase()) >= n) {
            synced = System.nanoTime();
            break;
          }
          BenchCluster.sleep(Duration.ofMillis(100));
        }
        table.row(
            "wgguard JVM options", "`" + String.join(" ", jvm) + "`", BenchCluster.describe(props));
        if (synced < 0) {
          table.row(
              "wgguard start → every node in a pass",
              wgguard.isAlive() ? "not within " + syncTimeout + " s" : "wgguard exited",
              "peak RSS "
                  + (wgguard.isAlive() ? Proc.peakRssKib(wgguard.pid()) / 1024 + " MiB" : "n/a")
                  + "; log tail: "
                  + tail(wgguard.log()));
          table.print();
          return;
        }
        table.row(
            "wgguard start → /q/health/ready",
            ready < 0 ? "n/a" : Table.nanos(ready - launched),
            "ready = TLS loaded, API reachable, caches synced");
        table.row(
            "wgguard start → /status shows all nodes",
            Table.nanos(synced - launched),
            "first full pass over the synced cache");
        long s0 = System.nanoTime();
        String status = BenchCluster.body(http, wgguard.managementBase() + "/status");
        long s1 = System.nanoTime();
        JsonNode doc = JSON.readTree(status);
        table.row(
            "GET /status",
            Table.nanos(s1 - s0),
            String.format(
                "%,d rows, %,d B, posture %s",
                doc.path("nodes").size(), status.length(), doc.path("posture").asText()));
        table.row(
            "wgguard heap after full GC, synced",
            Table.mib(BenchCluster.heapAfterGc(http, wgguard.managementBase(), wgguard.pid())),
            "jvm_memory_used_bytes{area=heap} after jcmd GC.run");
        table.row(
            "wgguard RSS, synced / peak so far",
            Proc.rssKib(wgguard.pid()) / 1024
                + " MiB / "
                + Proc.peakRssKib(wgguard.pid()) / 1024
                + " MiB",
            "VmRSS / VmHWM");

        long[] loss = new long[reps];
        long[] back = new long[reps];
        for (int r = 0; r < reps; r++) {
          String name = SyntheticNodes.name((int) ((long) n * (r + 1) / (reps + 1)));
          try (NodeWatch watch = new NodeWatch(client, name)) {
            CompletableFuture<Long> tainted = watch.when(CheckerEndToEndBenchmark::tainted);
            long t0 = System.nanoTime();
            annotate(client, name, SyntheticNodes.KEY_ANNOTATION, null);
            loss[r] = tainted.get(60, TimeUnit.SECONDS) - t0;
            CompletableFuture<Long> untainted = watch.when(node -> !tainted(node));
            long t1 = System.nanoTime();
            annotate(
                client,
                name,
                SyntheticNodes.KEY_ANNOTATION,
                SyntheticNodes.key(Integer.parseInt(name.substring(name.lastIndexOf('-') + 1))));
            back[r] = untainted.get(60, TimeUnit.SECONDS) - t1;
          }
        }
        table.row(
            "key removed → taint seen by a watch (" + reps + " nodes)",
            "median "
                + Table.nanos(FullPassBenchmark.percentile(loss, 50))
                + ", max "
                + Table.nanos(FullPassBenchmark.percentile(loss, 100)),
            "each: " + each(loss));
        table.row(
            "key restored → taint gone (" + reps + " nodes)",
            "median "
                + Table.nanos(FullPassBenchmark.percentile(back, 50))
                + ", max "
                + Table.nanos(FullPassBenchmark.percentile(back, 100)),
            "each: " + each(back));

        // Nothing changes from here on: count the node writes kube-apiserver sees.
        BenchCluster.sleep(Duration.ofSeconds(3));
        double patch0 = BenchCluster.apiserverNodeRequests(client, "PATCH");
        double put0 = BenchCluster.apiserverNodeRequests(client, "PUT");
        double taints0 =
            BenchCluster.metric(
                BenchCluster.body(http, wgguard.managementBase() + "/q/metrics"),
                "wgguard_taint_changes_total",
                l -> true);
        double cpu0 = Proc.cpuSeconds(wgguard.pid());
        String at0 =
            JSON.readTree(BenchCluster.body(http, wgguard.managementBase() + "/status"))
                .path("generatedAt")
                .asText();
        long w0 = System.nanoTime();
        BenchCluster.sleep(Duration.ofSeconds(quietSeconds));
        long w1 = System.nanoTime();
        double cpu1 = Proc.cpuSeconds(wgguard.pid());
        String at1 =
            JSON.readTree(BenchCluster.body(http, wgguard.managementBase() + "/status"))
                .path("generatedAt")
                .asText();
        double patch1 = BenchCluster.apiserverNodeRequests(client, "PATCH");
        double put1 = BenchCluster.apiserverNodeRequests(client, "PUT");
        double taints1 =
            BenchCluster.metric(
                BenchCluster.body(http, wgguard.managementBase() + "/q/metrics"),
                "wgguard_taint_changes_total",
                l -> true);
        table.row(
            "node PATCH / PUT in " + quietSeconds + " s with no change",
            String.format("%.0f / %.0f", patch1 - patch0, put1 - put0),
            "apiserver_request_total{resource=nodes}; interval 2s, so ≥ "
                + (quietSeconds / 2)
                + " full passes (/status generated "
                + at0
                + " at the start, "
                + at1
                + " at the end)"
                + "; wgguard_taint_changes_total +"
                + String.format("%.0f", taints1 - taints0));
        table.row(
            "wgguard CPU while idle (passes every 2 s)",
            Table.num((cpu1 - cpu0) / ((w1 - w0) / 1e9) * 100, 1) + " % of one core",
            "");
        table.row(
            "wgguard heap after full GC / RSS, end",
            Table.mib(BenchCluster.heapAfterGc(http, wgguard.managementBase(), wgguard.pid()))
                + " / "
                + Proc.rssKib(wgguard.pid()) / 1024
                + " MiB",
            "peak RSS " + Proc.peakRssKib(wgguard.pid()) / 1024 + " MiB");
        table.row("kube-apiserver RSS, end", rss("kube-apiserver"), "");
      } finally {
        wgguard.close();
      }
    }
    table.print();
  }

  static boolean tainted(Node node) {
    return node.getSpec() != null
        && node.getSpec().getTaints() != null
        && node.getSpec().getTaints().stream()
            .anyMatch(t -> Names.NOT_READY_TAINT.equals(t.getKey()));
  }

  static void annotate(KubernetesClient client, String node, String key, String value) {
    String json =
        value == null
            ? "{\"metadata\":{\"annotations\":{\"" + key + "\":null}}}"
            : "{\"metadata\":{\"annotations\":{\"" + key + "\":\"" + value + "\"}}}";
    client.nodes().withName(node).patch(PatchContext.of(PatchType.JSON_MERGE), json);
  }

  static String rss(String command) {
    return Proc.descendant(command).map(p -> Proc.rssKib(p.pid()) / 1024 + " MiB").orElse("n/a");
  }

  static String each(long[] nanos) {
    return String.join(", ", Arrays.stream(nanos).mapToObj(Table::nanos).toList());
  }

  static String tail(String log) {
    List<String> lines = new ArrayList<>(List.of(log.split("\n")));
    List<String> last =
        lines.subList(Math.max(0, lines.size() - 3), lines.size()).stream()
            .map(l -> l.length() > 160 ? l.substring(0, 160) + "…" : l)
            .toList();
    return String.join(" / ", last).replace('|', '/');
  }

  /** A watch on one node that completes futures when an event satisfies a condition. */
  static final class NodeWatch implements AutoCloseable {
    private final Watch watch;
    private volatile Predicate<Node> condition = node -> false;
    private volatile CompletableFuture<Long> future = new CompletableFuture<>();

    NodeWatch(KubernetesClient client, String name) {
      watch =
          client
              .nodes()
              .withName(name)
              .watch(
                  new Watcher<Node>() {
                    @Override
                    public void eventReceived(Action action, Node node) {
                      long at = System.nanoTime();
                      if (condition.test(node)) {
                        future.complete(at);
                      }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                      future.completeExceptionally(cause);
                    }
                  });
      // The watch's first event is the node as it is: let it pass before a change is made.
      BenchCluster.sleep(Duration.ofMillis(300));
    }

    /** A future completed (with the nanoTime of the event) by the next event matching. */
    CompletableFuture<Long> when(Predicate<Node> match) {
      CompletableFuture<Long> next = new CompletableFuture<>();
      condition = node -> false;
      future = next;
      condition = match;
      return next;
    }

    @Override
    public void close() {
      watch.close();
    }
  }
}
