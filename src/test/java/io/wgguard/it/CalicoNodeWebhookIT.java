package io.wgguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.wgguard.it.KubeCluster.Result;
import io.wgguard.it.KubeCluster.User;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The calico-node DaemonSet on a real kube-apiserver: its environment outranks every
 * FelixConfiguration, so wgguard judges writes to it (registration from {@code manifests/}) and the
 * checker reads it as the top layer. No kubelet runs pods here; the DaemonSet object is what
 * matters. Beyond {@code env} (issue 23, point 7): a {@code command}/{@code args} exporting a
 * guarded variable and a ConfigMap mounted over Felix's config file are refused; {@code
 * FELIX_CONFIGFILE} moves nothing. An IPv4-only calico-node ({@code FELIX_IPV6SUPPORT=false}, point
 * 8) asks no IPv6 key of any node.
 */
class CalicoNodeWebhookIT {

  static final String NS = "calico-system";
  static final String DENIED = "admission webhook \"calico-node.wgguard.io\" denied the request: ";
  static final String ENV_OFF =
      "[{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/env/-\","
          + "\"value\":{\"name\":\"FELIX_WIREGUARDENABLED\",\"value\":\"false\"}}]";
  static final Duration PASS = Duration.ofSeconds(60);

  static KubeCluster cluster;
  static WgguardProcess wgguard;

  @BeforeAll
  static void startClusterAndWgguard() throws Exception {
    cluster = KubeCluster.startSeedCluster();
    cluster.apply(
        """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: calico-system
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: calico-node-editor
          namespace: calico-system
        rules:
        - apiGroups: ["apps"]
          resources: ["daemonsets"]
          verbs: ["get", "list", "watch", "create", "update", "patch"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata:
          name: calico-node-editors
          namespace: calico-system
        roleRef:
          apiGroup: rbac.authorization.k8s.io
          kind: Role
          name: calico-node-editor
        subjects:
        - {kind: Group, name: wgguard-approvers, apiGroup: rbac.authorization.k8s.io}
        - {kind: Group, name: platform-editors, apiGroup: rbac.authorization.k8s.io}
        """);
    createCalicoNode();
    wgguard =
        WgguardProcess.start(
            "calico-node-it",
            cluster.kubeconfig(User.ADMIN),
            Map.of(
                "wgguard.override.groups", "wgguard-approvers",
                "wgguard.checker.interval", "2s"));
    Webhooks.registerCalicoNode(cluster.admin(), wgguard.webhookBase());
    // The API server picks up registrations asynchronously: wait until it calls wgguard.
    KubeCluster.await(
        Duration.ofSeconds(30),
        "the API server to call wgguard",
        () -> patch(User.EDITOR, ENV_OFF, "--dry-run=server").stderr().contains(DENIED));
  }

  @AfterAll
  static void stop() {
    KubeCluster.closeAll(wgguard, cluster);
  }

  /**
   * Each test starts from a calico-node without FELIX_ variables or override, and a HEALTHY pass.
   */
  @BeforeEach
  void freshCalicoNode() {
    Result v4Only =
        cluster.kubectl(
            User.ADMIN,
            "patch",
            "felixconfigurations.crd.projectcalico.org",
            "default",
            "--type=merge",
            "-p",
            "{\"spec\":{\"wireguardEnabled\":true,\"wireguardEnabledV6\":null}}");
    assertThat(v4Only.exitCode()).as(v4Only.toString()).isZero();
    cluster.admin().apps().daemonSets().inNamespace(NS).withName("calico-node").delete();
    KubeCluster.await(
        PASS,
        "calico-node deleted",
        () ->
            cluster.admin().apps().daemonSets().inNamespace(NS).withName("calico-node").get()
                == null);
    createCalicoNode();
    KubeCluster.await(PASS, "a HEALTHY pass", () -> "HEALTHY".equals(posture()));
  }

  @Test
  void anEditorSettingFelixWireguardEnabledFalseIsRefused() {
    Result off = patch(User.EDITOR, ENV_OFF);

    assertThat(off.exitCode()).as(off.toString()).isEqualTo(1);
    assertThat(off.stderr())
        .contains(
            DENIED
                + "DaemonSet calico-system/calico-node would switch WireGuard off on every node it"
                + " runs on, above every FelixConfiguration: FELIX_WIREGUARDENABLED=false")
        .contains("Refused because the object has no wgguard.io/override label")
        .contains("only groups wgguard-approvers may use an override");
    assertThat(env()).doesNotContainKey("FELIX_WIREGUARDENABLED");
  }

  @Test
  void anEditorWithATicketIsRefusedToo() {
    Result off = patch(User.EDITOR, withTicket(ENV_OFF, "CHG-1042", null));

    assertThat(off.exitCode()).as(off.toString()).isEqualTo(1);
    assertThat(off.stderr()).contains("requester bob is not among the approved override users");
    assertThat(env()).doesNotContainKey("FELIX_WIREGUARDENABLED");
  }

  @Test
  void anApproverWithAFreshTicketIsWarnedAndTheCheckerNamesTheDaemonSetWithinAPass() {
    String expires =
        Instant.now().plus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString();
    Result off = patch(User.APPROVER, withTicket(ENV_OFF, "CHG-1042", expires));

    assertThat(off.exitCode()).as(off.toString()).isZero();
    assertThat(off.stderr())
        .contains(
            "Warning: calico-node environment on DaemonSet calico-system/calico-node may switch"
                + " WireGuard off under override CHG-1042 by alice (expires "
                + expires
                + ")");
    assertThat(env()).containsEntry("FELIX_WIREGUARDENABLED", "false");
    assertThat(wgguard.log())
        .contains(
            "decision=override webhook=calico-node op=UPDATE daemonset=calico-system/calico-node user=alice")
        .contains("ticket=CHG-1042");

    // No calico-node pod restarts here: the checker reads the DaemonSet itself.
    KubeCluster.await(
        PASS, "the posture to turn WIREGUARD_OFF", () -> "WIREGUARD_OFF".equals(posture()));
    JsonNode status = wgguard.status();
    assertThat(status.path("summary").asText())
        .startsWith(
            "WIREGUARD_OFF: WireGuard forced off by FELIX_WIREGUARDENABLED on DaemonSet"
                + " calico-system/calico-node");
    assertThat(texts(status.path("problems")))
        .contains(
            "WireGuard forced off by FELIX_WIREGUARDENABLED on DaemonSet calico-system/calico-node"
                + " (IPv4 pod traffic, nodes with kubernetes.io/os=linux)");
    var health = wgguard.get("/q/health/group/wireguard");
    assertThat(health.statusCode()).isEqualTo(503);
    assertThat(health.body())
        .contains(
            "WireGuard forced off by FELIX_WIREGUARDENABLED on DaemonSet calico-system/calico-node");
    // The gauge is published right after the status of the same pass.
    KubeCluster.await(
        PASS,
        "the forced-off gauge",
        () ->
            wgguard
                .get("/q/metrics")
                .body()
                .contains("wgguard_wireguard_forced_off_by_environment 1.0"));
  }

  @Test
  void anOperatorImageBumpPassesWithoutAWarning() {
    Result bump =
        patch(
            User.EDITOR,
            "[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/image\","
                + "\"value\":\"calico/node:v3.31.1\"}]");

    assertThat(bump.exitCode()).as(bump.toString()).isZero();
    assertThat(bump.stderr()).isEmpty();
    assertThat(
            cluster
                .admin()
                .apps()
                .daemonSets()
                .inNamespace(NS)
                .withName("calico-node")
                .get()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getImage())
        .isEqualTo("calico/node:v3.31.1");
  }

  @Test
  void aValueFromASecretIsRefusedAndSaysWhy() {
    Result fromSecret =
        patch(
            User.EDITOR,
            "[{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/env/-\",\"value\":"
                + "{\"name\":\"FELIX_WIREGUARDENABLED\",\"valueFrom\":{\"secretKeyRef\":"
                + "{\"name\":\"felix\",\"key\":\"wg\"}}}}]");

    assertThat(fromSecret.exitCode()).as(fromSecret.toString()).isEqualTo(1);
    assertThat(fromSecret.stderr())
        .contains(
            DENIED
                + "DaemonSet calico-system/calico-node takes Felix's WireGuard settings from where"
                + " admission cannot judge them: FELIX_WIREGUARDENABLED on DaemonSet"
                + " calico-system/calico-node may be set by env FELIX_WIREGUARDENABLED from Secret"
                + " felix key wg, which wgguard cannot read");
  }

  // Issue 23 point 7: Felix's sources beyond env. A shell in command/args sets the process
  // environment over env (felix/config/env_var_loader.go reads os.Environ()).
  @Test
  void aCommandExportingFelixWireguardEnabledFalseIsRefused() {
    Result off =
        patch(
            User.EDITOR,
            "[{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/command\",\"value\":"
                + "[\"sh\",\"-c\",\"export FELIX_WIREGUARDENABLED=false; exec calico-node -felix\"]}]");

    assertThat(off.exitCode()).as(off.toString()).isEqualTo(1);
    assertThat(off.stderr())
        .contains(
            DENIED
                + "DaemonSet calico-system/calico-node would switch WireGuard off on every node it"
                + " runs on, above every FelixConfiguration: the command of the calico-node"
                + " container on DaemonSet calico-system/calico-node exports"
                + " FELIX_WIREGUARDENABLED=false, which Felix reads as false: WireGuard off for IPv4"
                + " pod traffic on every node it runs on")
        .contains("Refused because the object has no wgguard.io/override label");
    assertThat(container().getCommand()).as("the refused command is not stored").isEmpty();
  }

  @Test
  void argsExportingFelixWireguardEnabledFalseAreRefused() {
    Result off =
        patch(
            User.EDITOR,
            "[{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/command\",\"value\":"
                + "[\"sh\",\"-c\"]},"
                + "{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/args\",\"value\":"
                + "[\"export Felix_WireguardEnabled='false' && exec calico-node -felix\"]}]");

    assertThat(off.exitCode()).as(off.toString()).isEqualTo(1);
    assertThat(off.stderr())
        .contains(
            DENIED
                + "DaemonSet calico-system/calico-node would switch WireGuard off on every node it"
                + " runs on, above every FelixConfiguration: the command of the calico-node"
                + " container on DaemonSet calico-system/calico-node exports"
                + " Felix_WireguardEnabled=false");
    assertThat(container().getArgs()).as("the refused args are not stored").isEmpty();
  }

  @Test
  void aCommandSettingTheVariableFromAFileIsRefusedAsNotJudgeable() {
    Result unknown =
        patch(
            User.EDITOR,
            "[{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/command\",\"value\":"
                + "[\"sh\",\"-c\",\"export FELIX_WIREGUARDENABLED=$(cat /flags/wg); exec"
                + " calico-node -felix\"]}]");

    assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(1);
    assertThat(unknown.stderr())
        .contains(
            DENIED
                + "DaemonSet calico-system/calico-node takes Felix's WireGuard settings from where"
                + " admission cannot judge them: FELIX_WIREGUARDENABLED in the command of the"
                + " calico-node container on DaemonSet calico-system/calico-node is not a literal"
                + " assignment at admission, so it may switch WireGuard off for IPv4 pod traffic"
                + " unseen");
    assertThat(container().getCommand()).isEmpty();
  }

  // Felix's config file outranks every FelixConfiguration (felix/config/config_params.go,
  // SourcesInDescendingOrder); calico-node passes Felix the fixed path /etc/calico/felix.cfg
  // (node/cmd/calico-node/main.go), so FELIX_CONFIGFILE moves nothing.
  @Test
  void aConfigMapMountedOverFelixCfgIsRefusedWhereverFelixConfigFilePoints() {
    createFelixCfgConfigMap();
    Result mount =
        patch(
            User.EDITOR,
            "[{\"op\":\"add\",\"path\":\"/spec/template/spec/volumes\",\"value\":"
                + "[{\"name\":\"felix-cfg\",\"configMap\":{\"name\":\"felix-cfg\"}}]},"
                + "{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/volumeMounts\","
                + "\"value\":[{\"name\":\"felix-cfg\",\"mountPath\":\"/etc/calico/felix.cfg\","
                + "\"subPath\":\"felix.cfg\"}]},"
                + "{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/env/-\","
                + "\"value\":{\"name\":\"FELIX_CONFIGFILE\",\"value\":\"/etc/felix-alt/felix.cfg\"}}]");

    assertThat(mount.exitCode()).as(mount.toString()).isEqualTo(1);
    assertThat(mount.stderr())
        .contains(
            DENIED
                + "DaemonSet calico-system/calico-node takes Felix's WireGuard settings from where"
                + " admission cannot judge them: Felix's config file on DaemonSet"
                + " calico-system/calico-node comes from ConfigMap felix-cfg key felix.cfg mounted"
                + " as /etc/calico/felix.cfg, which wgguard cannot read at admission, so it may"
                + " switch WireGuard off for IPv4 pod traffic unseen");
    assertThat(container().getVolumeMounts()).as("the refused mount is not stored").isEmpty();
    assertThat(env()).doesNotContainKey("FELIX_CONFIGFILE");
  }

  @Test
  void aConfigMapMountedElsewhereWithFelixConfigFilePointingThereChangesNothing() {
    createFelixCfgConfigMap();
    Result elsewhere =
        patch(
            User.EDITOR,
            "[{\"op\":\"add\",\"path\":\"/spec/template/spec/volumes\",\"value\":"
                + "[{\"name\":\"felix-cfg\",\"configMap\":{\"name\":\"felix-cfg\"}}]},"
                + "{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/volumeMounts\","
                + "\"value\":[{\"name\":\"felix-cfg\",\"mountPath\":\"/etc/felix-alt\"}]},"
                + "{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/env/-\","
                + "\"value\":{\"name\":\"FELIX_CONFIGFILE\",\"value\":\"/etc/felix-alt/felix.cfg\"}}]");

    // Felix still reads the image's /etc/calico/felix.cfg: no false alarm.
    assertThat(elsewhere.exitCode()).as(elsewhere.toString()).isZero();
    assertThat(elsewhere.stderr()).isEmpty();
    assertThat(env()).containsEntry("FELIX_CONFIGFILE", "/etc/felix-alt/felix.cfg");
    Instant since = Instant.now();
    wgguard.awaitPassAfter(since, PASS);
    assertThat(posture()).isEqualTo("HEALTHY");
  }

  // Issue 23 point 8: Felix starts IPv6 WireGuard only with IPv6 support
  // (felix/dataplane/driver.go); Calico's manifests ship calico-node with FELIX_IPV6SUPPORT=false.
  @Test
  void anIpv4OnlyCalicoNodeWithIpv6WireguardOnIsHealthyOnIpv4KeysAlone() {
    Result v6 =
        cluster.kubectl(
            User.ADMIN,
            "patch",
            "felixconfigurations.crd.projectcalico.org",
            "default",
            "--type=merge",
            "-p",
            "{\"spec\":{\"wireguardEnabledV6\":true}}");
    assertThat(v6.exitCode()).as(v6.toString()).isZero();
    // With IPv6 support (Felix's default) the seed's nodes, which publish IPv4 keys only, are not
    // ready: this is the demand an IPv4-only calico-node lifts.
    KubeCluster.await(
        PASS,
        "IPv6 WireGuard demanding IPv6 keys of the seed",
        () ->
            !"HEALTHY".equals(posture())
                && !wgguard.statusRow("worker1").path("ready").asBoolean());

    cluster.admin().apps().daemonSets().inNamespace(NS).withName("calico-node").delete();
    KubeCluster.await(
        PASS,
        "calico-node deleted",
        () ->
            cluster.admin().apps().daemonSets().inNamespace(NS).withName("calico-node").get()
                == null);
    Result create =
        cluster.kubectlWithInput(User.EDITOR, IPV4_ONLY_CALICO_NODE, "create", "-f", "-");

    assertThat(create.exitCode()).as(create.toString()).isZero();
    assertThat(create.stderr()).isEmpty();
    KubeCluster.await(PASS, "a HEALTHY pass", () -> "HEALTHY".equals(posture()));
    JsonNode status = wgguard.status();
    assertThat(status.path("nodes")).hasSize(3);
    for (JsonNode row : status.path("nodes")) {
      assertThat(row.path("ready").asBoolean()).as(row.toString()).isTrue();
      assertThat(texts(row.path("families"))).as(row.toString()).containsExactly("IPv4");
      assertThat(row.path("tainted").asBoolean()).as(row.toString()).isFalse();
    }
  }

  /** calico-node as Calico's manifests ship it: IPv4 only. */
  static final String IPV4_ONLY_CALICO_NODE =
      """
      apiVersion: apps/v1
      kind: DaemonSet
      metadata:
        name: calico-node
        namespace: calico-system
        labels: {k8s-app: calico-node}
      spec:
        selector:
          matchLabels: {k8s-app: calico-node}
        template:
          metadata:
            labels: {k8s-app: calico-node}
          spec:
            nodeSelector: {kubernetes.io/os: linux}
            containers:
            - name: calico-node
              image: calico/node:v3.31.0
              env:
              - {name: DATASTORE_TYPE, value: kubernetes}
              - {name: FELIX_IPV6SUPPORT, value: "false"}
      """;

  /** A ConfigMap holding a felix.cfg that switches WireGuard off. */
  static void createFelixCfgConfigMap() {
    cluster.apply(
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: felix-cfg
          namespace: calico-system
        data:
          felix.cfg: |
            [global]
            WireguardEnabled = false
        """);
  }

  static io.fabric8.kubernetes.api.model.Container container() {
    return cluster
        .admin()
        .apps()
        .daemonSets()
        .inNamespace(NS)
        .withName("calico-node")
        .get()
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0);
  }

  static void createCalicoNode() {
    DaemonSet daemonSet =
        new DaemonSetBuilder()
            .withNewMetadata()
            .withName("calico-node")
            .withNamespace(NS)
            .withLabels(Map.of("k8s-app", "calico-node"))
            .endMetadata()
            .withNewSpec()
            .withNewSelector()
            .withMatchLabels(Map.of("k8s-app", "calico-node"))
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(Map.of("k8s-app", "calico-node"))
            .endMetadata()
            .withNewSpec()
            .withNodeSelector(Map.of("kubernetes.io/os", "linux"))
            .addNewContainer()
            .withName("calico-node")
            .withImage("calico/node:v3.31.0")
            .withEnv(new EnvVar("DATASTORE_TYPE", "kubernetes", null))
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    cluster.admin().apps().daemonSets().inNamespace(NS).resource(daemonSet).create();
  }

  /** One user's JSON patch of calico-node, as kubectl sends it. */
  static Result patch(User user, String jsonPatch, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of("patch", "daemonset", "calico-node", "-n", NS, "--type=json", "-p", jsonPatch));
    args.addAll(List.of(extra));
    return cluster.kubectl(user, args.toArray(String[]::new));
  }

  /** {@code jsonPatch} plus the override label (and expiry annotation, if given). */
  static String withTicket(String jsonPatch, String ticket, String expires) {
    String label =
        ",{\"op\":\"add\",\"path\":\"/metadata/labels/wgguard.io~1override\",\"value\":\""
            + ticket
            + "\"}";
    String annotation =
        expires == null
            ? ""
            : ",{\"op\":\"add\",\"path\":\"/metadata/annotations/wgguard.io~1override-expires\","
                + "\"value\":\""
                + expires
                + "\"}";
    return jsonPatch.substring(0, jsonPatch.length() - 1) + label + annotation + "]";
  }

  static Map<String, String> env() {
    Map<String, String> env = new java.util.HashMap<>();
    cluster
        .admin()
        .apps()
        .daemonSets()
        .inNamespace(NS)
        .withName("calico-node")
        .get()
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .getEnv()
        .forEach(e -> env.put(e.getName(), e.getValue()));
    return env;
  }

  static String posture() {
    return wgguard.status().path("posture").asText();
  }

  static List<String> texts(JsonNode array) {
    List<String> texts = new java.util.ArrayList<>();
    array.forEach(n -> texts.add(n.asText()));
    return texts;
  }
}
