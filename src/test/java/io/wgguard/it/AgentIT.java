package io.wgguard.it;

import static io.wgguard.it.SeedNodes.taints;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chain agent → node condition → checker against a real API server: one agent per seed node,
 * reading fixture host trees, and the checker with module source {@code condition}.
 */
class AgentIT {

  static final Duration SOON = Duration.ofSeconds(60);
  static final String TAINT = "wgguard.io/wireguard-not-ready";
  static final ObjectMapper JSON = new ObjectMapper();
  static final String KEY = "c2v674NUleEWjJ7F7GPKlPNXVa9y8BzV9TnzuAw87yg=";
  static final String PEER = "0pbwVQivMA8W4H4aCB9kAWJez0rcqKaCvI2aqN7edEc=";
  static final String IDLE_KEY = "+HSTX5QH4PjCrqvn7D+KuFrMEYAcUfkQWyOFvMxjrCQ=";

  static KubeCluster cluster;
  static KubernetesClient client;
  static WgguardProcess wgguard;
  static final List<Process> agents = new ArrayList<>();
  static Path hosts;
  static Path wg;

  @BeforeAll
  static void start() throws Exception {
    cluster = KubeCluster.startSeedCluster();
    client = cluster.admin();
    hosts = Files.createTempDirectory("wgguard-hosts-");
    HostTree.loaded(hosts.resolve("control1"), "wireguard.cali");
    HostTree.loaded(hosts.resolve("worker1"), "wireguard.cali");
    HostTree.missing(hosts.resolve("worker2"));
    // A stand-in for `wg` per node: `show IFACE dump` prints IFACE.dump from the node's folder, or
    // fails as wg does for an interface that does not exist.
    wg = Files.createTempDirectory("wgguard-wg-");
    for (String node : new String[] {"control1", "worker1", "worker2"}) {
      Path dir = Files.createDirectories(wg.resolve(node));
      // As fake as wg: the device is up at MTU 1440, no rule steers traffic into it (this agent
      // reads no Felix-programmed node; TunnelsIT does), every other question has no answer.
      Path ip = dir.resolve("ip");
      Files.writeString(
          ip,
          """
          for a; do last=$a; done
          case "$*" in
            *"link show dev "*)
              printf '[{"ifname":"%s","flags":["POINTOPOINT","NOARP","UP","LOWER_UP"],"mtu":1440}]' "$last";;
            *) echo "[]";;
          esac
          """);
      Files.writeString(
          dir.resolve("wg"),
          """
          f="%s/$2.dump"
          if [ "$1 $3" = "show dump" ] && [ -f "$f" ]; then cat "$f"; exit 0; fi
          echo "Unable to access interface: No such device" >&2
          exit 1
          """
              .formatted(dir));
      agents.add(
          WgguardProcess.agent(
              "agent-" + node,
              cluster.kubeconfig(User.ADMIN),
              node,
              hosts.resolve(node),
              Map.of(
                  "WGGUARD_AGENT_TUNNEL_SOURCE",
                  "device",
                  "WGGUARD_AGENT_WG_COMMAND",
                  "/bin/sh " + dir.resolve("wg"),
                  "WGGUARD_AGENT_IP_COMMAND",
                  "/bin/sh " + ip)));
    }
    wgguard =
        WgguardProcess.start(
            "agent-it",
            cluster.kubeconfig(User.ADMIN),
            Map.of("wgguard.checker.module-sources", "key,condition"));
  }

  @AfterAll
  static void stop() {
    agents.forEach(Process::destroy);
    KubeCluster.closeAll(wgguard, cluster);
  }

  static Optional<NodeCondition> condition(String node) {
    var status = client.nodes().withName(node).get().getStatus();
    return status == null || status.getConditions() == null
        ? Optional.empty()
        : status.getConditions().stream()
            .filter(c -> "WireGuardModuleReady".equals(c.getType()))
            .findFirst();
  }

  static Optional<String> annotation(String node) {
    var annotations = client.nodes().withName(node).get().getMetadata().getAnnotations();
    return Optional.ofNullable(
        annotations == null ? null : annotations.get(Names.TUNNELS_ANNOTATION));
  }

  static Optional<TunnelSummary.Device> v4(String node) {
    return annotation(node).map(TunnelSummary::parse).map(s -> s.devices().get(IpFamily.V4));
  }

  static void dump(String node, String sample) throws IOException {
    Files.copy(
        Path.of("src/test/resources/agent", sample),
        wg.resolve(node).resolve("wireguard.cali.dump"),
        StandardCopyOption.REPLACE_EXISTING);
  }

  static List<String> ours(String node) {
    return taints(client, node).stream().filter(t -> t.startsWith(TAINT + "=")).toList();
  }

  @Test
  void theAgentReportsTheModuleAndTheCheckerActsOnIt() throws Exception {
    KubeCluster.await(
        SOON,
        "every agent to write its condition",
        () ->
            condition("control1").isPresent()
                && condition("worker1").isPresent()
                && condition("worker2").isPresent());
    assertThat(condition("worker1").orElseThrow().getStatus()).isEqualTo("True");
    assertThat(condition("worker1").orElseThrow().getReason()).isEqualTo("ModuleLoaded");
    NodeCondition missing = condition("worker2").orElseThrow();
    assertThat(missing.getStatus()).isEqualTo("False");
    assertThat(missing.getReason()).isEqualTo("ModuleMissing");
    assertThat(missing.getMessage()).contains("apt install wireguard");

    // Felix still publishes a key on worker2, but the module evidence says otherwise.
    KubeCluster.await(
        SOON,
        "worker2 tainted module-not-ready",
        () -> ours("worker2").contains(TAINT + "=module-not-ready:NoSchedule"));
    assertThat(ours("worker1")).isEmpty();
    assertThat(ours("control1")).isEmpty();
    var row = JSON.readTree(wgguard.get("/status").body()).path("nodes");
    assertThat(row.toString()).contains("ModuleMissing");

    // `apt install wireguard` on worker2, and Felix creates the interface.
    HostTree.loaded(hosts.resolve("worker2"), "wireguard.cali");
    KubeCluster.await(
        SOON,
        "worker2's condition True",
        () -> "True".equals(condition("worker2").orElseThrow().getStatus()));
    KubeCluster.await(SOON, "worker2 untainted", () -> ours("worker2").isEmpty());
    assertThat(condition("worker2").orElseThrow().getLastTransitionTime()).isNotBlank();
    // The kubelet's own conditions are untouched: only ours was written through nodes/status.
    assertThat(client.nodes().withName("worker2").get().getStatus().getConditions()).hasSize(1);
  }

  @Test
  void theAgentPublishesWhatTheDeviceShowsAndRewritesOnlyWhatMatters() throws Exception {
    dump("worker1", "wg-dump-handshake.txt");
    KubeCluster.await(
        SOON,
        "worker1's tunnels annotation to show its device",
        () -> v4("worker1").map(TunnelSummary.Device::publicKey).orElse("").equals(KEY));
    TunnelSummary published = TunnelSummary.parse(annotation("worker1").orElseThrow());
    assertThat(published.source()).isEqualTo("device");
    // The seed's default FelixConfiguration turns on IPv4 only.
    assertThat(published.devices()).containsOnlyKeys(IpFamily.V4);
    TunnelSummary.Device device = published.devices().get(IpFamily.V4);
    assertThat(device.withPath(null))
        .isEqualTo(
            new TunnelSummary.Device(
                "wireguard.cali",
                true,
                KEY,
                51820,
                1,
                TunnelSummary.peerDigest(List.of(PEER)),
                0,
                List.of()));
    // What the fake ip said of the path: up, MTU 1440, no steering rule.
    assertThat(device.path()).isNotNull();
    assertThat(device.path().up()).isTrue();
    assertThat(device.path().mtu()).isEqualTo(1440);
    assertThat(device.path().rule()).isEqualTo(-1);
    // worker2 has no device: wg says so, and the summary says so.
    KubeCluster.await(
        SOON,
        "worker2's tunnels annotation to show no device",
        () -> v4("worker2").equals(Optional.of(TunnelSummary.Device.missing("wireguard.cali"))));

    // Read every second, unchanged: not rewritten (the heartbeat is 60 s), `at` included.
    String before = annotation("worker1").orElseThrow();
    Thread.sleep(5_000);
    assertThat(annotation("worker1")).contains(before);

    // A device with a new key is written at once.
    dump("worker1", "wg-dump-idle.txt");
    KubeCluster.await(
        SOON,
        "worker1's new device key published",
        () -> v4("worker1").map(TunnelSummary.Device::publicKey).orElse("").equals(IDLE_KEY));
    assertThat(v4("worker1").orElseThrow().peers()).isEqualTo(2);
    // Written through nodes/status with the condition: the condition is still there, alone.
    assertThat(condition("worker1").orElseThrow().getStatus()).isEqualTo("True");
    assertThat(client.nodes().withName("worker1").get().getStatus().getConditions()).hasSize(1);
  }

  /**
   * The agent runs on every node, so what it loads is a cluster-wide cost (BENCHMARKS.md, "Node
   * agent"): no Quarkus, fabric8 or Vert.x at run time, and no Jackson {@code ObjectMapper} (about
   * 6 MiB of RSS; {@code io.wgguard.Json} reads and writes trees without one). Guards every use of
   * {@code Json} in the agent's path: one {@code new ObjectMapper()} or {@code JsonNode.toString()}
   * there and this fails.
   */
  @Test
  void theAgentLoadsNoObjectMapperAndNoApplicationFramework() throws Exception {
    KubeCluster.await(SOON, "worker1's tunnel summary", () -> v4("worker1").isPresent());
    java.util.Set<String> loaded = WgguardProcess.agentClasses("agent-worker1");
    // It did its work: read Nodes and FelixConfigurations, wrote a summary and a condition.
    assertThat(loaded)
        .contains(
            "io.wgguard.agent.NodeAgent",
            "io.wgguard.felix.EffectiveWireguard",
            "io.wgguard.tunnels.summary.TunnelSummary",
            "com.fasterxml.jackson.databind.node.ObjectNode");
    assertThat(loaded)
        .noneMatch(c -> c.startsWith("com.fasterxml.jackson.databind.ObjectMapper"))
        .noneMatch(c -> c.startsWith("com.fasterxml.jackson.databind.json.JsonMapper"))
        .noneMatch(c -> c.startsWith("io.quarkus."))
        .noneMatch(c -> c.startsWith("io.fabric8."))
        .noneMatch(c -> c.startsWith("io.vertx."))
        .noneMatch(c -> c.startsWith("io.netty."));
  }

  @Test
  void theAgentRefusesToStartWithoutANodeName() throws Exception {
    Path jar = Path.of(System.getProperty("wgguard.jar", "target/quarkus-app/quarkus-run.jar"));
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar.toString(),
                "agent")
            .redirectErrorStream(true);
    builder.environment().remove("NODE_NAME");
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor()).isEqualTo(2);
    assertThat(output).contains("wgguard agent: no node name: set NODE_NAME");
  }
}
