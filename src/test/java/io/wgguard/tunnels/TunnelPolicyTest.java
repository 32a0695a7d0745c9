package io.wgguard.tunnels;

import static io.wgguard.evidence.Nodes.ADDR6_CONTROL1;
import static io.wgguard.evidence.Nodes.ADDR6_WORKER1;
import static io.wgguard.evidence.Nodes.DEFAULTS;
import static io.wgguard.evidence.Nodes.ENFORCE_TUNNELS;
import static io.wgguard.evidence.Nodes.KEY6_CONTROL1;
import static io.wgguard.evidence.Nodes.KEY6_WORKER1;
import static io.wgguard.evidence.Nodes.KEY_CONTROL1;
import static io.wgguard.evidence.Nodes.KEY_WORKER1;
import static io.wgguard.evidence.Nodes.KEY_WORKER2;
import static io.wgguard.evidence.Nodes.NOW;
import static io.wgguard.evidence.Nodes.control1;
import static io.wgguard.evidence.Nodes.device;
import static io.wgguard.evidence.Nodes.facts;
import static io.wgguard.evidence.Nodes.felix;
import static io.wgguard.evidence.Nodes.node;
import static io.wgguard.evidence.Nodes.stale;
import static io.wgguard.evidence.Nodes.wgDefault;
import static io.wgguard.evidence.Nodes.wgDualStack;
import static io.wgguard.evidence.Nodes.worker1;
import static io.wgguard.evidence.Nodes.worker2;
import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.Names;
import io.wgguard.evidence.AgentLease;
import io.wgguard.evidence.Finding;
import io.wgguard.evidence.NodeFacts;
import io.wgguard.evidence.Nodes;
import io.wgguard.felix.FelixObject;
import io.wgguard.felix.IpFamily;
import io.wgguard.pass.CheckerPass;
import io.wgguard.pass.PassSettings;
import io.wgguard.tunnels.summary.PeerDigest;
import io.wgguard.tunnels.summary.TunnelSummary;
import io.wgguard.tunnels.summary.TunnelSummary.Device;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TunnelPolicyTest {

  static final List<FelixObject> WG_ON = felix(wgDefault());
  static final String FOREIGN = "bJMfGzT0q6hVXgU5uVWXFU1XiG3Yi7vDk0mGrPK7rGw=";
  static final String KEY_WORKER3 = "cJMfGzT0q6hVXgU5uVWXFU1XiG3Yi7vDk0mGrPK7rGw=";
  static final String NEW_KEY = "cLQ9PwR2U+0mxv3ZhiSyAaYBO8YYBzmuL5SQOy0Kdlc=";

  /** The seed's three nodes with devices that peer each other as Felix would program them. */
  static Nodes.NodeBuilder control1Ok() {
    return control1().tunnel(device(KEY_CONTROL1, KEY_WORKER1, KEY_WORKER2));
  }

  static Nodes.NodeBuilder worker1Ok() {
    return worker1().tunnel(device(KEY_WORKER1, KEY_CONTROL1, KEY_WORKER2));
  }

  static Nodes.NodeBuilder worker2Ok() {
    return worker2().tunnel(device(KEY_WORKER2, KEY_CONTROL1, KEY_WORKER1));
  }

  static Arguments c(
      String sentence,
      PassSettings settings,
      List<FelixObject> felix,
      List<NodeFacts> nodes,
      String... expected) {
    return Arguments.of(sentence, settings, felix, nodes, List.of(expected));
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        c(
            "the seed's three nodes whose devices peer each other prove every pair",
            DEFAULTS,
            WG_ON,
            facts(control1Ok(), worker1Ok(), worker2Ok()),
            "pairs 6/6",
            "control1 2/2 {}",
            "worker1 2/2 {}",
            "worker2 2/2 {}"),
        c(
            "when no node publishes a summary and evidence is only reported, nothing is collected",
            DEFAULTS,
            WG_ON,
            facts(control1(), worker1(), worker2()),
            "not collected"),
        c(
            "when enforced, a node without a summary has no tunnel evidence and proves nothing",
            ENFORCE_TUNNELS,
            WG_ON,
            facts(control1Ok(), worker1Ok(), worker2()),
            "pairs 4/6",
            "control1 2/2 {}",
            "worker1 2/2 {}",
            "worker2 0/2 {no-tunnel-evidence}"),
        c(
            "a device holding another key than the node publishes is a key mismatch;"
                + " its peers still see the published key",
            DEFAULTS,
            WG_ON,
            facts(
                control1Ok(),
                worker1Ok(),
                worker2().tunnel(device(NEW_KEY, KEY_CONTROL1, KEY_WORKER1))),
            "pairs 4/6",
            "control1 2/2 {}",
            "worker1 2/2 {}",
            "worker2 0/2 {tunnel-key-mismatch/IPv4}"),
        c(
            "a deleted device is a key mismatch: the published key belongs to no device",
            DEFAULTS,
            WG_ON,
            facts(control1Ok(), worker1Ok(), worker2().tunnel(Device.missing("wireguard.cali"))),
            "pairs 4/6",
            "control1 2/2 {}",
            "worker1 2/2 {}",
            "worker2 0/2 {tunnel-key-mismatch/IPv4}"),
        c(
            "a device lacking a peer has peers missing",
            DEFAULTS,
            WG_ON,
            facts(control1Ok(), worker1().tunnel(device(KEY_WORKER1, KEY_CONTROL1)), worker2Ok()),
            "pairs 5/6",
            "control1 2/2 {}",
            "worker1 1/2 {peers-missing/IPv4}",
            "worker2 2/2 {}"),
        c(
            "a device with a peer no node publishes has an unknown peer",
            DEFAULTS,
            WG_ON,
            facts(
                control1Ok(),
                worker1().tunnel(device(KEY_WORKER1, KEY_CONTROL1, KEY_WORKER2, FOREIGN)),
                worker2Ok()),
            "pairs 6/6",
            "control1 2/2 {}",
            "worker1 2/2 {peers-unknown/IPv4}",
            "worker2 2/2 {}"),
        c(
            "a device whose peer's key was replaced has one missing and one unknown",
            DEFAULTS,
            WG_ON,
            facts(
                control1Ok(),
                worker1().tunnel(device(KEY_WORKER1, KEY_CONTROL1, FOREIGN)),
                worker2Ok()),
            "pairs 5/6",
            "control1 2/2 {}",
            "worker1 1/2 {peers-missing/IPv4, peers-unknown/IPv4}",
            "worker2 2/2 {}"),
        c(
            "a peer traffic went to without a handshake is stale",
            DEFAULTS,
            WG_ON,
            facts(
                control1Ok(),
                worker1()
                    .tunnel(stale(KEY_WORKER1, List.of("lDSws3G/"), KEY_CONTROL1, KEY_WORKER2)),
                worker2Ok()),
            "pairs 5/6",
            "control1 2/2 {}",
            "worker1 1/2 {handshake-stale/IPv4}",
            "worker2 2/2 {}"),
        c(
            "a summary older than the condition max age proves nothing",
            DEFAULTS,
            WG_ON,
            facts(
                control1Ok(),
                worker1Ok(),
                worker2()
                    .tunnels(
                        Duration.ofMinutes(16),
                        Map.of(IpFamily.V4, device(KEY_WORKER2, KEY_CONTROL1, KEY_WORKER1)))),
            "pairs 4/6",
            "control1 2/2 {}",
            "worker1 2/2 {}",
            "worker2 0/2 {no-tunnel-evidence}"),
        c(
            "an unreadable summary is a finding, not an error",
            DEFAULTS,
            WG_ON,
            facts(control1Ok(), worker1Ok(), worker2().annotation(Names.TUNNELS_ANNOTATION, "{")),
            "pairs 4/6",
            "control1 2/2 {}",
            "worker1 2/2 {}",
            "worker2 0/2 {no-tunnel-evidence}"),
        c(
            "a dual-stack node whose summary lacks its IPv6 device has no IPv6 evidence",
            DEFAULTS,
            felix(wgDualStack()),
            facts(
                control1()
                    .keyV6(KEY6_CONTROL1)
                    .addrV6(ADDR6_CONTROL1)
                    .tunnels(
                        Duration.ofSeconds(10),
                        Map.of(
                            IpFamily.V4,
                            device(KEY_CONTROL1, KEY_WORKER1),
                            IpFamily.V6,
                            device(KEY6_CONTROL1, KEY6_WORKER1))),
                worker1()
                    .keyV6(KEY6_WORKER1)
                    .addrV6(ADDR6_WORKER1)
                    .tunnel(device(KEY_WORKER1, KEY_CONTROL1))),
            "pairs 3/4",
            "control1 2/2 {}",
            "worker1 1/2 {no-tunnel-evidence/IPv6}"),
        c(
            "an exempt node is not checked, but its published key is expected as a peer:"
                + " Felix peers it",
            DEFAULTS,
            WG_ON,
            facts(control1Ok(), worker1Ok(), worker2().exempt()),
            "pairs 4/4",
            "control1 2/2 {}",
            "worker1 2/2 {}"),
        c(
            "a key two nodes share is expected on no device: Felix skips shared keys",
            DEFAULTS,
            WG_ON,
            facts(
                control1().tunnel(device(KEY_CONTROL1)),
                worker1().key(KEY_WORKER2).tunnel(device(KEY_WORKER2, KEY_CONTROL1)),
                worker2().tunnel(device(KEY_WORKER2, KEY_CONTROL1))),
            "pairs 2/2",
            "control1 0/0 {}",
            "worker1 1/1 {}",
            "worker2 1/1 {}"),
        c(
            "a node WireGuard is off for is not checked and has no pairs",
            DEFAULTS,
            felix(wgDefault(), io.wgguard.felix.Felix.felix("node.worker2").wireguard(false)),
            facts(
                control1().tunnel(device(KEY_CONTROL1, KEY_WORKER1)),
                worker1().tunnel(device(KEY_WORKER1, KEY_CONTROL1)),
                worker2().noKey().noAddr().tunnel(Device.missing("wireguard.cali"))),
            "pairs 2/2",
            "control1 1/1 {}",
            "worker1 1/1 {}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void crossCheck(
      String sentence,
      PassSettings settings,
      List<FelixObject> felix,
      List<NodeFacts> nodes,
      List<String> expected) {
    TunnelReport report = CheckerPass.assess(felix, nodes, settings, NOW).tunnels();

    assertThat(render(report)).containsExactlyElementsOf(expected);
  }

  static Stream<Arguments> verdicts() {
    List<NodeFacts> stale =
        facts(
            control1Ok(),
            worker1().tunnel(stale(KEY_WORKER1, List.of("lDSws3G/"), KEY_CONTROL1, KEY_WORKER2)),
            worker2Ok());
    return Stream.of(
        Arguments.of(
            "reported findings leave the verdict ready",
            DEFAULTS,
            stale,
            "worker1 ready [IPv4] key{IPv4=HmNsTyzg…}"),
        Arguments.of(
            "enforced findings make the node not ready with the tunnel reason",
            ENFORCE_TUNNELS,
            stale,
            "worker1 handshake-stale [IPv4] {handshake-stale/IPv4} key{IPv4=HmNsTyzg…}"),
        Arguments.of(
            "enforced, a key problem still comes first",
            ENFORCE_TUNNELS,
            facts(
                control1Ok(),
                worker1().noAddr().tunnel(device(NEW_KEY, KEY_CONTROL1, KEY_WORKER2)),
                worker2Ok()),
            "worker1 no-interface-address [IPv4] {no-interface-address/IPv4,"
                + " tunnel-key-mismatch/IPv4} key{IPv4=HmNsTyzg…}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("verdicts")
  void enforcement(String sentence, PassSettings settings, List<NodeFacts> nodes, String w1) {
    ClusterAssessment assessment = CheckerPass.assess(WG_ON, nodes, settings, NOW);

    assertThat(
            assessment.verdicts().stream()
                .filter(v -> v.name().equals("worker1"))
                .map(Nodes::render))
        .containsExactly(w1);
  }

  @Test
  void theFindingsSayWhatIsWrongAndWithWhom() {
    List<NodeFacts> nodes =
        facts(
            control1().tunnel(device(KEY_CONTROL1, KEY_WORKER2, KEY_WORKER3, FOREIGN)),
            worker1().tunnel(stale(KEY_WORKER1, List.of("lDSws3G/"), KEY_CONTROL1, KEY_WORKER2)),
            worker2().tunnel(device(NEW_KEY, KEY_CONTROL1, KEY_WORKER1)),
            node("worker3")
                .key(KEY_WORKER3)
                .addr("10.48.0.3")
                .tunnel(Device.missing("wireguard.cali")));

    TunnelReport report = CheckerPass.assess(WG_ON, nodes, DEFAULTS, NOW).tunnels();

    assertThat(report.findings("control1"))
        .extracting(Finding::detail)
        .containsExactly(
            "IPv4 device wireguard.cali has 3 peers and the other nodes publish 3 usable IPv4"
                + " keys, and their digests differ: at least one published key has no peer, so"
                + " traffic to those nodes is not encrypted or not delivered",
            "IPv4 device wireguard.cali has 3 peers and the other nodes publish 3 usable IPv4"
                + " keys, and their digests differ: at least one with a key no other node"
                + " publishes (a stale or foreign peer)");
    assertThat(report.findings("worker1"))
        .extracting(Finding::detail)
        .containsExactly(
            "IPv4 device wireguard.cali has 2 peers and the other nodes publish 3 usable IPv4"
                + " keys, and their digests differ: at least 1 missing, so traffic to those nodes"
                + " is not encrypted or not delivered",
            "traffic was sent to 1 peer of IPv4 device wireguard.cali with no handshake within"
                + " 3m: worker2 (lDSws3G/…); the tunnel is configured but carries nothing"
                + " (endpoint, blocked UDP, MTU)");
    assertThat(report.findings("worker2"))
        .extracting(Finding::detail)
        .startsWith(
            "IPv4 device wireguard.cali has public key cLQ9PwR2…, but the node publishes"
                + " lDSws3G/…: peers encrypt to a key the device does not hold");
    assertThat(report.findings("worker3"))
        .extracting(Finding::detail)
        .containsExactly(
            "the node agent found no IPv4 device wireguard.cali: the published key cJMfGzT0…"
                + " belongs to no device, so peers encrypt to a key nobody holds");
    assertThat(report.findings("worker3"))
        .extracting(Finding::field)
        .containsExactly("metadata.annotations[wgguard.io/tunnels]");
  }

  @Test
  void missingAndStaleEvidenceSayWhy() {
    List<NodeFacts> nodes =
        facts(
            control1(),
            worker1().annotation(Names.TUNNELS_ANNOTATION, "{\"v\":2}"),
            worker2()
                .tunnels(
                    Duration.ofMinutes(17).plusSeconds(30),
                    Map.of(IpFamily.V4, device(KEY_WORKER2))));

    TunnelReport report = CheckerPass.assess(WG_ON, nodes, DEFAULTS, NOW).tunnels();

    assertThat(report.findings("control1"))
        .extracting(Finding::detail)
        .containsExactly(
            "no annotation wgguard.io/tunnels: the wgguard node agent has not published what the"
                + " node's WireGuard devices show (agent tunnel source device or felix-metrics)");
    assertThat(report.findings("worker1"))
        .extracting(Finding::detail)
        .containsExactly("annotation wgguard.io/tunnels has version '2', expected 1");
    assertThat(report.findings("worker2"))
        .extracting(Finding::detail)
        .containsExactly(
            "the node agent's tunnel summary is 17m30s old, more than the allowed 15m");
  }

  @Test
  void eachNodesExpectedDigestIsTheClusterSumMinusItsOwnKey() {
    Random random = new Random(14);
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      byte[] key = new byte[32];
      random.nextBytes(key);
      keys.add(Base64.getEncoder().encodeToString(key));
    }
    PeerDigest sum = PeerDigest.EMPTY;
    for (String key : keys) {
      sum = sum.plus(PeerDigest.of(key));
    }
    for (String key : keys) {
      List<String> others = keys.stream().filter(k -> !k.equals(key)).toList();
      assertThat(sum.minus(PeerDigest.of(key)).hex()).isEqualTo(TunnelSummary.peerDigest(others));
    }
  }

  @Test
  void theDigestCarriesAcrossItsHalves() {
    PeerDigest low = new PeerDigest(0, -1L);
    PeerDigest one = new PeerDigest(0, 1);

    assertThat(low.plus(one)).isEqualTo(new PeerDigest(1, 0));
    assertThat(new PeerDigest(1, 0).minus(one)).isEqualTo(low);
    assertThat(new PeerDigest(-1L, -1L).plus(one)).isEqualTo(PeerDigest.EMPTY);
    assertThat(PeerDigest.EMPTY.hex()).isEqualTo("0".repeat(32));
    PeerDigest key = PeerDigest.of(KEY_WORKER1);
    assertThat(key.matches(key.hex())).isTrue();
    assertThat(key.matches(key.hex().toUpperCase())).isFalse();
    assertThat(key.matches(key.hex().substring(1))).isFalse();
    assertThat(key.matches(PeerDigest.of(KEY_WORKER2).hex())).isFalse();
  }

  /** {@code pairs 5/6}, then per checked node {@code worker1 1/2 {peers-missing/IPv4}}. */
  /**
   * A node whose agent's Lease expired: its last summary, however healthy, proves nothing; the
   * finding is {@code agent-silent}, not a judgement of that summary (guards the {@code silent}
   * branch in {@code TunnelPolicy.check}).
   */
  @Test
  void aSilentAgentsLastSummaryProvesNothing() {
    List<NodeFacts> nodes = facts(control1Ok(), worker1Ok(), worker2Ok());
    Map<String, AgentLease> leases =
        Map.of(
            "worker2", new AgentLease("worker2", NOW.minusSeconds(300), Duration.ofSeconds(120)),
            "worker1", new AgentLease("worker1", NOW.minusSeconds(10), Duration.ofSeconds(120)));

    TunnelReport report =
        CheckerPass.assess(
                io.wgguard.felix.EffectiveWireguard.of(
                    WG_ON, io.wgguard.felix.EffectiveWireguard.Environment.NONE),
                nodes,
                leases,
                DEFAULTS,
                NOW)
            .tunnels();

    assertThat(render(report))
        .containsExactly(
            "pairs 4/6", "control1 2/2 {}", "worker1 2/2 {}", "worker2 0/2 {agent-silent}");
  }

  static List<String> render(TunnelReport report) {
    if (!report.collected()) {
      return List.of("not collected");
    }
    List<String> lines = new ArrayList<>();
    lines.add("pairs " + report.healthyPairs() + "/" + report.expectedPairs());
    report.nodes().values().stream()
        .sorted(java.util.Comparator.comparing(TunnelReport.NodeTunnels::node))
        .forEach(
            n ->
                lines.add(
                    n.node()
                        + " "
                        + n.healthyPairs()
                        + "/"
                        + n.expectedPairs()
                        + " "
                        + n.findings().stream()
                            .map(
                                f ->
                                    f.reason().wire()
                                        + (f.family() == null ? "" : "/" + f.family().label()))
                            .collect(Collectors.joining(", ", "{", "}"))));
    return lines;
  }
}
