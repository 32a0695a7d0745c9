package io.wgguard.bench;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.wgguard.it.KubeCluster;
import io.wgguard.it.KubeCluster.User;
import io.wgguard.it.SeedNodes;
import io.wgguard.it.Webhooks;
import io.wgguard.it.WgguardProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What the webhooks add to a client's request through a real kube-apiserver: sequential
 * FelixConfiguration patches (the kind calico-node and operators send: a field other than WireGuard
 * changes) and nodeName-pinned pod creates, first with no webhook registered, then with both of
 * {@code manifests/base} registered and pointing at the packaged jar. Latency is the client's: the
 * fabric8 client's request to its response, over HTTPS with keep-alive.
 *
 * <p>{@code -Drequests=1000} per operation and phase, in {@code -Drounds=5} rounds that alternate
 * the phases, after {@code -Dwarmup=100} (a fifth of that before each later round).
 */
public final class ApiServerBenchmark {

  private ApiServerBenchmark() {}

  public static void main(String[] args) {
    BenchCluster.exitAfter(() -> run(args));
  }

  static void run(String[] args) throws Exception {
    int requests = Integer.getInteger("requests", 1000);
    int warmup = Integer.getInteger("warmup", 100);
    int rounds = Integer.getInteger("rounds", 5);
    try (KubeCluster cluster = BenchCluster.start()) {
      KubernetesClient client = cluster.admin();
      SeedNodes.create(client);
      // No controller manager: the ServiceAccount admission plugin needs the account to exist.
      client
          .serviceAccounts()
          .inNamespace("default")
          .resource(
              new ServiceAccountBuilder()
                  .withNewMetadata()
                  .withName("default")
                  .withNamespace("default")
                  .endMetadata()
                  .build())
          .create();
      try (WgguardProcess wgguard =
          WgguardProcess.launch(
              "bench-apiserver",
              cluster.kubeconfig(User.ADMIN),
              BenchCluster.wgguardJavaOptions(),
              Map.of())) {
        wgguard.awaitReady(Duration.ofMinutes(2));
        // Rounds alternate "no webhook" and "wgguard registered", so drift in the API server and
        // etcd (a growing revision history, compaction, its own JIT) falls on both sides alike.
        long[][] without = {new long[requests], new long[requests]};
        long[][] with = {new long[requests], new long[requests]};
        int perRound = requests / rounds;
        for (int round = 0; round < rounds; round++) {
          int from = round * perRound;
          int to = round == rounds - 1 ? requests : from + perRound;
          int warm = round == 0 ? warmup : warmup / 5;
          felixPatches(client, warm, without[0], from, to);
          podCreates(client, "plain-" + round, warm, without[1], from, to);
          List<ValidatingWebhookConfiguration> registered =
              List.of(
                  Webhooks.register(client, wgguard.webhookBase()),
                  Webhooks.registerPods(client, wgguard.webhookBase()));
          // The API server picks new webhook configurations up within about a second; from then
          // on switching WireGuard off is refused, which proves this phase goes through wgguard.
          KubeCluster.await(
              Duration.ofSeconds(30), "the webhook to be called", () -> refused(client));
          felixPatches(client, warm, with[0], from, to);
          podCreates(client, "guarded-" + round, warm, with[1], from, to);
          registered.forEach(
              w ->
                  client
                      .admissionRegistration()
                      .v1()
                      .validatingWebhookConfigurations()
                      .withName(w.getMetadata().getName())
                      .delete());
          KubeCluster.await(
              Duration.ofSeconds(30), "the webhook to be gone", () -> !refused(client));
        }
        String[] operations = {
          "FelixConfiguration `default` merge patch (logSeverityScreen)",
          "Pod create, pinned to a ready node"
        };
        Table table =
            new Table(
                "Through kube-apiserver 1.20.2: "
                    + requests
                    + " sequential requests per cell in "
                    + rounds
                    + " alternating rounds, after "
                    + warmup
                    + " warm-up",
                "operation",
                "no webhook p50",
                "no webhook p99",
                "wgguard p50",
                "wgguard p99",
                "added p50",
                "added p99");
        for (int i = 0; i < operations.length; i++) {
          long p50a = FullPassBenchmark.percentile(without[i], 50);
          long p99a = FullPassBenchmark.percentile(without[i], 99);
          long p50b = FullPassBenchmark.percentile(with[i], 50);
          long p99b = FullPassBenchmark.percentile(with[i], 99);
          table.row(
              operations[i],
              Table.nanos(p50a),
              Table.nanos(p99a),
              Table.nanos(p50b),
              Table.nanos(p99b),
              Table.nanos(p50b - p50a),
              Table.nanos(p99b - p99a));
        }
        table.print();
        String wgguardMetrics = wgguard.get("/q/metrics").body();
        String apiserverMetrics = client.raw("/metrics");
        Table split =
            new Table(
                "Where the added time goes (means over every call of the run)",
                "webhook",
                "calls",
                "kube-apiserver's webhook call",
                "wgguard's decode + judge + encode");
        for (String[] webhook :
            new String[][] {
              {"felixconfiguration.wgguard.io", "felixconfiguration"},
              {"pod.wgguard.io", "pod"}
            }) {
          Predicate<String> apiserverSide = l -> l.contains("name=\"" + webhook[0] + "\"");
          Predicate<String> wgguardSide = l -> l.contains("webhook=\"" + webhook[1] + "\"");
          double calls =
              BenchCluster.metric(
                  apiserverMetrics,
                  "apiserver_admission_webhook_admission_duration_seconds_count",
                  apiserverSide);
          split.row(
              webhook[0],
              String.format("%,.0f", calls),
              Table.ms(
                  1000
                      * BenchCluster.metric(
                          apiserverMetrics,
                          "apiserver_admission_webhook_admission_duration_seconds_sum",
                          apiserverSide)
                      / calls),
              Table.ms(
                  1000
                      * BenchCluster.metric(
                          wgguardMetrics, "wgguard_admission_duration_seconds_sum", wgguardSide)
                      / BenchCluster.metric(
                          wgguardMetrics,
                          "wgguard_admission_duration_seconds_count",
                          wgguardSide)));
        }
        split.print();
        double judged =
            BenchCluster.metric(
                wgguard.get("/q/metrics").body(), "wgguard_admission_requests_total", l -> true);
        if (judged < 2.0 * requests) {
          throw new IllegalStateException(
              "wgguard judged only " + judged + " requests: the webhook was not in the path");
        }
      }
    }
  }

  /** Whether switching WireGuard off is refused now. */
  private static boolean refused(KubernetesClient client) {
    try {
      client
          .genericKubernetesResources("crd.projectcalico.org/v1", "FelixConfiguration")
          .withName("default")
          .patch(
              new PatchContext.Builder()
                  .withPatchType(PatchType.JSON_MERGE)
                  .withDryRun(List.of("All"))
                  .build(),
              "{\"spec\":{\"wireguardEnabled\":false}}");
      return false;
    } catch (KubernetesClientException e) {
      if (e.getMessage() != null && e.getMessage().contains("wireguardEnabled")) {
        return true;
      }
      throw e;
    }
  }

  /**
   * Patches {@code default}, alternating a field Felix reads but wgguard lets pass; the latencies
   * after {@code warmup} go to {@code samples[from..to)}.
   */
  private static void felixPatches(
      KubernetesClient client, int warmup, long[] samples, int from, int to) {
    for (int i = from - warmup; i < to; i++) {
      String level = (i & 1) == 0 ? "Info" : "Debug";
      long t0 = System.nanoTime();
      client
          .genericKubernetesResources("crd.projectcalico.org/v1", "FelixConfiguration")
          .withName("default")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              "{\"spec\":{\"logSeverityScreen\":\"" + level + "\"}}");
      long t1 = System.nanoTime();
      if (i >= from) {
        samples[i] = t1 - t0;
      }
    }
  }

  /** Creates pods pinned to worker1 (ready), then deletes them; as {@link #felixPatches}. */
  private static void podCreates(
      KubernetesClient client, String prefix, int warmup, long[] samples, int from, int to) {
    for (int i = from - warmup; i < to; i++) {
      Pod pod =
          new PodBuilder()
              .withNewMetadata()
              .withName(prefix + "-" + (i - from + warmup))
              .withNamespace("default")
              .endMetadata()
              .withNewSpec()
              .withNodeName("worker1")
              .withAutomountServiceAccountToken(false)
              .addNewContainer()
              .withName("app")
              .withImage("praqma/network-multitool")
              .endContainer()
              .endSpec()
              .build();
      long t0 = System.nanoTime();
      client.pods().inNamespace("default").resource(pod).create();
      long t1 = System.nanoTime();
      if (i >= from) {
        samples[i] = t1 - t0;
      }
    }
    client.pods().inNamespace("default").delete();
  }
}
