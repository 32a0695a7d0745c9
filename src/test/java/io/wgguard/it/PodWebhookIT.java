package io.wgguard.it;

import static io.wgguard.it.SeedNodes.KEY_ANNOTATION;
import static io.wgguard.it.SeedNodes.annotate;
import static io.wgguard.it.SeedNodes.key;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.wgguard.it.KubeCluster.Result;
import io.wgguard.it.KubeCluster.User;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pod webhook against a real API server, registered from {@code manifests/base}: the seed's
 * nodeName-pinned pods (which bypass the scheduler and so the taint) refused while their node is
 * not WireGuard-ready and admitted once it is; a Binding posted straight to such a node refused;
 * tolerating pods, exempt namespaces and unpinned pods pass; with wgguard down, pods are still
 * created (the webhook fails open). The API server and wgguard start once; each test starts from
 * the seed without pods ({@link #restoreTheSeed}) and takes a node's key away itself.
 */
class PodWebhookIT {

  static final Duration SOON = Duration.ofSeconds(15);
  static final String DENIED = "admission webhook \"pod.wgguard.io\" denied the request";

  static KubeCluster cluster;
  static KubernetesClient client;
  static WgguardProcess wgguard;

  @BeforeAll
  static void start() throws Exception {
    cluster = KubeCluster.startSeedCluster();
    client = cluster.admin();
    // No controller manager: the ServiceAccount admission plugin needs the accounts to exist.
    cluster.apply(
        """
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: default
          namespace: default
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: default
          namespace: kube-system
        """);
    wgguard =
        WgguardProcess.start(
            "pod-webhook-it",
            cluster.kubeconfig(User.ADMIN),
            Map.of("wgguard.checker.interval", "5s"));
    Webhooks.registerPods(client, wgguard.webhookBase());
    KubeCluster.await(SOON, "HEALTHY", () -> posture().equals("HEALTHY"));
  }

  @AfterAll
  static void stop() {
    KubeCluster.closeAll(wgguard, cluster);
  }

  /**
   * The seed as it was and no pod, with wgguard running (a test may have stopped it; it comes back
   * on the same port, so the registration stays aimed at it) and the API server calling it again.
   */
  @BeforeEach
  void restoreTheSeed() throws Exception {
    if (!wgguard.isAlive()) {
      wgguard = wgguard.restart();
      awaitThePodWebhookCalled();
    }
    deletePods("default", "kube-system");
    SeedNodes.reset(cluster, wgguard);
  }

  /** Felix losing a node's key, and wgguard holding the node not ready for it. */
  static void loseKey(String node) {
    annotate(client, node, KEY_ANNOTATION, null);
    KubeCluster.await(
        SOON, "%s not ready".formatted(node), () -> !row(node).path("ready").asBoolean());
  }

  /**
   * Deletes every pod of the namespaces at once (grace period 0: without a kubelet, a pod on a node
   * would otherwise wait for it forever) and waits until they are gone.
   */
  static void deletePods(String... namespaces) {
    for (String namespace : namespaces) {
      client.pods().inNamespace(namespace).withGracePeriod(0).delete();
    }
    KubeCluster.await(
        SeedNodes.RESET_WAIT,
        "the pods to be gone",
        () ->
            Arrays.stream(namespaces)
                .allMatch(ns -> client.pods().inNamespace(ns).list().getItems().isEmpty()));
  }

  /**
   * Waits until the API server's calls reach wgguard's pod webhook (it fails open, so a call lost
   * would admit a pod unseen): server-side dry runs of an unpinned pod, until wgguard counts one.
   */
  static void awaitThePodWebhookCalled() {
    KubeCluster.await(
        SeedNodes.RESET_WAIT,
        "the API server to call wgguard's pod webhook",
        () -> {
          createPod("webhook-probe", "default", null, "", "--dry-run=server");
          return wgguard
              .get("/q/metrics")
              .body()
              .lines()
              .anyMatch(
                  line ->
                      line.startsWith("wgguard_admission_requests_total{")
                          && line.contains("webhook=\"pod\""));
        });
  }

  @Test
  void theSeedsPodPinnedToAReadyNodeIsAdmitted() {
    Result result = createPod("pod-1", "default", "worker1", "");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.stdout()).contains("pod/pod-1 created");
    assertThat(result.stderr()).doesNotContain("Warning");
  }

  @Test
  void aPodPinnedToANodeThatLostItsKeyIsRefusedWithTheEvidence() {
    annotate(client, "worker2", KEY_ANNOTATION, null);
    KubeCluster.await(SOON, "worker2 not ready", () -> !row("worker2").path("ready").asBoolean());

    Result result = createPod("pod-2", "default", "worker2", "");

    assertThat(result.exitCode()).as(result.toString()).isNotZero();
    assertThat(result.stderr())
        .contains(DENIED)
        .contains(
            "pod default/pod-2 is pinned to node worker2 (spec.nodeName), which wgguard holds not"
                + " WireGuard-ready: no-public-key")
        .contains("projectcalico.org/WireguardPublicKey")
        .contains("add a toleration for wgguard.io/wireguard-not-ready");
    assertThat(client.pods().inNamespace("default").withName("pod-2").get()).isNull();
  }

  @Test
  void aServerSideDryRunIsJudgedTheSame() {
    loseKey("worker2");

    Result result = createPod("pod-2", "default", "worker2", "", "--dry-run=server");

    assertThat(result.exitCode()).as(result.toString()).isNotZero();
    assertThat(result.stderr()).contains(DENIED);
  }

  @Test
  void aPodToleratingTheTaintIsAdmittedWithAWarning() {
    loseKey("worker2");

    Result result =
        createPod(
            "pod-tolerating",
            "default",
            "worker2",
            """
              tolerations:
              - key: wgguard.io/wireguard-not-ready
                operator: Exists
            """);

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.stderr())
        .contains(
            "Warning: pod default/pod-tolerating tolerates wgguard.io/wireguard-not-ready and is"
                + " pinned to node worker2, which is not WireGuard-ready (no-public-key)");
  }

  @Test
  void aPodInAnExemptNamespaceAndAnUnpinnedPodAreAdmitted() {
    loseKey("worker2");

    Result system = createPod("calico-debug", "kube-system", "worker2", "");
    Result unpinned = createPod("pod-unpinned", "default", null, "");

    assertThat(system.exitCode()).as(system.toString()).isZero();
    assertThat(unpinned.exitCode()).as(unpinned.toString()).isZero();
    assertThat(system.stderr() + unpinned.stderr()).doesNotContain("Warning");
  }

  @Test
  void aBindingPostedStraightToTheNodeWithoutAKeyIsRefused() {
    loseKey("worker2");

    Result created = createPod("pod-to-bind", "default", null, "");
    assertThat(created.exitCode()).as(created.toString()).isZero();

    Result result = bind("pod-to-bind", "default", "worker2");

    assertThat(result.exitCode()).as(result.toString()).isNotZero();
    assertThat(result.stderr())
        .contains(DENIED)
        .contains(
            "binding of pod default/pod-to-bind to node worker2 (pods/binding by admin), which"
                + " wgguard holds not WireGuard-ready: no-public-key")
        .contains("only from a scheduler (system:kube-scheduler)");
    assertThat(client.pods().inNamespace("default").withName("pod-to-bind").get())
        .extracting(pod -> pod.getSpec().getNodeName())
        .isNull();
    Result toReadyNode = bind("pod-to-bind", "default", "worker1");
    assertThat(toReadyNode.exitCode()).as(toReadyNode.toString()).isZero();
    assertThat(client.pods().inNamespace("default").withName("pod-to-bind").get())
        .extracting(pod -> pod.getSpec().getNodeName())
        .isEqualTo("worker1");
  }

  @Test
  void theKeyComingBackAdmitsThePinnedPod() {
    loseKey("worker2");

    annotate(client, "worker2", KEY_ANNOTATION, key("worker2"));
    KubeCluster.await(SOON, "worker2 ready", () -> row("worker2").path("ready").asBoolean());

    Result result = createPod("pod-2", "default", "worker2", "");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.stdout()).contains("pod/pod-2 created");
  }

  @Test
  void withWgguardDownPodsAreStillCreated() {
    annotate(client, "worker1", KEY_ANNOTATION, null);
    KubeCluster.await(SOON, "worker1 not ready", () -> !row("worker1").path("ready").asBoolean());
    wgguard.close();

    Result result = createPod("pod-while-down", "default", "worker1", "");

    // failurePolicy: Ignore. The taint already keeps the scheduler away; this guard only backs it.
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.stdout()).contains("pod/pod-while-down created");
  }

  /** Creates a pod with kubectl as the admin; {@code nodeName} null: unpinned. */
  static Result createPod(
      String name, String namespace, String nodeName, String extraSpec, String... flags) {
    String yaml =
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %s
          namespace: %s
        spec:
          automountServiceAccountToken: false
        %s%s  containers:
          - name: app
            image: praqma/network-multitool
        """
            .formatted(
                name,
                namespace,
                nodeName == null ? "" : "  nodeName: " + nodeName + "\n",
                extraSpec);
    String[] args = new String[3 + flags.length];
    args[0] = "create";
    args[1] = "-f";
    args[2] = "-";
    System.arraycopy(flags, 0, args, 3, flags.length);
    return cluster.kubectlWithInput(User.ADMIN, yaml, args);
  }

  /** Posts a Binding of the pod to the node, as the scheduler does, with kubectl as the admin. */
  static Result bind(String pod, String namespace, String node) {
    String binding =
        """
        {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "%s", "namespace": "%s"},
         "target": {"apiVersion": "v1", "kind": "Node", "name": "%s"}}
        """
            .formatted(pod, namespace, node);
    return cluster.kubectlWithInput(
        User.ADMIN,
        binding,
        "create",
        "--raw",
        "/api/v1/namespaces/" + namespace + "/pods/" + pod + "/binding",
        "-f",
        "-");
  }

  static String posture() {
    return status().path("posture").asText();
  }

  static JsonNode row(String node) {
    return wgguard.statusRow(node);
  }

  static JsonNode status() {
    return wgguard.status();
  }
}
