package io.wgguard.it;

import static io.wgguard.it.SeedNodes.taints;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.wgguard.Names;
import io.wgguard.agent.HostTree;
import io.wgguard.felix.IpFamily;
import io.wgguard.it.KubeCluster.User;
import io.wgguard.tunnels.summary.TunnelSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent's cadence on a real API server: liveness by Lease, the Node written on change and by
 * the forced report only, and the checker's {@code agent-silent} when a Lease expires. Each test
 * runs its own agent on its own seed node, with a cadence shortened to seconds.
 */
class AgentCadenceIT {

  static final Duration SOON = Duration.ofSeconds(90);
  static final String TAINT = Names.NOT_READY_TAINT;
  static final ObjectMapper JSON = new ObjectMapper();
  static final String KEY = "c2v674NUleEWjJ7F7GPKlPNXVa9y8BzV9TnzuAw87yg=";
  static final String PEER = "0pbwVQivMA8W4H4aCB9kAWJez0rcqKaCvI2aqN7edEc=";
  static final String IDLE_KEY = "+HSTX5QH4PjCrqvn7D+KuFrMEYAcUfkQWyOFvMxjrCQ=";
  static final Duration REPORT = Duration.ofSeconds(20);
  static final Duration JITTER = Duration.ofSeconds(5);

  static KubeCluster cluster;
  static KubernetesClient client;
  static WgguardProcess wgguard;
  static Path hosts;
  static Path wg;
  final List<Process> agents = new ArrayList<>();
  final ScheduledExecutorService handshakes = Executors.newSingleThreadScheduledExecutor();

  @BeforeAll
  static void start() throws Exception {
    cluster = KubeCluster.startSeedCluster();
    client = cluster.admin();
    hosts = Files.createTempDirectory("wgguard-cadence-hosts-");
    wg = Files.createTempDirectory("wgguard-cadence-wg-");
    for (String node : new String[] {"control1", "worker1", "worker2"}) {
      HostTree.loaded(hosts.resolve(node), "wireguard.cali");
      Path dir = Files.createDirectories(wg.resolve(node));
      Files.writeString(
          dir.resolve("wg"),
          """
          f="%s/$2.dump"
          if [ "$1 $3" = "show dump" ] && [ -f "$f" ]; then cat "$f"; exit 0; fi
          echo "Unable to access interface: No such device" >&2
          exit 1
          """
              .formatted(dir));
    }
    // Module source condition, so that the agent's word counts; a full pass every 2 s, so that a
    // Lease that runs out is judged within seconds. The safety brake off: each test stops its
    // agent, so after two tests two of the three nodes are silent, which the brake (rightly, for a
    // cluster whose agents all lose the API server) would hold untainted.
    wgguard =
        WgguardProcess.start(
            "cadence-it",
            cluster.kubeconfig(User.ADMIN),
            Map.of(
                "wgguard.checker.module-sources", "key,condition",
                "wgguard.checker.interval", "2s",
                "wgguard.checker.brake-fraction", "1",
                "wgguard.checker.lease-namespace", "default"));
  }

  @AfterAll
  static void stop() {
    KubeCluster.closeAll(wgguard, cluster);
  }

  @AfterEach
  void stopAgents() {
    handshakes.shutdownNow();
    agents.forEach(Process::destroy);
  }

  /**
   * Starts the agent for {@code node}: devices read every second, the Lease renewed every 2 s for 8
   * s, the forced report every {@code report} plus up to {@code jitter}.
   */
  Process agent(String node, Duration report, Duration jitter) throws IOException {
    Map<String, String> env = new HashMap<>();
    env.put("WGGUARD_AGENT_TUNNEL_SOURCE", "device");
    env.put("WGGUARD_AGENT_WG_COMMAND", "/bin/sh " + wg.resolve(node).resolve("wg"));
    // As fake as wg (AgentIT's): the device up at MTU 1440, no steering rule, nothing else.
    Path ip = wg.resolve(node).resolve("ip");
    java.nio.file.Files.createDirectories(ip.getParent());
    java.nio.file.Files.writeString(
        ip,
        """
        for a; do last=$a; done
        case "$*" in
          *"link show dev "*)
            printf '[{"ifname":"%s","flags":["POINTOPOINT","NOARP","UP","LOWER_UP"],"mtu":1440}]' "$last";;
          *) echo "[]";;
        esac
        """);
    env.put("WGGUARD_AGENT_IP_COMMAND", "/bin/sh " + ip);
    env.put("WGGUARD_AGENT_REPORT_INTERVAL", report.toSeconds() + "s");
    env.put("WGGUARD_AGENT_REPORT_JITTER", jitter.toSeconds() + "s");
    env.put("WGGUARD_AGENT_CHANGE_SPREAD", "0s");
    env.put("WGGUARD_AGENT_LEASE_INTERVAL", "2s");
    env.put("WGGUARD_AGENT_LEASE_DURATION", "8s");
    Process agent =
        WgguardProcess.agent(
            "cadence-agent-" + node + "-" + agents.size(),
            cluster.kubeconfig(User.ADMIN),
            node,
            hosts.resolve(node),
            env);
    agents.add(agent);
    return agent;
  }

  /**
   * The device of {@code node} with one peer whose latest handshake is {@code ago} before now and
   * whose counters stand still: healthy, and the same state whatever the handshake time.
   */
  static void device(String node, String key, Duration ago) throws IOException {
    long handshake = Instant.now().minus(ago).getEpochSecond();
    Path file = wg.resolve(node).resolve("wireguard.cali.dump");
    Path next = file.resolveSibling("wireguard.cali.dump.new");
    Files.writeString(
        next,
        ("+BIbGVsEU9UYemcIQFa8hfagLNxpkik/rca0gnaaums=\t%s\t51820\toff\n"
                + "%s\t(none)\t192.0.2.2:51821\t10.99.0.2/32\t%d\t284\t276\toff\n")
            .formatted(key, PEER, handshake));
    Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** Rewrites the device every second with a handshake that moves on, as a live tunnel's does. */
  void movingHandshakes(String node) {
    handshakes.scheduleAtFixedRate(
        () -> {
          try {
            device(node, KEY, Duration.ofSeconds(Instant.now().getEpochSecond() % 60));
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        },
        0,
        1,
        TimeUnit.SECONDS);
  }

  static Optional<TunnelSummary.Device> v4(String node) {
    var annotations = client.nodes().withName(node).get().getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(Names.TUNNELS_ANNOTATION);
    return Optional.ofNullable(value)
        .map(TunnelSummary::parse)
        .map(s -> s.devices().get(IpFamily.V4));
  }

  static Optional<Lease> lease(String node) {
    return Optional.ofNullable(
        client.leases().inNamespace("default").withName(Names.agentLeaseName(node)).get());
  }

  static List<String> ours(String node) {
    return taints(client, node).stream().filter(t -> t.startsWith(TAINT + "=")).toList();
  }

  /**
   * Watches {@code node} for {@code window} and returns the resourceVersions of the agent's writes:
   * those that change its condition's heartbeat or the tunnel summary. The checker's own writes
   * (taints) and anyone else's are left out, so that they cannot be counted against the agent.
   */
  static Set<String> writesOver(String node, Duration window) throws InterruptedException {
    Set<String> versions = ConcurrentHashMap.newKeySet();
    Node start = client.nodes().withName(node).get();
    AtomicReference<String> last = new AtomicReference<>(agentState(start));
    try (Watch watch =
        client
            .nodes()
            .withName(node)
            .watch(
                new io.fabric8.kubernetes.api.model.ListOptionsBuilder()
                    .withResourceVersion(start.getMetadata().getResourceVersion())
                    .build(),
                new Watcher<Node>() {
                  @Override
                  public void eventReceived(Action action, Node object) {
                    String state = agentState(object);
                    if (action == Action.MODIFIED && !state.equals(last.getAndSet(state))) {
                      versions.add(object.getMetadata().getResourceVersion());
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                })) {
      Thread.sleep(window.toMillis());
    }
    return versions;
  }

  /** What only the agent writes on a Node: its condition's heartbeat and the tunnel summary. */
  static String agentState(Node node) {
    var annotations = node.getMetadata().getAnnotations();
    String summary =
        annotations == null ? "" : annotations.getOrDefault(Names.TUNNELS_ANNOTATION, "");
    String heartbeat =
        node.getStatus() == null || node.getStatus().getConditions() == null
            ? ""
            : node.getStatus().getConditions().stream()
                .filter(c -> Names.MODULE_READY_CONDITION.equals(c.getType()))
                .map(c -> String.valueOf(c.getLastHeartbeatTime()))
                .findFirst()
                .orElse("");
    return heartbeat + "|" + summary;
  }

  /**
   * Read every second, with handshakes that move on every second, the Node of an idle agent is
   * written by the forced report alone: over 70 s with a report every 20 to 25 s, two or three
   * writes (at most four, should a report fall on both ends), where one a reading would be 70. The
   * Lease meanwhile is renewed every 2 s.
   */
  @Test
  void anIdleAgentWritesItsNodeOnlyByTheForcedReport() throws Exception {
    movingHandshakes("worker1");
    agent("worker1", REPORT, JITTER);
    KubeCluster.await(
        SOON,
        "worker1's summary and Lease",
        () ->
            v4("worker1").map(TunnelSummary.Device::publicKey).orElse("").equals(KEY)
                && lease("worker1").isPresent());

    Duration window = Duration.ofSeconds(70);
    Instant renewedBefore = lease("worker1").orElseThrow().getSpec().getRenewTime().toInstant();
    Set<String> writes = writesOver("worker1", window);

    assertThat(writes.size())
        .as("Node writes in %s with a report every %s to %s", window, REPORT, REPORT.plus(JITTER))
        .isBetween(
            (int) (window.toSeconds() / REPORT.plus(JITTER).toSeconds()),
            (int) (window.toSeconds() / REPORT.toSeconds()) + 1);
    Lease lease = lease("worker1").orElseThrow();
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("worker1");
    assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(8);
    assertThat(lease.getSpec().getRenewTime().toInstant())
        .isAfter(renewedBefore.plus(window).minusSeconds(10));
    assertThat(lease.getMetadata().getLabels()).containsEntry(Names.AGENT_LEASE_LABEL, "true");
    assertThat(lease.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            owner -> {
              assertThat(owner.getKind()).isEqualTo("Node");
              assertThat(owner.getUid())
                  .isEqualTo(client.nodes().withName("worker1").get().getMetadata().getUid());
            });
  }

  /**
   * An agent that stops renews no Lease: once it runs out the checker (module source condition)
   * taints the node {@code agent-silent}, though the condition the agent left says True, and {@code
   * /status} shows the Lease as silent. The agent back, the taint goes.
   */
  @Test
  void aStoppedAgentsNodeTurnsNotReadyByLeaseExpiry() throws Exception {
    device("worker2", KEY, Duration.ofSeconds(10));
    Process agent = agent("worker2", Duration.ofMinutes(10), Duration.ZERO);
    KubeCluster.await(
        SOON,
        "worker2 reported and untainted",
        () ->
            v4("worker2").isPresent() && lease("worker2").isPresent() && ours("worker2").isEmpty());

    agent.destroy();
    assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
    KubeCluster.await(
        SOON,
        "worker2 tainted agent-silent",
        () -> ours("worker2").contains(TAINT + "=agent-silent:NoSchedule"));
    JsonNode row = statusRow("worker2");
    assertThat(row.path("reason").asText()).isEqualTo("agent-silent");
    assertThat(row.path("agent").path("silent").asBoolean()).isTrue();
    assertThat(row.path("agent").path("lease").asText()).isEqualTo("wgguard-agent-worker2");
    assertThat(row.path("agent").path("summaryAgeSeconds").asLong()).isNotNegative();
    assertThat(row.path("findings").toString()).contains("Lease wgguard-agent-worker2");

    agent("worker2", Duration.ofMinutes(10), Duration.ZERO);
    KubeCluster.await(
        SOON, "worker2 untainted once its agent is back", () -> ours("worker2").isEmpty());
  }

  /**
   * With a forced report ten minutes away, a device that changes (a new key) is written at once,
   * and nothing is written before it.
   */
  @Test
  void aChangedDeviceIsWrittenAtOnce() throws Exception {
    device("control1", KEY, Duration.ofSeconds(10));
    agent("control1", Duration.ofMinutes(10), Duration.ZERO);
    KubeCluster.await(
        SOON,
        "control1's summary",
        () -> v4("control1").map(TunnelSummary.Device::publicKey).orElse("").equals(KEY));
    assertThat(writesOver("control1", Duration.ofSeconds(10))).as("idle: no write").isEmpty();

    device("control1", IDLE_KEY, Duration.ofSeconds(10));
    Instant changed = Instant.now();
    KubeCluster.await(
        SOON,
        "control1's new key published",
        () -> v4("control1").map(TunnelSummary.Device::publicKey).orElse("").equals(IDLE_KEY));
    assertThat(Duration.between(changed, Instant.now()))
        .as("written long before the forced report")
        .isLessThan(Duration.ofMinutes(5));
  }

  static JsonNode statusRow(String node) throws Exception {
    for (JsonNode row : JSON.readTree(wgguard.get("/status").body()).path("nodes")) {
      if (node.equals(row.path("name").asText())) {
        return row;
      }
    }
    throw new AssertionError("no /status row for " + node);
  }
}
