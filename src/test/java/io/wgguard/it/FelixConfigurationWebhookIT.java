package io.wgguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.it.KubeCluster.Result;
import io.wgguard.it.KubeCluster.User;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real contract: a real kube-apiserver calls the packaged wgguard over TLS, registered from
 * what {@code manifests/} ships, and users see the answers through kubectl. The API server and
 * wgguard start once; each test starts from {@code default} switching WireGuard on in both groups
 * ({@link #restoreWireGuardOn}), so any one runs alone and in any order.
 */
class FelixConfigurationWebhookIT {

  static final String V1 = "felixconfigurations.crd.projectcalico.org";
  static final String V3 = "felixconfigurations.projectcalico.org";
  static final String DENIED =
      "admission webhook \"felixconfiguration.wgguard.io\" denied the request: ";
  static final String ON = "{\"spec\":{\"wireguardEnabled\":true}}";
  static final String OFF = "{\"spec\":{\"wireguardEnabled\":false}}";
  static final String OFF_WITH_TICKET =
      "{\"metadata\":{\"labels\":{\"wgguard.io/override\":\"CHG-1042\"}},"
          + "\"spec\":{\"wireguardEnabled\":false}}";
  static final String WEBHOOK = "wgguard";

  /** What calico-node writes at start-up, in either group (%s: the apiVersion). */
  static final String CALICO_NODE_START_UP =
      """
      apiVersion: %s
      kind: FelixConfiguration
      metadata:
        name: default
      spec:
        logSeverityScreen: Info
        reportingInterval: 0s
      """;

  /** The state every test starts from: on, as calico-node logs, no override label or expiry. */
  static final String RESTORE =
      "{\"metadata\":{\"labels\":{\"wgguard.io/override\":null},"
          + "\"annotations\":{\"wgguard.io/override-expires\":null}},"
          + "\"spec\":{\"wireguardEnabled\":true,\"logSeverityScreen\":\"Info\"}}";

  static KubeCluster cluster;
  static WgguardProcess wgguard;

  @BeforeAll
  static void startClusterAndWgguard() throws Exception {
    cluster = KubeCluster.start();
    cluster.installCalicoCrds();
    cluster.grantFelixConfigurationWriters();
    // What calico-node writes at start-up, in both groups, before wgguard is installed.
    for (String apiVersion : new String[] {"crd.projectcalico.org/v1", "projectcalico.org/v3"}) {
      cluster.apply(CALICO_NODE_START_UP.formatted(apiVersion));
    }
    wgguard =
        WgguardProcess.start(
            "felixconfiguration-it",
            cluster.kubeconfig(User.ADMIN),
            Map.of("wgguard.override.groups", "wgguard-approvers"));
    Webhooks.register(cluster.admin(), wgguard.webhookBase());
    awaitTheWebhook(true);
  }

  @AfterAll
  static void stop() {
    KubeCluster.closeAll(wgguard, cluster);
  }

  /**
   * wgguard running and registered (a test may have stopped it, which comes back on the same port,
   * so the registration stays aimed at it, or failed with the webhook unregistered) and {@code
   * default} in both groups switching WireGuard on, as the seed's patch leaves it, with
   * calico-node's log level and no override label or expiry.
   */
  @BeforeEach
  void restoreWireGuardOn() throws Exception {
    boolean restarted = !wgguard.isAlive();
    if (restarted) {
      wgguard = wgguard.restart();
    }
    boolean unregistered =
        cluster
                .admin()
                .admissionRegistration()
                .v1()
                .validatingWebhookConfigurations()
                .withName(WEBHOOK)
                .get()
            == null;
    if (unregistered) {
      Webhooks.register(cluster.admin(), wgguard.webhookBase());
    }
    if (restarted || unregistered) {
      awaitTheWebhook(true);
    }
    for (String resource : new String[] {V1, V3}) {
      Result restore =
          cluster.kubectl(User.ADMIN, "patch", resource, "default", "--type=merge", "-p", RESTORE);
      assertThat(restore.exitCode()).as(restore.toString()).isZero();
    }
    Result perNode =
        cluster.kubectl(User.ADMIN, "delete", V1, "node.worker1", "--ignore-not-found");
    assertThat(perNode.exitCode()).as(perNode.toString()).isZero();
  }

  /**
   * {@code default} in both groups as calico-node writes it at start-up, before the seed's patch:
   * WireGuard unset, i.e. off. wgguard refuses writing that (rightly), so the admin does it with
   * the webhook unregistered, as before wgguard was installed, and registers it again.
   */
  static void calicoNodeStartUp() throws Exception {
    cluster
        .admin()
        .admissionRegistration()
        .v1()
        .validatingWebhookConfigurations()
        .withName(WEBHOOK)
        .delete();
    awaitTheWebhook(false);
    for (String apiVersion : new String[] {"crd.projectcalico.org/v1", "projectcalico.org/v3"}) {
      Result replace =
          cluster.kubectlWithInput(
              User.ADMIN, CALICO_NODE_START_UP.formatted(apiVersion), "replace", "-f", "-");
      assertThat(replace.exitCode()).as(replace.toString()).isZero();
    }
    Webhooks.register(cluster.admin(), wgguard.webhookBase());
    awaitTheWebhook(true);
  }

  /**
   * Waits until the API server calls wgguard's FelixConfiguration webhook ({@code called}), or no
   * longer does: it picks up registrations asynchronously. wgguard answers a server-side dry run
   * writing WireGuard off with a denial when it is on, and with a warning that the write keeps it
   * off when it is off (calico-node's start-up object); without wgguard the dry run passes
   * silently.
   */
  static void awaitTheWebhook(boolean called) {
    KubeCluster.await(
        Duration.ofSeconds(60),
        called ? "the API server to call wgguard" : "the API server to stop calling wgguard",
        () -> {
          Result dryRun =
              cluster.kubectl(
                  User.ADMIN,
                  "patch",
                  V1,
                  "default",
                  "--type=merge",
                  "-p",
                  OFF,
                  "--dry-run=server");
          boolean judged =
              dryRun.stderr().contains(DENIED) || dryRun.stderr().contains("keeps WireGuard off");
          return called ? judged : dryRun.exitCode() == 0 && !judged;
        });
  }

  @Test
  void theSeedsPatchEnablesWireGuard() throws Exception {
    calicoNodeStartUp();
    assertThat(get(V1)).as("calico-node's start-up object leaves WireGuard unset").isEmpty();

    Result seed =
        cluster.kubectl(
            User.EDITOR, "patch", "felixconfiguration", "default", "--type=merge", "-p", ON);

    assertThat(seed.exitCode()).as(seed.toString()).isZero();
    assertThat(seed.stdout()).contains("/default patched");
    assertThat(seed.stderr()).doesNotContain("Warning");
    assertThat(get("felixconfiguration")).isEqualTo("true");
    // Enable it in both groups explicitly, whichever one kubectl resolved.
    for (String resource : new String[] {V1, V3}) {
      Result enable =
          cluster.kubectl(User.EDITOR, "patch", resource, "default", "--type=merge", "-p", ON);
      assertThat(enable.exitCode()).as(enable.toString()).isZero();
      assertThat(get(resource)).isEqualTo("true");
    }
  }

  @Test
  void switchingItOffIsRefusedAndTheMessageNamesTheLabel() {
    Result off = cluster.kubectl(User.EDITOR, "patch", V1, "default", "--type=merge", "-p", OFF);

    assertThat(off.exitCode()).as(off.toString()).isEqualTo(1);
    assertThat(off.stderr())
        .contains(
            DENIED
                + "FelixConfiguration \"default\" (crd.projectcalico.org) would switch WireGuard off"
                + " cluster-wide: spec.wireguardEnabled is false")
        .contains("Refused because the object has no wgguard.io/override label")
        .contains("label the object wgguard.io/override=<ticket>")
        .contains("only groups wgguard-approvers may use an override");
    assertThat(get(V1)).isEqualTo("true");
  }

  @Test
  void anApproverWithAValidTicketSwitchesItOffAndIsWarned() {
    Result off =
        cluster.kubectl(
            User.APPROVER, "patch", V1, "default", "--type=merge", "-p", OFF_WITH_TICKET);

    assertThat(off.exitCode()).as(off.toString()).isZero();
    assertThat(off.stderr())
        .contains("Warning: WireGuard switched off cluster-wide under override CHG-1042 by alice");
    assertThat(get(V1)).isEqualTo("false");

    Result back =
        cluster.kubectl(
            User.APPROVER,
            "patch",
            V1,
            "default",
            "--type=merge",
            "-p",
            "{\"metadata\":{\"labels\":{\"wgguard.io/override\":null}},\"spec\":{\"wireguardEnabled\":true}}");
    assertThat(back.exitCode()).as(back.toString()).isZero();
    assertThat(get(V1)).isEqualTo("true");
  }

  @Test
  void anEditorWithTheSameTicketIsRefused() {
    Result off =
        cluster.kubectl(User.EDITOR, "patch", V1, "default", "--type=merge", "-p", OFF_WITH_TICKET);

    assertThat(off.exitCode()).as(off.toString()).isEqualTo(1);
    assertThat(off.stderr())
        .contains(DENIED + "FelixConfiguration \"default\"")
        .contains("requester bob is not among the approved override users or groups");
    assertThat(get(V1)).isEqualTo("true");
  }

  @Test
  void aPerNodeObjectSwitchingOffOneNodeIsRefused() {
    Result create =
        cluster.kubectlWithInput(
            User.EDITOR,
            """
            apiVersion: crd.projectcalico.org/v1
            kind: FelixConfiguration
            metadata:
              name: node.worker1
            spec:
              wireguardEnabled: false
            """,
            "apply",
            "-f",
            "-");

    assertThat(create.exitCode()).as(create.toString()).isEqualTo(1);
    assertThat(create.stderr())
        .contains(
            DENIED
                + "FelixConfiguration \"node.worker1\" (crd.projectcalico.org) would switch WireGuard"
                + " off on node worker1");
    assertThat(cluster.kubectl(User.ADMIN, "get", V1, "node.worker1").stderr())
        .contains("NotFound");
  }

  @Test
  void deletingDefaultIsRefused() {
    Result delete = cluster.kubectl(User.EDITOR, "delete", V1, "default");

    assertThat(delete.exitCode()).as(delete.toString()).isEqualTo(1);
    assertThat(delete.stderr())
        .contains(DENIED + "Deleting FelixConfiguration \"default\" (crd.projectcalico.org)")
        .contains(
            "annotate it wgguard.io/override-expires=<RFC 3339 time> at most 72h ahead, then"
                + " delete it");
    assertThat(get(V1)).isEqualTo("true");
  }

  @Test
  void theV3GroupIsGuardedToo() {
    Result off = cluster.kubectl(User.EDITOR, "patch", V3, "default", "--type=merge", "-p", OFF);

    assertThat(off.exitCode()).as(off.toString()).isEqualTo(1);
    assertThat(off.stderr())
        .contains(
            DENIED
                + "FelixConfiguration \"default\" (projectcalico.org) would switch WireGuard off");
    assertThat(get(V3)).isEqualTo("true");
  }

  @Test
  void calicoNodeWritingOtherFieldsPassesWithoutAWarning() {
    Result write =
        cluster.kubectl(
            User.CALICO_NODE,
            "patch",
            V1,
            "default",
            "--type=merge",
            "-p",
            "{\"spec\":{\"logSeverityScreen\":\"Warning\"}}");

    assertThat(write.exitCode()).as(write.toString()).isZero();
    assertThat(write.stderr()).isEmpty();
  }

  @Test
  void serverSideDryRunIsJudgedTheSameAndChangesNothing() {
    Result refused =
        cluster.kubectl(
            User.EDITOR, "patch", V1, "default", "--type=merge", "-p", OFF, "--dry-run=server");
    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
    assertThat(refused.stderr()).contains(DENIED + "FelixConfiguration \"default\"");

    Result allowed =
        cluster.kubectl(
            User.APPROVER,
            "patch",
            V1,
            "default",
            "--type=merge",
            "-p",
            OFF_WITH_TICKET,
            "--dry-run=server");
    assertThat(allowed.exitCode()).as(allowed.toString()).isZero();
    assertThat(allowed.stderr())
        .contains("Warning: WireGuard switched off cluster-wide under override CHG-1042");
    assertThat(get(V1)).isEqualTo("true");
  }

  @Test
  void withWgguardStoppedFelixConfigurationWritesFailClosed() {
    wgguard.close();

    Result write =
        cluster.kubectl(
            User.CALICO_NODE,
            "patch",
            V1,
            "default",
            "--type=merge",
            "-p",
            "{\"spec\":{\"logSeverityScreen\":\"Info\"}}");

    assertThat(write.exitCode()).as(write.toString()).isEqualTo(1);
    assertThat(write.stderr()).contains("failed calling webhook \"felixconfiguration.wgguard.io\"");
    assertThat(get(V1)).isEqualTo("true");
  }

  static String get(String resource) {
    Result get =
        cluster.kubectl(
            User.ADMIN, "get", resource, "default", "-o", "jsonpath={.spec.wireguardEnabled}");
    assertThat(get.exitCode()).as(get.toString()).isZero();
    return get.stdout().trim();
  }
}
