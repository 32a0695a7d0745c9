package io.wgguard.it;

import static io.wgguard.it.SeedNodes.ADDR_ANNOTATION;
import static io.wgguard.it.SeedNodes.KEY_ANNOTATION;
import static io.wgguard.it.SeedNodes.annotate;
import static io.wgguard.it.SeedNodes.key;
import static io.wgguard.it.SeedNodes.label;
import static io.wgguard.it.SeedNodes.taints;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.wgguard.it.KubeCluster.User;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The checker against a real API server: the seed's three nodes, created with Calico's real
 * annotations, losing and regaining keys; what kubectl, /status and the health group show. The API
 * server and wgguard start once; each test starts from the seed ({@link #restoreTheSeed}) and sets
 * up the rest itself, so any one runs alone and in any order.
 */
class NodeCheckerIT {

  static final String TAINT = "wgguard.io/wireguard-not-ready";
  static final String FOREIGN = "dedicated=gpu:NoSchedule";
  static final String NOT_READY = "node.kubernetes.io/not-ready=:NoSchedule";
  static final Duration SOON = Duration.ofSeconds(60);

  static KubeCluster cluster;
  static KubernetesClient client;
  static WgguardProcess wgguard;

  @BeforeAll
  static void start() throws Exception {
    cluster = KubeCluster.startSeedCluster();
    client = cluster.admin();
    // Two of three nodes with a duplicated key is 0.67 of the cluster: raise the brake above it.
    wgguard =
        WgguardProcess.start(
            "node-checker-it",
            cluster.kubeconfig(User.ADMIN),
            Map.of("wgguard.checker.brake-fraction", "0.7", "wgguard.checker.interval", "5s"));
    KubeCluster.await(
        SOON, "the checker to take the lease", () -> status().path("taintWriter").asBoolean());
  }

  @AfterAll
  static void stop() {
    KubeCluster.closeAll(wgguard, cluster);
  }

  /**
   * The seed as it was, with wgguard running (a test may have stopped it) and holding the lease.
   */
  @BeforeEach
  void restoreTheSeed() throws Exception {
    if (!wgguard.isAlive()) {
      wgguard = wgguard.restart();
    }
    SeedNodes.reset(cluster, wgguard);
  }

  /** A user's {@code kubectl taint}: a taint that is not wgguard's, which wgguard must keep. */
  static void taintForeign(String node) {
    Result taint = kubectl("taint", "nodes", node, FOREIGN);
    assertThat(taint.exitCode()).as(taint.toString()).isZero();
  }

  /** Felix losing a node's key, and wgguard tainting the node for it. */
  static void loseKey(String node) {
    annotate(client, node, KEY_ANNOTATION, null);
    KubeCluster.await(
        SOON,
        "%s to be tainted".formatted(node),
        () -> taints(client, node).contains(TAINT + "=no-public-key:NoSchedule"));
  }

  @Test
  void theSeedClusterIsHealthy() {
    JsonNode status = status();
    assertThat(status.path("posture").asText()).isEqualTo("HEALTHY");
    assertThat(status.path("felixApiVersion").asText()).isEqualTo("crd.projectcalico.org/v1");
    assertThat(status.path("nodes")).hasSize(3);
    for (JsonNode row : status.path("nodes")) {
      assertThat(row.path("ready").asBoolean()).as(row.toString()).isTrue();
      assertThat(row.path("tainted").asBoolean()).isFalse();
      assertThat(row.path("families").toString()).contains("IPv4");
    }
    assertThat(row("worker1").path("keyFingerprints").path("IPv4").asText()).isEqualTo("HmNsTyzg…");
    JsonNode first = wgguard.status("?limit=2");
    assertThat(first.path("nodes").findValuesAsText("name")).containsExactly("control1", "worker1");
    assertThat(first.path("posture").asText()).isEqualTo("HEALTHY");
    JsonNode second = wgguard.status("?limit=2&continue=" + first.path("continue").asText());
    assertThat(second.path("nodes").findValuesAsText("name")).containsExactly("worker2");
    assertThat(second.has("continue")).as("the last page has no continue token").isFalse();
    var badLimit = wgguard.get("/status?limit=all");
    assertThat(badLimit.statusCode()).isEqualTo(400);
    assertThat(badLimit.body()).startsWith("limit 'all' is not a whole number from 1 to");
    var health = wgguard.get("/q/health/group/wireguard");
    assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    assertThat(health.body()).contains("\"posture\": \"HEALTHY\"");
    for (String node : new String[] {"control1", "worker1", "worker2"}) {
      assertThat(ours(node)).isEmpty();
      // The API server's own node.kubernetes.io/not-ready taint: a foreign taint from the start.
      assertThat(taints(client, node)).contains(NOT_READY);
    }
  }

  @Test
  void aNodeLosingItsKeyIsTaintedWithinSecondsAndAForeignTaintSurvives() {
    // The counter lives as long as the process, which earlier tests may have used: count from here.
    double added = wgguard.metric("wgguard_taint_changes_total{action=\"add\"}");
    Result taint = kubectl("taint", "nodes", "worker2", FOREIGN);
    assertThat(taint.exitCode()).as(taint.toString()).isZero();

    annotate(client, "worker2", KEY_ANNOTATION, null);

    KubeCluster.await(
        SOON,
        "worker2 to be tainted",
        () -> taints(client, "worker2").contains(TAINT + "=no-public-key:NoSchedule"));
    assertThat(taints(client, "worker2"))
        .containsExactlyInAnyOrder(NOT_READY, FOREIGN, TAINT + "=no-public-key:NoSchedule");
    KubeCluster.await(
        SOON,
        "the Event",
        () ->
            client.v1().events().inNamespace("default").list().getItems().stream()
                .anyMatch(
                    e ->
                        "worker2".equals(e.getInvolvedObject().getName())
                            && "WireGuardNotReady".equals(e.getReason())));
    // The taint is in the API server; /status shows it once wgguard's watch has brought the node
    // back (on a busy machine that can be a moment after the patch).
    KubeCluster.await(
        SOON, "/status to show worker2 tainted", () -> row("worker2").path("tainted").asBoolean());
    JsonNode row = row("worker2");
    assertThat(row.path("ready").asBoolean()).isFalse();
    assertThat(row.path("reason").asText()).isEqualTo("no-public-key");
    assertThat(row.path("tainted").asBoolean()).isTrue();
    assertThat(status().path("posture").asText()).isEqualTo("NODES_NOT_READY");
    var health = wgguard.get("/q/health/group/wireguard");
    assertThat(health.statusCode()).isEqualTo(503);
    assertThat(health.body()).contains("\"no-public-key\": \"worker2\"");
    JsonNode notReady = wgguard.status("?state=not-ready");
    assertThat(notReady.path("nodes").findValuesAsText("name")).containsExactly("worker2");
    assertThat(notReady.path("counts").path("ready").asInt()).isEqualTo(2);
    var bad = wgguard.get("/status?state=broken");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).startsWith("state 'broken' is not one of ready, exempt, not-ready");
    assertThat(wgguard.metric("wgguard_taint_changes_total{action=\"add\"}")).isEqualTo(added + 1);
    assertThat(wgguard.get("/q/metrics").body())
        .contains("wgguard_posture{posture=\"nodes-not-ready\"} 1.0")
        .contains("wgguard_posture{posture=\"healthy\"} 0.0");
  }

  @Test
  void theKeyComingBackRemovesOnlyOurTaint() {
    taintForeign("worker2");
    loseKey("worker2");

    annotate(client, "worker2", KEY_ANNOTATION, key("worker2"));

    KubeCluster.await(SOON, "worker2 to be untainted", () -> ours("worker2").isEmpty());
    assertThat(taints(client, "worker2")).containsExactlyInAnyOrder(NOT_READY, FOREIGN);
    KubeCluster.await(SOON, "HEALTHY", () -> status().path("posture").asText().equals("HEALTHY"));
    assertThat(client.v1().events().inNamespace("default").list().getItems())
        .anyMatch(
            e ->
                "worker2".equals(e.getInvolvedObject().getName())
                    && "WireGuardReady".equals(e.getReason()));
  }

  @Test
  void anInvalidKeyIsTainted() {
    annotate(client, "worker1", KEY_ANNOTATION, "not-a-wireguard-key");

    KubeCluster.await(
        SOON,
        "worker1 tainted",
        () -> taints(client, "worker1").contains(TAINT + "=invalid-public-key:NoSchedule"));
    assertThat(row("worker1").path("findings").toString())
        .contains("not-a-wireguard-key".substring(0, 8));

    annotate(client, "worker1", KEY_ANNOTATION, key("worker1"));
    KubeCluster.await(SOON, "worker1 untainted", () -> ours("worker1").isEmpty());
  }

  @Test
  void aDuplicatedKeyTaintsEveryNodeSharingIt() {
    annotate(client, "worker1", KEY_ANNOTATION, key("control1"));

    KubeCluster.await(
        SOON,
        "both tainted",
        () ->
            taints(client, "worker1").contains(TAINT + "=duplicate-public-key:NoSchedule")
                && taints(client, "control1").contains(TAINT + "=duplicate-public-key:NoSchedule"));
    assertThat(wgguard.get("/q/health/group/wireguard").body())
        .contains("\"duplicate-public-key\": \"control1, worker1\"");

    annotate(client, "worker1", KEY_ANNOTATION, key("worker1"));
    KubeCluster.await(
        SOON, "both untainted", () -> ours("worker1").isEmpty() && ours("control1").isEmpty());
  }

  @Test
  void anExemptNodeIsNeverTainted() {
    taintForeign("worker2");

    label(client, "worker2", "node-restriction.kubernetes.io/wgguard-exempt", "true");
    annotate(client, "worker2", KEY_ANNOTATION, null);
    annotate(client, "worker2", ADDR_ANNOTATION, null);

    KubeCluster.await(SOON, "worker2 exempt", () -> row("worker2").path("exempt").asBoolean());
    assertThat(status().path("posture").asText()).isEqualTo("HEALTHY");
    assertThat(taints(client, "worker2")).containsExactlyInAnyOrder(NOT_READY, FOREIGN);

    label(client, "worker2", "node-restriction.kubernetes.io/wgguard-exempt", null);
    KubeCluster.await(
        SOON,
        "worker2 tainted once no longer exempt",
        () -> taints(client, "worker2").contains(TAINT + "=no-public-key:NoSchedule"));
    annotate(client, "worker2", KEY_ANNOTATION, key("worker2"));
    annotate(client, "worker2", ADDR_ANNOTATION, "10.48.116.146");
    KubeCluster.await(SOON, "worker2 untainted", () -> ours("worker2").isEmpty());
  }

  @Test
  void theSafetyBrakeAddsNoTaintWhenMostNodesLoseTheirKeys() {
    for (String node : new String[] {"control1", "worker1", "worker2"}) {
      annotate(client, node, KEY_ANNOTATION, null);
    }

    KubeCluster.await(SOON, "DEGRADED", () -> status().path("posture").asText().equals("DEGRADED"));
    JsonNode status = status();
    assertThat(status.path("brakeEngaged").asBoolean()).isTrue();
    // Keys vanish one by one: nodes lost while under the brake fraction may have been tainted
    // already; every node the brake holds back must carry no taint of ours.
    assertThat(status.path("withheld")).isNotEmpty();
    for (JsonNode withheld : status.path("withheld")) {
      assertThat(ours(withheld.asText())).as(withheld.asText()).isEmpty();
    }
    assertThat(status.path("withheld").size() + tainted()).isEqualTo(3);
    assertThat(wgguard.get("/q/health/group/wireguard").body()).contains("\"brakeEngaged\": true");
    assertThat(wgguard.get("/q/metrics").body()).contains("wgguard_safety_brake_engaged 1.0");

    for (String node : new String[] {"control1", "worker1", "worker2"}) {
      annotate(client, node, KEY_ANNOTATION, key(node));
    }
    KubeCluster.await(SOON, "HEALTHY", () -> status().path("posture").asText().equals("HEALTHY"));
    KubeCluster.await(SOON, "no taint of ours left", () -> tainted() == 0);
  }

  static int tainted() {
    int n = 0;
    for (String node : new String[] {"control1", "worker1", "worker2"}) {
      n += ours(node).isEmpty() ? 0 : 1;
    }
    return n;
  }

  @Test
  void withWireGuardOffClusterWideNothingIsTainted() {
    cluster.applyDefaultFelixConfiguration(false);
    KubeCluster.await(
        SOON, "WIREGUARD_OFF", () -> status().path("posture").asText().equals("WIREGUARD_OFF"));

    annotate(client, "worker1", KEY_ANNOTATION, null);
    KubeCluster.await(
        SOON,
        "a pass after the key loss",
        () ->
            !row("worker1").path("ready").asBoolean() || row("worker1").path("families").isEmpty());
    assertThat(ours("worker1")).isEmpty();
    assertThat(wgguard.get("/q/health/group/wireguard").statusCode()).isEqualTo(503);
    assertThat(wgguard.get("/q/metrics").body())
        .contains("wgguard_posture{posture=\"wireguard-off\"} 1.0")
        .contains("wgguard_posture{posture=\"nodes-not-ready\"} 0.0");
  }

  @Test
  void onlyTheLeaseHolderWritesAndADryRunReplicaOnlyReports() throws Exception {
    KubeCluster.await(SOON, "HEALTHY", () -> status().path("posture").asText().equals("HEALTHY"));

    try (WgguardProcess second =
        WgguardProcess.start(
            "node-checker-it-replica",
            cluster.kubeconfig(User.ADMIN),
            Map.of("wgguard.checker.dry-run", "true", "wgguard.checker.interval", "5s"))) {
      KubeCluster.await(
          SOON,
          "the replica's first pass",
          () -> second.status().path("posture").asText().equals("HEALTHY"));
      assertThat(second.status().path("taintWriter").asBoolean()).isFalse();
      assertThat(status().path("taintWriter").asBoolean()).isTrue();

      wgguard.close(); // releases the lease on shutdown
      KubeCluster.await(
          Duration.ofSeconds(30),
          "the replica to take the lease",
          () -> second.status().path("taintWriter").asBoolean());
      assertThat(second.status().path("dryRun").asBoolean()).isTrue();

      annotate(client, "worker2", KEY_ANNOTATION, null);
      KubeCluster.await(
          SOON,
          "the dry-run plan",
          () ->
              second
                  .status()
                  .path("pendingChanges")
                  .toString()
                  .contains(
                      "add wgguard.io/wireguard-not-ready=no-public-key:NoSchedule to worker2"));
      Thread.sleep(3000);
      assertThat(ours("worker2")).as("a dry-run leader writes nothing").isEmpty();

      // The pod webhook of a dry-run replica warns and admits (issue #13, defect 3).
      cluster.apply(
          """
          apiVersion: v1
          kind: ServiceAccount
          metadata:
            name: default
            namespace: default
          """);
      Webhooks.registerPods(client, second.webhookBase());
      try {
        KubeCluster.Result pinned =
            cluster.kubectlWithInput(
                User.ADMIN,
                """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: pinned-in-dry-run
                  namespace: default
                spec:
                  automountServiceAccountToken: false
                  nodeName: worker2
                  containers:
                  - name: app
                    image: praqma/network-multitool
                """,
                "create",
                "-f",
                "-");
        assertThat(pinned.exitCode()).as(pinned.toString()).isZero();
        assertThat(pinned.stderr())
            .contains(
                "Warning: dry run (wgguard.checker.dry-run), not refused: pod"
                    + " default/pinned-in-dry-run is pinned to node worker2");
      } finally {
        client
            .admissionRegistration()
            .v1()
            .validatingWebhookConfigurations()
            .withName("wgguard-pods")
            .delete();
        client.pods().inNamespace("default").withName("pinned-in-dry-run").delete();
      }
    }
  }

  static java.util.List<String> ours(String node) {
    return taints(client, node).stream().filter(t -> t.startsWith(TAINT + "=")).toList();
  }

  record Result(int exitCode, String stdout, String stderr) {}

  static Result kubectl(String... args) {
    KubeCluster.Result r = cluster.kubectl(User.ADMIN, args);
    return new Result(r.exitCode(), r.stdout(), r.stderr());
  }

  static JsonNode status() {
    return wgguard.status();
  }

  static JsonNode row(String node) {
    return wgguard.statusRow(node);
  }
}
