package io.wgguard.it;

import static io.wgguard.it.SeedNodes.taints;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.wgguard.Names;
import io.wgguard.agent.HostTree;
import io.wgguard.it.KubeCluster.User;
import io.wgguard.tunnels.summary.TunnelSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proof of encryption on real tunnels: three network-namespace nodes with userspace WireGuard
 * devices ({@link NamespaceMesh}), their real public keys published on Node objects in a real API
 * server as Felix publishes them, one real node agent per node launched as the DaemonSet launches
 * it ({@link WgguardProcess#agent}) reading its node's device with {@code ip netns exec <ns> wg}
 * and publishing the tunnel summaries, and the packaged wgguard judging them with {@code
 * wgguard.checker.tunnel-evidence=enforce}. Each break is real: a device rekeyed, a peer removed,
 * UDP to a node dropped with nftables, a device deleted; each is named in {@code /status} within a
 * few passes. One agent also reads its device through Felix's Prometheus metrics ({@link
 * FelixExposition}). The nodes are programmed as Felix programs them (pod blocks, fwmark, the
 * WireGuard table and rule, BlockAffinities in the API server), and each break of the path is first
 * shown to put pod traffic in clear or lose it, then named, then cleared by restoring it. Needs
 * root (CI runs as root).
 */
class TunnelsIT {

  static final Duration SOON = Duration.ofSeconds(60);
  static final List<String> NODES = List.of("node-a", "node-b", "node-c");
  static final Pattern WIREGUARD_UDP =
      Pattern.compile(
          ".* IP 10\\.213\\.0\\.\\d+\\.51820 > 10\\.213\\.0\\.\\d+\\.51820: UDP, length \\d+");

  static KubeCluster cluster;
  static KubernetesClient client;
  static WgguardProcess wgguard;

  /**
   * The agents' change spread: peer-count changes wait up to this long (drawn per node), so it is
   * short here.
   */
  static final String CHANGE_SPREAD = "5s";

  /**
   * How often the agents read their devices. A peer is stale when it was sent traffic since the
   * previous reading with no recent handshake; WireGuard retries a handshake every 5 s while
   * traffic waits, so a reading interval above 5 s sees a retry in every interval and the finding
   * holds steady instead of flickering between readings.
   */
  static final String INTERVAL = "6s";

  /** Summaries older than this prove nothing; a younger block may be absent from its peers. */
  static final String CONDITION_MAX_AGE = "30s";

  static final String AFFINITY_API = Names.CALICO_CRD_GROUP + "/v1";

  /** An ICMP packet between pod addresses, seen on the underlay: clear text. */
  static final Pattern CLEAR_ICMP =
      Pattern.compile(".* IP 10\\.214\\.\\d+\\.\\d+ > 10\\.214\\.\\d+\\.\\d+: ICMP .*");

  NamespaceMesh mesh;
  Path hosts;
  final Map<String, Process> agents = new LinkedHashMap<>();
  FelixExposition felix;

  @BeforeAll
  static void start() throws Exception {
    NamespaceMesh.requirements();
    cluster = KubeCluster.startWithWireguardOn();
    client = cluster.admin();
    wgguard =
        WgguardProcess.start(
            "tunnels-it",
            cluster.kubeconfig(User.ADMIN),
            Map.of(
                "wgguard.checker.interval", "2s",
                "wgguard.checker.tunnel-evidence", "enforce",
                // Also the time a new IPAM block may take to reach every peer (PathPolicy).
                "wgguard.checker.condition-max-age", CONDITION_MAX_AGE));
  }

  @AfterAll
  static void stop() {
    KubeCluster.closeAll(wgguard, cluster);
  }

  @BeforeEach
  void meshOfThreeNodes() throws Exception {
    mesh = NamespaceMesh.create(NODES);
    try {
      mesh.peerAll();
      mesh.programAsFelix();
      for (NamespaceMesh.Member member : mesh.members()) {
        affinity(member.node(), mesh.blocks(member).get(0));
      }
      for (NamespaceMesh.Member member : mesh.members()) {
        Node node =
            new NodeBuilder()
                .withNewMetadata()
                .withName(member.node())
                .withLabels(Map.of("kubernetes.io/hostname", member.node()))
                .withAnnotations(
                    Map.of(
                        Names.PUBLIC_KEY_V4,
                        member.publicKey(),
                        Names.INTERFACE_ADDR_V4,
                        member.tunnel()))
                .endMetadata()
                .build();
        client.nodes().resource(node).create();
      }
      hosts = Files.createTempDirectory("wgguard-tunnels-hosts-");
      for (NamespaceMesh.Member member : mesh.members()) {
        startAgent(member, Map.of("WGGUARD_AGENT_TUNNEL_SOURCE", "device"));
      }
      KubeCluster.await(
          SOON,
          "every node's tunnels proven: " + wgguard.status(),
          () -> NODES.stream().allMatch(n -> reasons(n).isEmpty() && pairs(n) == 2));
    } catch (Exception | AssertionError e) {
      tearDown();
      throw e;
    }
  }

  @AfterEach
  void tearDown() {
    agents.values().forEach(TunnelsIT::stopAgent);
    agents.clear();
    if (felix != null) {
      felix.close();
      felix = null;
    }
    if (mesh != null) {
      mesh.close();
    }
    for (String node : NODES) {
      client.nodes().withName(node).delete();
    }
    client.genericKubernetesResources(AFFINITY_API, Names.BLOCK_AFFINITY_KIND).delete();
    KubeCluster.await(
        SOON,
        "nodes deleted",
        () -> NODES.stream().allMatch(n -> client.nodes().withName(n).get() == null));
    if (hosts != null) {
      deleteTree(hosts);
    }
  }

  /**
   * Starts the node agent for a mesh member as the DaemonSet does, reading the member's device in
   * its namespace, every {@link #INTERVAL}, with a short change spread; {@code env} adds the tunnel
   * source.
   */
  void startAgent(NamespaceMesh.Member member, Map<String, String> env) throws IOException {
    Path root = HostTree.loaded(hosts.resolve(member.node()), member.iface());
    Map<String, String> all = new HashMap<>(env);
    all.put("WGGUARD_AGENT_WG_COMMAND", "ip netns exec " + member.namespace() + " wg");
    all.put("WGGUARD_AGENT_IP_COMMAND", "ip netns exec " + member.namespace() + " ip");
    all.put("WGGUARD_AGENT_INTERFACE_NAME", member.iface());
    all.put("WGGUARD_AGENT_INTERVAL", INTERVAL);
    all.put("WGGUARD_AGENT_CHANGE_SPREAD", CHANGE_SPREAD);
    String source = all.get("WGGUARD_AGENT_TUNNEL_SOURCE");
    agents.put(
        member.node(),
        WgguardProcess.agent(
            "tunnels-agent-" + member.node() + "-" + source,
            cluster.kubeconfig(User.ADMIN),
            member.node(),
            root,
            all));
  }

  static void stopAgent(Process agent) {
    agent.destroy();
    try {
      if (!agent.waitFor(10, TimeUnit.SECONDS)) {
        agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      agent.destroyForcibly();
    }
  }

  static void deleteTree(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory of fixture files left behind holds nothing anyone uses
    }
  }

  @Test
  void podTrafficCrossesTheUnderlayOnlyAsUdpToTheWireguardPort() throws Exception {
    NamespaceMesh.Member a = mesh.member("node-a");
    NamespaceMesh.Member b = mesh.member("node-b");
    NamespaceMesh.Member c = mesh.member("node-c");
    List<Boolean> pings = new ArrayList<>();

    List<String> seen =
        mesh.capture(
            a,
            () -> {
              pings.add(mesh.ping(a, b));
              pings.add(mesh.ping(a, c));
            });

    assertThat(pings).containsExactly(true, true);
    assertThat(seen)
        .hasSizeGreaterThanOrEqualTo(6)
        .allMatch(l -> WIREGUARD_UDP.matcher(l).matches());
    JsonNode tunnels = wgguard.status().path("tunnels");
    assertThat(tunnels.path("coverage").asDouble()).isEqualTo(1.0);
    assertThat(tunnels.path("pairsExpected").asLong()).isEqualTo(6);
    assertThat(wgguard.get("/q/metrics").body())
        .contains("wgguard_mesh_coverage 1.0", "wgguard_mesh_pairs{state=\"healthy\"} 6.0");
    assertThat(wgguard.get("/q/health/group/wireguard").body())
        .contains("\"tunnels.coverage\": \"1.0000\"");
    assertThat(mesh.dump(a).out().lines().filter(l -> l.startsWith(b.publicKey())))
        .singleElement()
        .satisfies(peer -> assertThat(peer.split("\t")[4]).isNotEqualTo("0"));
  }

  @Test
  void aDeviceWithAnotherKeyThanPublishedIsAKeyMismatchAndTainted() throws Exception {
    mesh.rekey(mesh.member("node-b"));

    KubeCluster.await(
        SOON,
        "node-b named tunnel-key-mismatch",
        () -> reasons("node-b").contains("tunnel-key-mismatch"));
    KubeCluster.await(
        SOON,
        "node-b tainted tunnel-key-mismatch",
        () ->
            taints(client, "node-b")
                .contains(Names.NOT_READY_TAINT + "=tunnel-key-mismatch:NoSchedule"));
    assertThat(findings("node-b"))
        .anyMatch(
            f ->
                f.contains(
                    "but the node publishes " + mesh.member("node-b").publicKey().substring(0, 8)));
    assertThat(reasons("node-a")).isEmpty();
  }

  @Test
  void aRemovedPeerIsMissing() {
    mesh.removePeer(mesh.member("node-a"), mesh.member("node-c"));

    KubeCluster.await(
        SOON, "node-a named peers-missing", () -> reasons("node-a").contains("peers-missing"));
    assertThat(findings("node-a"))
        .anyMatch(f -> f.contains("has 1 peer and the other nodes publish 2"));
    assertThat(wgguard.status().path("tunnels").path("pairsHealthy").asLong()).isEqualTo(5);
    KubeCluster.await(
        SOON,
        "the metric counting peers-missing",
        () ->
            wgguard
                .get("/q/metrics")
                .body()
                .contains("wgguard_tunnel_findings{reason=\"peers-missing\"} 1.0"));
    assertThat(wgguard.get("/q/health/group/wireguard").body())
        .contains("\"tunnels.peers-missing\": \"node-a\"");
  }

  @Test
  void udpDroppedToOneNodeLeavesTheSendersPeerWithoutHandshake() {
    NamespaceMesh.Member a = mesh.member("node-a");
    NamespaceMesh.Member c = mesh.member("node-c");
    mesh.dropWireguardUdp(c);

    assertThat(mesh.ping(a, c)).isFalse();

    KubeCluster.await(
        SOON, "node-a named handshake-stale", () -> reasons("node-a").contains("handshake-stale"));
    assertThat(findings("node-a"))
        .anyMatch(f -> f.contains("node-c (" + c.publicKey().substring(0, 8)));
  }

  @Test
  void aDeletedDeviceLeavesThePublishedKeyWithoutDevice() {
    mesh.deleteDevice(mesh.member("node-b"));

    KubeCluster.await(
        SOON,
        "node-b named tunnel-key-mismatch",
        () -> reasons("node-b").contains("tunnel-key-mismatch"));
    assertThat(findings("node-b")).anyMatch(f -> f.contains("the node agent found no IPv4 device"));
  }

  @Test
  void anAgentReadingFelixMetricsOfTheRealDeviceIsJudgedAndARekeyIsNamed() throws Exception {
    NamespaceMesh.Member b = mesh.member("node-b");
    felix =
        FelixExposition.serve(
            () -> {
              NamespaceMesh.Result dump = mesh.dump(b);
              return FelixExposition.render(b.node(), b.iface(), dump.ok() ? dump.out() : null);
            });
    assertThat(FelixExposition.render(b.node(), b.iface(), mesh.dump(b).out()))
        .contains(
            "wireguard_meta{hostname=\"node-b\",iface=\""
                + b.iface()
                + "\",listen_port=\"51820\",public_key=\""
                + b.publicKey()
                + "\"} 1",
            "wireguard_latest_handshake_seconds{hostname=\"node-b\",peer_endpoint=\"10.213.0.1:51820\","
                + "peer_key=\""
                + mesh.member("node-a").publicKey()
                + "\",public_key=\""
                + b.publicKey()
                + "\"} "
                + FelixExposition.NEVER);
    stopAgent(agents.remove(b.node()));
    startAgent(
        b,
        Map.of(
            "WGGUARD_AGENT_TUNNEL_SOURCE",
            "felix-metrics",
            "WGGUARD_AGENT_FELIX_METRICS_URL",
            felix.url()));

    KubeCluster.await(
        SOON,
        "node-b's summary from Felix's metrics, judged healthy: " + wgguard.status(),
        () ->
            "felix-metrics".equals(source("node-b"))
                && reasons("node-b").isEmpty()
                && pairs("node-b") == 2);
    assertThat(mesh.ping(mesh.member("node-a"), b)).isTrue();

    mesh.rekey(b);

    KubeCluster.await(
        SOON,
        "node-b named tunnel-key-mismatch from Felix's metrics",
        () -> reasons("node-b").contains("tunnel-key-mismatch"));
    assertThat(findings("node-b"))
        .anyMatch(f -> f.contains("but the node publishes " + b.publicKey().substring(0, 8)));
    assertThat(source("node-b")).isEqualTo("felix-metrics");
  }

  /** A confirmed BlockAffinity of {@code block} to {@code node}, as Calico's IPAM writes it. */
  static void affinity(String node, String block) {
    client
        .genericKubernetesResources(AFFINITY_API, Names.BLOCK_AFFINITY_KIND)
        .resource(
            new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
                .withApiVersion(AFFINITY_API)
                .withKind(Names.BLOCK_AFFINITY_KIND)
                .withNewMetadata()
                .withName(node + "-" + block.replace('.', '-').replace('/', '-'))
                .endMetadata()
                .withAdditionalProperties(
                    Map.of(
                        "spec",
                        Map.of(
                            "node", node, "cidr", block, "state", "confirmed", "deleted", "false")))
                .build())
        .create();
  }

  /** ICMP between pod addresses on {@code from}'s underlay port while it pings {@code to}'s pod. */
  List<String> clearIcmp(NamespaceMesh.Member from, NamespaceMesh.Member to) throws IOException {
    return mesh
        .capture(
            from,
            "icmp",
            () -> mesh.pingPod(from.namespace(), mesh.pod(from), mesh.pod(to), 56, false))
        .stream()
        .filter(l -> CLEAR_ICMP.matcher(l).matches())
        .toList();
  }

  /** Waits for {@code reason} on {@code node} alone, then restores it and waits for it to clear. */
  void namedThenCleared(String node, String reason, Runnable restore) {
    KubeCluster.await(
        SOON,
        node + " named " + reason + ": " + wgguard.status(),
        () -> reasons(node).contains(reason));
    KubeCluster.await(
        SOON,
        node + " tainted " + reason,
        () ->
            taints(client, node).stream().anyMatch(t -> t.startsWith(Names.NOT_READY_TAINT + "=")));
    restore.run();
    KubeCluster.await(
        SOON,
        "every node's path proven again: " + wgguard.status(),
        () -> NODES.stream().allMatch(n -> reasons(n).isEmpty() && pairs(n) == 2));
  }

  @Test
  void podTrafficBetweenPodAddressesIsEncryptedAsFelixProgramsIt() throws Exception {
    NamespaceMesh.Member a = mesh.member("node-a");
    NamespaceMesh.Member b = mesh.member("node-b");
    List<Boolean> pings = new ArrayList<>();

    List<String> seen =
        mesh.capture(
            a, () -> pings.add(mesh.pingPod(a.namespace(), mesh.pod(a), mesh.pod(b), 56, false)));

    assertThat(pings).containsExactly(true);
    assertThat(seen).isNotEmpty().allMatch(l -> WIREGUARD_UDP.matcher(l).matches());
    assertThat(mesh.pingPod(a.namespace(), mesh.pod(a), mesh.pod(b), NamespaceMesh.MTU - 28, true))
        .as("a full-size packet with don't-fragment crosses")
        .isTrue();
  }

  @Test
  void theRuleDeletedSendsPodTrafficInClearAndIsARouteBypass() throws Exception {
    NamespaceMesh.Member a = mesh.member("node-a");
    mesh.deleteRules(a);

    assertThat(clearIcmp(a, mesh.member("node-b"))).isNotEmpty();
    namedThenCleared("node-a", "route-bypass", () -> mesh.program(a));
    assertThat(clearIcmp(a, mesh.member("node-b"))).isEmpty();
  }

  @Test
  void theRuleAfterTheMainTablesSendsPodTrafficInClear() throws Exception {
    NamespaceMesh.Member a = mesh.member("node-a");
    mesh.moveRule(a, 40000);

    assertThat(clearIcmp(a, mesh.member("node-c"))).isNotEmpty();
    namedThenCleared("node-a", "route-bypass", () -> mesh.program(a));
    assertThat(findings("node-a")).isEmpty();
  }

  @Test
  void aPeerThrownAndLeftOutOfAllowedIpsIsABypassAndAMissingBlock() throws Exception {
    NamespaceMesh.Member a = mesh.member("node-a");
    NamespaceMesh.Member b = mesh.member("node-b");
    mesh.throwPeer(a, b);

    assertThat(clearIcmp(a, b)).isNotEmpty();
    KubeCluster.await(
        SOON,
        "node-a named allowed-ips-missing",
        () -> reasons("node-a").contains("allowed-ips-missing"));
    assertThat(findings("node-a"))
        .anyMatch(f -> f.contains("thrown: " + mesh.blocks(b).get(0) + " (node-b)"));
    namedThenCleared("node-a", "route-bypass", () -> mesh.program(a));
  }

  @Test
  void aDeviceSetDownLosesItsRoutesAndSendsPodTrafficInClear() throws Exception {
    NamespaceMesh.Member b = mesh.member("node-b");
    mesh.setDown(b);

    assertThat(clearIcmp(b, mesh.member("node-a"))).isNotEmpty();
    namedThenCleared("node-b", "device-down", () -> mesh.program(b));
  }

  @Test
  void aDeviceMtuEqualToTheUnderlaysLosesFullSizePackets() {
    NamespaceMesh.Member c = mesh.member("node-c");
    NamespaceMesh.Member a = mesh.member("node-a");
    mesh.setMtu(c, 1500);

    assertThat(mesh.pingPod(c.namespace(), mesh.pod(c), mesh.pod(a), 1500 - 28, true))
        .as("a 1500-byte packet fits the device but not the underlay with WireGuard's 60 bytes")
        .isFalse();
    assertThat(mesh.pingPod(c.namespace(), mesh.pod(c), mesh.pod(a), 56, true)).isTrue();
    namedThenCleared("node-c", "mtu-too-large", () -> mesh.program(c));
    assertThat(mesh.pingPod(c.namespace(), mesh.pod(c), mesh.pod(a), NamespaceMesh.MTU - 28, true))
        .isTrue();
  }

  @Test
  void aNewBlockItsPeersDoNotRouteIsNamedOnEachPeer() {
    NamespaceMesh.Member a = mesh.member("node-a");
    NamespaceMesh.Member c = mesh.member("node-c");
    String pod = mesh.addBlock(c, "10.214.13.0/26");
    affinity("node-c", "10.214.13.0/26");

    assertThat(mesh.pingPod(a.namespace(), mesh.pod(a), pod, 56, false))
        .as("node-a has no route to the new block")
        .isFalse();
    KubeCluster.await(
        SOON.plusSeconds(30),
        "node-a and node-b named route-bypass once the block is older than the condition max age",
        () ->
            reasons("node-a").containsAll(List.of("route-bypass", "allowed-ips-missing"))
                && reasons("node-b").containsAll(List.of("route-bypass", "allowed-ips-missing")));
    assertThat(reasons("node-c")).isEmpty();
    mesh.program(a);
    mesh.program(mesh.member("node-b"));
    mesh.program(c);
    KubeCluster.await(
        SOON,
        "every node's path proven with the new block: " + wgguard.status(),
        () -> NODES.stream().allMatch(n -> reasons(n).isEmpty() && pairs(n) == 2));
    assertThat(mesh.pingPod(a.namespace(), mesh.pod(a), pod, 56, false)).isTrue();
  }

  /** The {@code source} of the node's published tunnel summary; empty when none. */
  static String source(String node) {
    var annotations = client.nodes().withName(node).get().getMetadata().getAnnotations();
    String summary = annotations == null ? null : annotations.get(Names.TUNNELS_ANNOTATION);
    return summary == null ? "" : TunnelSummary.parse(summary).source();
  }

  /** The node's tunnel reasons in {@code /status}; {@code [unseen]} before wgguard judged it. */
  static List<String> reasons(String node) {
    JsonNode tunnels = tunnels(node);
    return tunnels.isMissingNode() ? List.of("unseen") : texts(tunnels.path("reasons"));
  }

  static List<String> findings(String node) {
    return texts(tunnels(node).path("findings"));
  }

  static long pairs(String node) {
    return tunnels(node).path("pairsHealthy").asLong(-1);
  }

  static JsonNode tunnels(String node) {
    for (JsonNode row : wgguard.status().path("nodes")) {
      if (node.equals(row.path("name").asText())) {
        return row.path("tunnels");
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(t -> texts.add(t.asText()));
    return texts;
  }
}
