package io.wgguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.wgguard.Names;
import io.wgguard.agent.HostTree;
import io.wgguard.felix.IpFamily;
import io.wgguard.tunnels.summary.TunnelSummary;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The agent image ({@code scripts/images.sh}, {@code src/main/docker/Dockerfile.agent}) run as the
 * kubelet runs {@code manifests/base}'s DaemonSet ({@link PodContainer}): UID 0 with every
 * capability dropped but {@code NET_ADMIN}, a read-only root file system, no privilege escalation,
 * the DaemonSet's command, JVM flags and limits, {@code /host/sys} and {@code /host/proc}
 * read-only, the token the API server minted for the DaemonSet's service account. Each container
 * joins one node of a {@link NamespaceMesh} ({@code podman run --network ns:/run/netns/<node>}), as
 * {@code hostNetwork} joins the node's, and reads that node's real WireGuard device with the
 * image's own {@code wg}; the test checks the summary it publishes on the Node.
 *
 * <p>What differs from a cluster, because of this machine: its kernel has no WireGuard module, so
 * the devices are wireguard-go's, which {@code wg} reaches through their UAPI sockets in {@code
 * /var/run/wireguard} (mounted read-only; a kernel device is read over netlink, which the
 * capability grants); the host tree under {@code /host} is a fixture (the host's own {@code /sys}
 * shows neither the module nor the namespace's device); and the API server listens on the host's
 * loopback, which a node's namespace does not share, so socat carries {@code 127.0.0.1:<port>} of
 * each node to it through a Unix socket. Needs root (CI runs as root).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentImageIT {

  static final Duration SOON = Duration.ofSeconds(120);
  static final List<String> NODES = List.of("node-a", "node-b");

  static KubeCluster cluster;
  static KubernetesClient client;
  static NamespaceMesh mesh;
  static Path work;
  static final List<Process> relays = new ArrayList<>();
  static final Map<String, PodContainer> agents = new LinkedHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    List<JsonNode> base = PodContainer.render("manifests/base");
    JsonNode daemonSet = PodContainer.object(base, "DaemonSet", "wgguard-agent");
    String image =
        daemonSet
            .path("spec")
            .path("template")
            .path("spec")
            .path("containers")
            .get(0)
            .path("image")
            .asText();
    PodContainer.requirements(List.of(image));
    NamespaceMesh.requirements();
    cluster = KubeCluster.startWithWireguardOn();
    client = cluster.admin();
    ImageCluster.applyRbac(cluster, base);
    Path serviceAccount = ImageCluster.serviceAccount(cluster, "wgguard-agent");
    mesh = NamespaceMesh.create(NODES);
    work = Files.createTempDirectory("wgguard-agent-image-");
    URI api = URI.create(cluster.masterUrl());
    Path socket = work.resolve("apiserver.sock");
    relays.add(
        relay(
            List.of(
                "socat",
                "UNIX-LISTEN:" + socket + ",fork,mode=600",
                "TCP:127.0.0.1:" + api.getPort())));
    KubeCluster.await(Duration.ofSeconds(10), "the relay's socket", () -> Files.exists(socket));
    mesh.peerAll();
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
      relays.add(
          relay(
              List.of(
                  "ip",
                  "netns",
                  "exec",
                  member.namespace(),
                  "socat",
                  "TCP-LISTEN:" + api.getPort() + ",bind=127.0.0.1,reuseaddr,fork",
                  "UNIX-CONNECT:" + socket)));
      Path host = HostTree.loaded(work.resolve(member.node()), member.iface());
      agents.put(
          member.node(),
          PodContainer.of("agent-" + member.node(), daemonSet)
              .network("ns:/run/netns/" + member.namespace())
              .field("spec.nodeName", member.node())
              .hostPath("/sys", host.resolve("sys"))
              .hostPath("/proc", host.resolve("proc"))
              .serviceAccount(serviceAccount)
              .mount(Path.of("/var/run/wireguard"), "/var/run/wireguard", true)
              .env("KUBERNETES_SERVICE_HOST", "127.0.0.1")
              .env("KUBERNETES_SERVICE_PORT", String.valueOf(api.getPort()))
              // Felix names its device wireguard.cali; the mesh's carry the test's pid.
              .env("WGGUARD_AGENT_INTERFACE_NAME", member.iface())
              .env("WGGUARD_AGENT_INTERVAL", "2s")
              .start());
    }
  }

  @AfterAll
  static void stop() {
    agents.values().forEach(PodContainer::close);
    for (Process relay : relays) {
      relay.destroy();
      try {
        if (!relay.waitFor(10, TimeUnit.SECONDS)) {
          relay.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (mesh != null) {
      mesh.close();
    }
    KubeCluster.closeAll(cluster);
    if (work != null) {
      TunnelsIT.deleteTree(work);
    }
  }

  static Process relay(List<String> command) throws IOException {
    Path logs = Path.of("target", "it-logs");
    Files.createDirectories(logs);
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(
            ProcessBuilder.Redirect.appendTo(logs.resolve("agent-image-relays.log").toFile()))
        .start();
  }

  static Optional<TunnelSummary> summary(String node) {
    var annotations = client.nodes().withName(node).get().getMetadata().getAnnotations();
    String json = annotations == null ? null : annotations.get(Names.TUNNELS_ANNOTATION);
    return Optional.ofNullable(json).map(TunnelSummary::parse);
  }

  static Optional<TunnelSummary.Device> v4(String node) {
    return summary(node).map(s -> s.devices().get(IpFamily.V4));
  }

  static void alive() {
    agents.forEach(
        (node, agent) -> {
          if (!agent.isAlive()) {
            throw new AssertionError("the agent container of " + node + " exited:\n" + agent.log());
          }
        });
  }

  @Test
  @Order(1)
  void eachAgentContainerPublishesItsNodesRealDevice() {
    for (NamespaceMesh.Member member : mesh.members()) {
      String peer =
          mesh.members().stream().filter(m -> m != member).findFirst().orElseThrow().publicKey();
      KubeCluster.await(
          SOON,
          member.node() + "'s tunnel summary",
          () -> {
            alive();
            return v4(member.node()).map(TunnelSummary.Device::present).orElse(false);
          });
      TunnelSummary published = summary(member.node()).orElseThrow();
      assertThat(published.source()).isEqualTo("device");
      assertThat(published.devices()).containsOnlyKeys(IpFamily.V4);
      TunnelSummary.Device device = published.devices().get(IpFamily.V4);
      assertThat(device.withPath(null))
          .isEqualTo(
              new TunnelSummary.Device(
                  member.iface(),
                  true,
                  member.publicKey(),
                  NamespaceMesh.PORT,
                  1,
                  TunnelSummary.peerDigest(List.of(peer)),
                  0,
                  List.of()));
      // The image's own ip read the path: the device up, its MTU and the underlay's.
      assertThat(device.path()).as("the path the image's ip read").isNotNull();
      assertThat(device.path().up()).isTrue();
      assertThat(device.path().mtu()).isPositive();
      assertThat(device.path().underlayMtu()).isGreaterThan(device.path().mtu());
      // The module evidence from /host, written through nodes/status.
      var condition =
          client.nodes().withName(member.node()).get().getStatus().getConditions().stream()
              .filter(c -> "WireGuardModuleReady".equals(c.getType()))
              .findFirst()
              .orElseThrow();
      assertThat(condition.getStatus()).isEqualTo("True");
    }
    // The DaemonSet's readiness probe, inside the node's network namespace.
    NamespaceMesh.Member a = mesh.member("node-a");
    NamespaceMesh.Result health =
        NamespaceMesh.run(
            List.of(
                "ip",
                "netns",
                "exec",
                a.namespace(),
                "bash",
                "-c",
                "exec 3<>/dev/tcp/127.0.0.1/9001; printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3;"
                    + " timeout 10 cat <&3"),
            Map.of(),
            false);
    assertThat(health.out()).startsWith("HTTP/1.1 200");
  }

  @Test
  @Order(2)
  void aRekeyedDeviceIsPublishedWithItsNewKey() throws Exception {
    NamespaceMesh.Member b = mesh.member("node-b");
    String rekeyed = mesh.rekey(b);

    KubeCluster.await(
        SOON,
        "node-b's new device key published",
        () -> {
          alive();
          return v4("node-b").map(TunnelSummary.Device::publicKey).orElse("").equals(rekeyed);
        });
    assertThat(rekeyed).isNotEqualTo(b.publicKey());
    assertThat(agents.get("node-b").log()).doesNotContain("cannot run wg");
  }
}
