package io.wgguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.wgguard.it.KubeCluster.Result;
import io.wgguard.it.KubeCluster.User;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node that joins under a {@code node.<name>} FelixConfiguration written before it (issue 23,
 * point 1), on a real API server with the FelixConfiguration webhook of {@code manifests/}: while
 * wgguard runs, writing {@code wireguardEnabled: false} for a node that has not joined yet is
 * refused (the object-alone rule: no known node flips, yet the object decides for the node that
 * joins); written while wgguard was down, with no webhook registered, the node is named by the
 * checker once it joins (Event {@code WireGuardOffAtJoin}, {@code
 * wgguard_nodes_left_wireguard_total{cause="joined"}}), whether it joins while wgguard runs or
 * while wgguard is down too (then wgguard's first pass names it).
 */
class JoinIT {

  static final String V1 = "felixconfigurations.crd.projectcalico.org";
  static final String DENIED =
      "admission webhook \"felixconfiguration.wgguard.io\" denied the request: ";
  static final String WEBHOOK = "wgguard";
  static final String JOINER = "worker3";
  static final String JOINED_METRIC = "wgguard_nodes_left_wireguard_total{cause=\"joined\"}";
  static final Duration GENEROUS = Duration.ofSeconds(90);

  /**
   * A per-node object for worker3 switching WireGuard off, as an operator would pre-position it.
   */
  static final String OFF_FOR_JOINER =
      """
      apiVersion: crd.projectcalico.org/v1
      kind: FelixConfiguration
      metadata:
        name: node.worker3
      spec:
        wireguardEnabled: false
      """;

  static KubeCluster cluster;
  static WgguardProcess wgguard;

  @BeforeAll
  static void startClusterAndWgguard() throws Exception {
    cluster = KubeCluster.startSeedCluster();
    cluster.grantFelixConfigurationWriters();
    wgguard =
        WgguardProcess.start(
            "join-it",
            cluster.kubeconfig(User.ADMIN),
            Map.of(
                "wgguard.override.groups", "wgguard-approvers",
                "wgguard.checker.interval", "2s"));
    register();
  }

  @AfterAll
  static void stop() {
    KubeCluster.closeAll(wgguard, cluster);
  }

  /**
   * wgguard running and registered (a test stops it and unregisters it), no worker3 and no object
   * for it, and the seed HEALTHY with no Event left over.
   */
  @BeforeEach
  void restoreTheSeed() throws Exception {
    if (!wgguard.isAlive()) {
      wgguard = wgguard.restart();
    }
    if (registration() == null) {
      register();
    }
    // The node first: without its object, a keyless worker3 would be tainted meanwhile.
    cluster.admin().nodes().withName(JOINER).delete();
    KubeCluster.await(
        GENEROUS,
        "worker3 gone from the API server and from /status",
        () ->
            cluster.admin().nodes().withName(JOINER).get() == null
                && wgguard.status().path("nodes").size() == SeedNodes.NODES.size());
    // Deleting an object that switches WireGuard off switches nothing off: the webhook allows it.
    Result delete =
        cluster.kubectl(User.ADMIN, "delete", V1, "node." + JOINER, "--ignore-not-found");
    assertThat(delete.exitCode()).as(delete.toString()).isZero();
    SeedNodes.reset(cluster, wgguard);
  }

  @Test
  void aPerNodeFalseForANodeThatHasNotJoinedIsRefused() {
    Result create = cluster.kubectlWithInput(User.EDITOR, OFF_FOR_JOINER, "apply", "-f", "-");

    // No known node flips (worker3 does not exist), so the effect on nodes alone would allow it;
    // the object-alone rule for scopes that match no known node is what refuses it.
    assertThat(create.exitCode()).as(create.toString()).isEqualTo(1);
    assertThat(create.stderr())
        .contains(
            DENIED
                + "FelixConfiguration \"node.worker3\" (crd.projectcalico.org) would switch"
                + " WireGuard off on node worker3")
        .contains("Refused because the object has no wgguard.io/override label");
    assertThat(cluster.kubectl(User.ADMIN, "get", V1, "node." + JOINER).stderr())
        .as("the refused object is not stored")
        .contains("NotFound");
  }

  @Test
  void aNodeJoiningUnderAFalseWrittenWhileWgguardWasDownIsNamedAtJoin() throws Exception {
    writeWhileWgguardIsDown();
    wgguard = wgguard.restart();
    register();
    KubeCluster.await(
        GENEROUS,
        "the restarted wgguard to hold the seed HEALTHY",
        () -> "HEALTHY".equals(wgguard.status().path("posture").asText()));
    assertThat(offAtJoin()).as("no node has joined yet").isEmpty();

    join();

    KubeCluster.await(
        GENEROUS, "the WireGuardOffAtJoin Event on worker3", () -> !offAtJoin().isEmpty());
    assertNamedOnce();
  }

  @Test
  void aNodeThatJoinedWhileWgguardWasDownIsNamedByItsFirstPass() throws Exception {
    writeWhileWgguardIsDown();
    join();

    wgguard = wgguard.restart();
    register();

    KubeCluster.await(
        GENEROUS, "the WireGuardOffAtJoin Event on worker3", () -> !offAtJoin().isEmpty());
    assertNamedOnce();
  }

  /**
   * Stops wgguard and deletes its registration, as if it had not been installed yet, and writes the
   * object for worker3 that the webhook would have refused.
   */
  static void writeWhileWgguardIsDown() {
    wgguard.close();
    cluster
        .admin()
        .admissionRegistration()
        .v1()
        .validatingWebhookConfigurations()
        .withName(WEBHOOK)
        .delete();
    // The API server drops the registration asynchronously: until then the write fails closed.
    KubeCluster.await(
        GENEROUS,
        "the API server to take node.worker3 without calling wgguard",
        () ->
            cluster.kubectlWithInput(User.EDITOR, OFF_FOR_JOINER, "apply", "-f", "-").exitCode()
                == 0);
  }

  /** worker3's kubelet registering its Node: no WireGuard key, as Felix publishes none there. */
  static void join() {
    Node node =
        new NodeBuilder()
            .withNewMetadata()
            .withName(JOINER)
            .withLabels(Map.of("kubernetes.io/hostname", JOINER, "kubernetes.io/os", "linux"))
            .endMetadata()
            .build();
    cluster.admin().nodes().resource(node).create();
  }

  /** Exactly one Event, on worker3, naming the object that decides; counted once. */
  static void assertNamedOnce() throws InterruptedException {
    // One more pass at least: a node is named once, not at every pass.
    Thread.sleep(5_000);
    List<Event> events = offAtJoin();
    assertThat(events).as("one WireGuardOffAtJoin Event: %s", events).hasSize(1);
    Event event = events.get(0);
    assertThat(event.getType()).isEqualTo("Warning");
    assertThat(event.getMessage())
        .isEqualTo(
            "Node worker3 joined with WireGuard (IPv4) off by FelixConfiguration node.worker3"
                + " (spec.wireguardEnabled), while default turns it on: traffic to and from it is"
                + " not encrypted");
    assertThat(wgguard.metric(JOINED_METRIC)).isEqualTo(1.0);
    assertThat(wgguard.log()).contains("Node worker3 joined with WireGuard (IPv4) off");
  }

  /** The WireGuardOffAtJoin Events in namespace default, on any node. */
  static List<Event> offAtJoin() {
    List<Event> all =
        cluster.admin().v1().events().inNamespace("default").list().getItems().stream()
            .filter(e -> "WireGuardOffAtJoin".equals(e.getReason()))
            .toList();
    assertThat(all)
        .as("only worker3 joined under an object switching WireGuard off")
        .allMatch(e -> JOINER.equals(e.getInvolvedObject().getName()));
    return all;
  }

  static Object registration() {
    return cluster
        .admin()
        .admissionRegistration()
        .v1()
        .validatingWebhookConfigurations()
        .withName(WEBHOOK)
        .get();
  }

  /**
   * Registers the FelixConfiguration webhook and waits until the API server calls wgguard: a
   * server-side dry run switching {@code default} off is then denied.
   */
  static void register() throws Exception {
    if (registration() == null) {
      Webhooks.register(cluster.admin(), wgguard.webhookBase());
    }
    KubeCluster.await(
        GENEROUS,
        "the API server to call wgguard",
        () ->
            cluster
                .kubectl(
                    User.EDITOR,
                    "patch",
                    V1,
                    "default",
                    "--type=merge",
                    "-p",
                    "{\"spec\":{\"wireguardEnabled\":false}}",
                    "--dry-run=server")
                .stderr()
                .contains(DENIED));
  }
}
