package io.wgguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.wgguard.Names;
import io.wgguard.agent.HostTree;
import io.wgguard.felix.IpFamily;
import io.wgguard.it.KubeCluster.User;
import io.wgguard.tunnels.summary.TunnelSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The node agent and a FelixConfiguration whose {@code nodeSelector} nests deeply (issue 23, point
 * 10): 490 parentheses deep, 1,014 characters, near the most the API server stores (Calico's CRD
 * caps {@code nodeSelector} at 1,024 characters) and well within what Felix reads (Go's stacks
 * grow). The recursive parser wgguard had before crashed the agent with a StackOverflowError under
 * the DaemonSet's 256 KiB thread stacks, on every node at once; with that parser put back, this
 * test fails on the agent's death. Here the agent runs as the DaemonSet runs it, with the JVM flags
 * of {@code manifests/base/agent-daemonset.yaml}, and must not only survive the object but read it
 * as Felix does: the selector matches worker1, so the interface it names is the one the agent reads
 * and publishes.
 *
 * <p>No wgguard and no webhook run here: the object is written as an admin would write it while
 * wgguard is down or not yet installed. What is already in the cluster is what the agent faces.
 */
class DeepSelectorIT {

  static final Duration SOON = Duration.ofSeconds(90);
  static final String NODE = "worker1";
  static final String KEY = "c2v674NUleEWjJ7F7GPKlPNXVa9y8BzV9TnzuAw87yg=";
  static final String IDLE_KEY = "+HSTX5QH4PjCrqvn7D+KuFrMEYAcUfkQWyOFvMxjrCQ=";

  /** 490 parentheses around a test that selects worker1: 1,014 characters. */
  static final String DEEP_SELECTOR =
      "(".repeat(490) + "kubernetes.io/hostname == 'worker1'" + ")".repeat(490);

  static KubeCluster cluster;
  static KubernetesClient client;
  static Path host;
  static Path tools;
  static Process agent;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = KubeCluster.startSeedCluster();
    client = cluster.admin();
    host = Files.createTempDirectory("wgguard-deep-host-");
    HostTree.loaded(host, "wireguard.cali");
    Files.createDirectories(host.resolve("sys/class/net/wg-deep"));
    // Stand-ins for `wg` and `ip`, as AgentIT's: `wg show IFACE dump` prints IFACE.dump.
    tools = Files.createTempDirectory("wgguard-deep-tools-");
    Files.writeString(
        tools.resolve("ip"),
        """
        for a; do last=$a; done
        case "$*" in
          *"link show dev "*)
            printf '[{"ifname":"%s","flags":["POINTOPOINT","NOARP","UP","LOWER_UP"],"mtu":1440}]' "$last";;
          *) echo "[]";;
        esac
        """);
    Files.writeString(
        tools.resolve("wg"),
        """
        f="%s/$2.dump"
        if [ "$1 $3" = "show dump" ] && [ -f "$f" ]; then cat "$f"; exit 0; fi
        echo "Unable to access interface: No such device" >&2
        exit 1
        """
            .formatted(tools));
    dump("wireguard.cali", "wg-dump-handshake.txt");
    dump("wg-deep", "wg-dump-handshake.txt");
  }

  @AfterAll
  static void stop() {
    KubeCluster.closeAll(cluster);
  }

  /** An agent for worker1 with the DaemonSet's JVM flags, and no deep object yet. */
  @BeforeEach
  void startTheAgent() throws Exception {
    KubeCluster.Result delete =
        cluster.kubectl(
            User.ADMIN,
            "delete",
            "felixconfigurations.crd.projectcalico.org",
            "deep",
            "--ignore-not-found");
    assertThat(delete.exitCode()).as(delete.toString()).isZero();
    dump("wg-deep", "wg-dump-handshake.txt");
    List<String> jvm = WgguardProcess.agentDaemonSetJvmOptions();
    assertThat(jvm).as("the DaemonSet's JVM flags").contains("-Xss256k", "-Xint");
    agent =
        WgguardProcess.agent(
            "deep-selector-agent",
            cluster.kubeconfig(User.ADMIN),
            NODE,
            host,
            Map.of(
                "WGGUARD_AGENT_TUNNEL_SOURCE", "device",
                "WGGUARD_AGENT_WG_COMMAND", "/bin/sh " + tools.resolve("wg"),
                "WGGUARD_AGENT_IP_COMMAND", "/bin/sh " + tools.resolve("ip")),
            jvm);
    KubeCluster.await(
        SOON,
        "the agent to publish default's interface, wireguard.cali",
        () -> device().map(TunnelSummary.Device::iface).orElse("").equals("wireguard.cali"));
  }

  @AfterEach
  void stopTheAgent() throws InterruptedException {
    if (agent != null) {
      agent.destroy();
      agent.waitFor();
    }
  }

  @Test
  void theAgentSurvivesADeeplyNestedSelectorAndReadsItAsFelixDoes() throws Exception {
    assertThat(DEEP_SELECTOR).hasSizeGreaterThan(1_000);
    cluster.apply(
        """
        apiVersion: crd.projectcalico.org/v1
        kind: FelixConfiguration
        metadata:
          name: deep
        spec:
          nodeSelector: "%s"
          wireguardInterfaceName: wg-deep
        """
            .formatted(DEEP_SELECTOR));
    assertThat(
            cluster
                .kubectl(
                    User.ADMIN,
                    "get",
                    "felixconfigurations.crd.projectcalico.org",
                    "deep",
                    "-o",
                    "jsonpath={.spec.nodeSelector}")
                .stdout())
        .as("the API server stores the selector as written")
        .isEqualTo(DEEP_SELECTOR);

    // The selector matches worker1, so Felix names its device wg-deep; the agent reads that one.
    KubeCluster.await(
        SOON,
        "the agent to publish the deep object's interface, wg-deep",
        () ->
            !agent.isAlive()
                || device().map(TunnelSummary.Device::iface).orElse("").equals("wg-deep"));
    assertAlive();
    assertThat(device().orElseThrow().publicKey()).isEqualTo(KEY);

    // Still running rounds afterwards: a rekeyed device is published, with the condition.
    dump("wg-deep", "wg-dump-idle.txt");
    KubeCluster.await(
        SOON,
        "the agent to publish wg-deep's new key",
        () ->
            !agent.isAlive()
                || device().map(TunnelSummary.Device::publicKey).orElse("").equals(IDLE_KEY));
    assertAlive();
    NodeCondition condition = condition().orElseThrow();
    assertThat(condition.getStatus()).isEqualTo("True");
    assertThat(condition.getReason()).isEqualTo("ModuleLoaded");
  }

  static void assertAlive() throws IOException {
    String log = Files.readString(Path.of("target", "it-logs", "deep-selector-agent.log"));
    assertThat(agent.isAlive()).as("the agent runs; its log:%n%s", log).isTrue();
    assertThat(log).doesNotContain("StackOverflowError");
  }

  static Optional<TunnelSummary.Device> device() {
    var annotations = client.nodes().withName(NODE).get().getMetadata().getAnnotations();
    String published = annotations == null ? null : annotations.get(Names.TUNNELS_ANNOTATION);
    return Optional.ofNullable(published)
        .map(TunnelSummary::parse)
        .map(s -> s.devices().get(IpFamily.V4));
  }

  static Optional<NodeCondition> condition() {
    var status = client.nodes().withName(NODE).get().getStatus();
    return status == null || status.getConditions() == null
        ? Optional.empty()
        : status.getConditions().stream()
            .filter(c -> Names.MODULE_READY_CONDITION.equals(c.getType()))
            .findFirst();
  }

  static void dump(String iface, String sample) throws IOException {
    Files.copy(
        Path.of("src/test/resources/agent", sample),
        tools.resolve(iface + ".dump"),
        StandardCopyOption.REPLACE_EXISTING);
  }
}
