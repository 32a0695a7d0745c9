package io.wgguard.it;

import static io.wgguard.it.SeedNodes.KEY_ANNOTATION;
import static io.wgguard.it.SeedNodes.annotate;
import static io.wgguard.it.SeedNodes.label;
import static io.wgguard.it.SeedNodes.taints;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.wgguard.it.KubeCluster.Result;
import io.wgguard.it.KubeCluster.User;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A staged rollout on a real API server: {@code default} leaves WireGuard off, {@code node.worker1}
 * turns it on for worker1 and the selector-scoped {@code wireguard-zone-b} for the nodes labelled
 * {@code zone=b} (worker2, which has no key yet). Writes are judged by what they do to those nodes,
 * and the checker guards them although {@code default} is off.
 */
class StagedRolloutIT {

  static final Duration PATIENCE = Duration.ofSeconds(90);
  static final String V1 = "felixconfigurations.crd.projectcalico.org";
  static final String DENIED =
      "admission webhook \"felixconfiguration.wgguard.io\" denied the request: ";
  static final String POD_DENIED = "admission webhook \"pod.wgguard.io\" denied the request";
  static final String TAINT = "wgguard.io/wireguard-not-ready=no-public-key:NoSchedule";
  static final String REMOVE_TRUE = "[{\"op\":\"remove\",\"path\":\"/spec/wireguardEnabled\"}]";

  static KubeCluster cluster;
  static KubernetesClient client;
  static WgguardProcess wgguard;

  @BeforeAll
  static void start() throws Exception {
    cluster = KubeCluster.start();
    client = cluster.admin();
    cluster.installCalicoCrds();
    cluster.grantFelixConfigurationWriters();
    cluster.apply(
        """
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: default
          namespace: default
        """);
    cluster.applyDefaultFelixConfiguration(false);
    SeedNodes.create(client);
    annotate(client, "worker2", KEY_ANNOTATION, null);
    wgguard =
        WgguardProcess.start(
            "staged-rollout-it",
            cluster.kubeconfig(User.ADMIN),
            Map.of(
                "wgguard.override.groups", "wgguard-approvers", "wgguard.checker.interval", "5s"));
    Webhooks.register(client, wgguard.webhookBase());
    Webhooks.registerPods(client, wgguard.webhookBase());
    restore();
    // Registrations reach the API server's webhook clients asynchronously: wait until wgguard
    // judges a write by its effect.
    KubeCluster.await(
        PATIENCE,
        "the API server to call wgguard",
        () -> removeTheTrueFromWorker1(User.EDITOR, "--dry-run=server").stderr().contains(DENIED));
  }

  @AfterAll
  static void stop() {
    KubeCluster.closeAll(wgguard, cluster);
  }

  /** Every test starts from the rollout as planned: enabling writes, which wgguard lets through. */
  @BeforeEach
  void restoreTheRollout() {
    restore();
  }

  static void restore() {
    label(client, "worker2", "zone", "b");
    cluster.apply(
        """
        apiVersion: crd.projectcalico.org/v1
        kind: FelixConfiguration
        metadata:
          name: node.worker1
        spec:
          wireguardEnabled: true
        ---
        apiVersion: crd.projectcalico.org/v1
        kind: FelixConfiguration
        metadata:
          name: wireguard-zone-b
        spec:
          nodeSelector: zone == 'b'
          wireguardEnabled: true
        """);
    for (String name : new String[] {"node.worker1", "wireguard-zone-b"}) {
      Result unlabel =
          cluster.kubectl(User.ADMIN, "label", V1, name, "wgguard.io/override-", "--overwrite");
      assertThat(unlabel.exitCode()).as(unlabel.toString()).isZero();
    }
  }

  @Test
  void removingTheTrueFromNodeWorker1IsRefusedForAnEditor() {
    Result result = removeTheTrueFromWorker1(User.EDITOR);

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.stderr())
        .contains(DENIED + "FelixConfiguration \"node.worker1\" (crd.projectcalico.org)")
        .contains("spec.wireguardEnabled=true is removed")
        .contains("now off on 1 of 3 nodes: worker1");
    assertThat(wireguardEnabled("node.worker1")).isEqualTo("true");
  }

  @Test
  void removingTheTrueFromNodeWorker1UnderAFreshTicketIsAllowedForAnApprover() {
    Result result = removeTheTrueUnderTicket(User.APPROVER, "CHG-7");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.stderr())
        .contains("Warning: WireGuard switched off on node worker1 under override CHG-7 by alice");
    assertThat(wireguardEnabled("node.worker1")).isEmpty();
  }

  @Test
  void theSameTicketLeftOnTheObjectDoesNotApproveTheNextSwitchOff() {
    Result label =
        cluster.kubectl(User.APPROVER, "label", V1, "node.worker1", "wgguard.io/override=CHG-7");
    assertThat(label.exitCode()).as(label.toString()).isZero();

    Result result = removeTheTrueFromWorker1(User.APPROVER);

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.stderr()).contains("was already on the object before this write");
    assertThat(wireguardEnabled("node.worker1")).isEqualTo("true");
  }

  @Test
  void narrowingTheSelectorIsRefusedForAnEditorAndAllowedForAnApproverWithATicket() {
    String narrower = "{\"spec\":{\"nodeSelector\":\"zone == 'b' && has(gpu)\"}}";

    Result editor =
        cluster.kubectl(
            User.EDITOR, "patch", V1, "wireguard-zone-b", "--type=merge", "-p", narrower);
    assertThat(editor.exitCode()).as(editor.toString()).isEqualTo(1);
    assertThat(editor.stderr()).contains(DENIED).contains("now off on 1 of 3 nodes: worker2");

    Result approver =
        cluster.kubectl(
            User.APPROVER,
            "patch",
            V1,
            "wireguard-zone-b",
            "--type=merge",
            "-p",
            "{\"metadata\":{\"labels\":{\"wgguard.io/override\":\"CHG-8\"}},"
                + "\"spec\":{\"nodeSelector\":\"zone == 'b' && has(gpu)\"}}");
    assertThat(approver.exitCode()).as(approver.toString()).isZero();
    assertThat(approver.stderr()).contains("under override CHG-8 by alice");
  }

  @Test
  void theKeylessWorker2IsTaintedAndItsPinnedPodRefused() {
    KubeCluster.await(PATIENCE, "worker2 tainted", () -> taints(client, "worker2").contains(TAINT));
    assertThat(wgguard.status().path("posture").asText()).isEqualTo("NODES_NOT_READY");
    assertThat(taints(client, "worker1")).doesNotContain(TAINT);

    Result pod =
        cluster.kubectlWithInput(
            User.ADMIN,
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: pinned-to-worker2
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
    assertThat(pod.exitCode()).as(pod.toString()).isNotZero();
    assertThat(pod.stderr()).contains(POD_DENIED).contains("no-public-key");
  }

  @Test
  void aRelabelledNodeLeavingWireGuardGetsItsEvent() {
    KubeCluster.await(PATIENCE, "worker2 tainted", () -> taints(client, "worker2").contains(TAINT));

    label(client, "worker2", "zone", "c");

    KubeCluster.await(
        PATIENCE,
        "the WireGuardOffByNodeLabels Event on worker2",
        () ->
            client.v1().events().inNamespace("default").list().getItems().stream()
                .anyMatch(
                    e ->
                        "worker2".equals(e.getInvolvedObject().getName())
                            && "WireGuardOffByNodeLabels".equals(e.getReason())
                            && e.getMessage().contains("since its labels changed")));
    // WireGuard is off for worker2 now: there is nothing left to prove, so the taint goes.
    KubeCluster.await(
        PATIENCE, "worker2 untainted", () -> !taints(client, "worker2").contains(TAINT));
    assertThat(wgguard.get("/q/metrics").body())
        .contains("wgguard_nodes_left_wireguard_total{cause=\"labels\"} 1.0");
  }

  static Result removeTheTrueFromWorker1(User user, String... flags) {
    String[] args = new String[6 + flags.length];
    System.arraycopy(
        new String[] {"patch", V1, "node.worker1", "--type=json", "-p", REMOVE_TRUE},
        0,
        args,
        0,
        6);
    System.arraycopy(flags, 0, args, 6, flags.length);
    return cluster.kubectl(user, args);
  }

  static Result removeTheTrueUnderTicket(User user, String ticket) {
    return cluster.kubectl(
        user,
        "patch",
        V1,
        "node.worker1",
        "--type=json",
        "-p",
        "[{\"op\":\"remove\",\"path\":\"/spec/wireguardEnabled\"},"
            + "{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"wgguard.io/override\":\""
            + ticket
            + "\"}}]");
  }

  static String wireguardEnabled(String name) {
    return cluster
        .kubectl(User.ADMIN, "get", V1, name, "-o", "jsonpath={.spec.wireguardEnabled}")
        .stdout()
        .trim();
  }
}
