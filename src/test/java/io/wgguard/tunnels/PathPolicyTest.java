package io.wgguard.tunnels;

import static io.wgguard.evidence.Nodes.ENFORCE_TUNNELS;
import static io.wgguard.evidence.Nodes.KEY_CONTROL1;
import static io.wgguard.evidence.Nodes.KEY_WORKER1;
import static io.wgguard.evidence.Nodes.KEY_WORKER2;
import static io.wgguard.evidence.Nodes.NOW;
import static io.wgguard.evidence.Nodes.control1;
import static io.wgguard.evidence.Nodes.device;
import static io.wgguard.evidence.Nodes.facts;
import static io.wgguard.evidence.Nodes.felix;
import static io.wgguard.evidence.Nodes.wgDefault;
import static io.wgguard.evidence.Nodes.worker1;
import static io.wgguard.evidence.Nodes.worker2;
import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.agent.IpJson;
import io.wgguard.agent.PathPlanner;
import io.wgguard.agent.WgDevice;
import io.wgguard.evidence.Finding;
import io.wgguard.evidence.NodeFacts;
import io.wgguard.evidence.Nodes;
import io.wgguard.tunnels.summary.Cidr;
import io.wgguard.tunnels.summary.DevicePath;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The path check, end to end on digests: each node's device is programmed as Felix programs it,
 * read by the agent's own {@link PathPlanner}, and judged by {@link PathPolicy} through {@link
 * TunnelPolicy}, so the agent's and the checker's digests are held to the same CIDRs.
 */
class PathPolicyTest {

  static final long MARK = 0x100000;
  static final String DEV = "wireguard.cali";

  /** The seed's nodes, each with one /26 block that holds its tunnel address. */
  static final Map<String, String> KEYS =
      Map.of("control1", KEY_CONTROL1, "worker1", KEY_WORKER1, "worker2", KEY_WORKER2);

  static final Map<String, String> BLOCKS =
      Map.of(
          "control1",
          "10.48.115.64/26",
          "worker1",
          "10.48.127.192/26",
          "worker2",
          "10.48.116.128/26");

  static final Map<String, String> ENDPOINTS =
      Map.of("control1", "192.168.0.1", "worker1", "192.168.0.2", "worker2", "192.168.0.3");

  static final Instant OLD = NOW.minus(Duration.ofHours(1));

  /** What Felix programs on one node, changed by the case. */
  record Programmed(
      String self,
      Map<String, List<String>> allowed,
      List<IpJson.Route> table,
      List<IpJson.Rule> rules,
      boolean up,
      int mtu,
      int underlayMtu) {

    static Programmed felix(String self, Map<String, List<String>> blocks) {
      Map<String, List<String>> allowed = new LinkedHashMap<>();
      List<IpJson.Route> table = new ArrayList<>();
      for (String node : List.of("control1", "worker1", "worker2")) {
        for (String block : blocks.getOrDefault(node, List.of())) {
          if (node.equals(self)) {
            table.add(new IpJson.Route("throw", Cidr.parse(block), ""));
          } else {
            allowed.computeIfAbsent(node, n -> new ArrayList<>()).add(block);
            table.add(new IpJson.Route("unicast", Cidr.parse(block), DEV));
          }
        }
      }
      return new Programmed(self, allowed, table, rules(99), true, 1440, 1500);
    }

    static List<IpJson.Rule> rules(int priority) {
      return List.of(
          new IpJson.Rule(0, false, 0, 0xffffffffL, "local"),
          new IpJson.Rule(priority, true, MARK, MARK, "1"),
          new IpJson.Rule(32766, false, 0, 0xffffffffL, "main"));
    }

    Programmed rules(List<IpJson.Rule> r) {
      return new Programmed(self, allowed, table, r, up, mtu, underlayMtu);
    }

    Programmed down() {
      // The kernel drops the IPv4 routes over a device set down.
      return new Programmed(
          self,
          allowed,
          table.stream().filter(r -> !r.dev().equals(DEV)).toList(),
          rules,
          false,
          mtu,
          underlayMtu);
    }

    Programmed mtu(int m) {
      return new Programmed(self, allowed, table, rules, up, m, underlayMtu);
    }

    /** Felix cannot program the peer: its block is thrown and not allowed. */
    Programmed thrown(String peer) {
      Map<String, List<String>> a = new LinkedHashMap<>(allowed);
      a.put(peer, List.of());
      List<IpJson.Route> t = new ArrayList<>();
      for (IpJson.Route r : table) {
        t.add(
            r.dst().equals(Cidr.parse(BLOCKS.get(peer)))
                ? new IpJson.Route("throw", r.dst(), "")
                : r);
      }
      return new Programmed(self, a, t, rules, up, mtu, underlayMtu);
    }

    /** A borrowed /32 of another node's block, as Felix adds it to the peer running it. */
    Programmed borrowed(String peer, String ip) {
      Map<String, List<String>> a = new LinkedHashMap<>(allowed);
      List<String> list = new ArrayList<>(a.get(peer));
      list.add(ip + "/32");
      a.put(peer, list);
      List<IpJson.Route> t = new ArrayList<>(table);
      t.add(new IpJson.Route("unicast", Cidr.parse(ip), DEV));
      return new Programmed(self, a, t, rules, up, mtu, underlayMtu);
    }

    DevicePath read() {
      List<WgDevice.Peer> peers = new ArrayList<>();
      allowed.forEach(
          (node, cidrs) ->
              peers.add(
                  new WgDevice.Peer(
                      KEYS.get(node),
                      ENDPOINTS.get(node) + ":51820",
                      NOW,
                      0,
                      0,
                      cidrs.stream().map(Cidr::parse).toList())));
      WgDevice device = new WgDevice(DEV, KEYS.get(self), 51820, peers, MARK);
      return PathPlanner.path(device, new IpJson.Link(DEV, up, mtu), rules, table, underlayMtu);
    }
  }

  static Map<String, List<String>> blocks() {
    Map<String, List<String>> blocks = new HashMap<>();
    BLOCKS.forEach((node, block) -> blocks.put(node, List.of(block)));
    return blocks;
  }

  static BlockAffinities affinities(Map<String, List<String>> blocks, Instant created) {
    List<BlockAffinities.Affinity> list = new ArrayList<>();
    blocks.forEach(
        (node, cidrs) ->
            cidrs.forEach(
                c ->
                    list.add(
                        new BlockAffinities.Affinity(
                            node,
                            new BlockAffinities.Block(
                                Cidr.parse(c), BLOCKS.get(node).equals(c) ? OLD : created)))));
    return BlockAffinities.of(list);
  }

  /** The three nodes, {@code change} applied to {@code changed}'s programming. */
  static List<NodeFacts> mesh(
      Map<String, List<String>> programmed, String changed, UnaryOperator<Programmed> change) {
    List<Nodes.NodeBuilder> builders = new ArrayList<>();
    for (Nodes.NodeBuilder b : List.of(control1(), worker1(), worker2())) {
      String name = b.facts().name();
      List<String> peers = new ArrayList<>();
      KEYS.forEach((n, k) -> peers.add(n.equals(name) ? null : k));
      peers.removeIf(java.util.Objects::isNull);
      Programmed p = Programmed.felix(name, programmed);
      if (name.equals(changed)) {
        p = change.apply(p);
      }
      builders.add(
          b.tunnel(device(KEYS.get(name), peers.toArray(String[]::new)).withPath(p.read())));
    }
    return facts(builders.toArray(Nodes.NodeBuilder[]::new));
  }

  static Arguments c(
      String sentence,
      String changed,
      UnaryOperator<Programmed> change,
      BlockAffinities affinities,
      String... expected) {
    return Arguments.of(sentence, changed, change, affinities, List.of(expected));
  }

  static Stream<Arguments> cases() {
    BlockAffinities known = affinities(blocks(), OLD);
    Map<String, List<String>> extra = blocks();
    extra.put("worker2", List.of(BLOCKS.get("worker2"), "10.48.200.0/26"));
    return Stream.of(
        c(
            "three nodes programmed as Felix programs them prove every pair",
            "",
            p -> p,
            known,
            "pairs 6/6"),
        c(
            "a borrowed /32 inside another node's block changes no digest",
            "control1",
            p -> p.borrowed("worker1", "10.48.116.130"),
            known,
            "pairs 6/6"),
        c(
            "the steering rule deleted is a route bypass to every peer",
            "worker1",
            p -> p.rules(List.of(new IpJson.Rule(32766, false, 0, 0xffffffffL, "main"))),
            known,
            "pairs 4/6",
            "worker1 route-bypass/IPv4"),
        c(
            "the rule at priority 40000, after the main table's, is a route bypass",
            "worker1",
            p -> p.rules(Programmed.rules(40000)),
            known,
            "pairs 4/6",
            "worker1 route-bypass/IPv4"),
        c(
            "a peer's block thrown and left out of allowed-ips is a bypass and a missing block",
            "control1",
            p -> p.thrown("worker2"),
            known,
            "pairs 5/6",
            "control1 route-bypass/IPv4",
            "control1 allowed-ips-missing/IPv4"),
        c(
            "a device set down loses its routes: down and bypassed",
            "worker2",
            Programmed::down,
            known,
            "pairs 4/6",
            "worker2 device-down/IPv4",
            "worker2 route-bypass/IPv4"),
        c(
            "a device MTU equal to the underlay's leaves no room for WireGuard's 60 bytes",
            "worker2",
            p -> p.mtu(1500),
            known,
            "pairs 4/6",
            "worker2 mtu-too-large/IPv4"),
        c(
            "a device MTU of the underlay's minus 60 is fine",
            "worker2",
            p -> p.mtu(1440),
            known,
            "pairs 6/6"),
        c(
            "a new block on worker2 that its peers do not route is named on each peer",
            "",
            p -> p,
            affinities(extra, OLD),
            "pairs 4/6",
            "control1 route-bypass/IPv4",
            "control1 allowed-ips-missing/IPv4",
            "worker1 route-bypass/IPv4",
            "worker1 allowed-ips-missing/IPv4"),
        c(
            "a block younger than the condition max age may be absent yet",
            "",
            p -> p,
            affinities(extra, NOW.minusSeconds(30)),
            "pairs 6/6"),
        c(
            "without BlockAffinities only device, rule and MTU are judged",
            "control1",
            p -> p.thrown("worker2"),
            BlockAffinities.UNKNOWN,
            "pairs 6/6"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void path(
      String sentence,
      String changed,
      UnaryOperator<Programmed> change,
      BlockAffinities affinities,
      List<String> expected) {
    List<NodeFacts> nodes = mesh(blocks(), changed, change);

    TunnelReport report =
        io.wgguard.pass.CheckerPass.assess(
                io.wgguard.felix.EffectiveWireguard.of(
                    felix(wgDefault()), io.wgguard.felix.EffectiveWireguard.Environment.NONE),
                nodes,
                affinities,
                ENFORCE_TUNNELS,
                NOW)
            .tunnels();

    List<String> rendered = new ArrayList<>();
    rendered.add("pairs " + report.healthyPairs() + "/" + report.expectedPairs());
    report.nodes().values().stream()
        .sorted(java.util.Comparator.comparing(TunnelReport.NodeTunnels::node))
        .forEach(
            t -> {
              for (Finding f : t.findings()) {
                rendered.add(t.node() + " " + f.reason().wire() + "/" + f.family().label());
              }
            });
    assertThat(rendered).containsExactlyElementsOf(expected);
  }

  @Test
  void messagesSayWhatWhyAndWhichPeer() {
    List<NodeFacts> nodes =
        mesh(blocks(), "control1", p -> p.thrown("worker2").rules(Programmed.rules(99)));

    TunnelReport report =
        io.wgguard.pass.CheckerPass.assess(
                io.wgguard.felix.EffectiveWireguard.of(
                    felix(wgDefault()), io.wgguard.felix.EffectiveWireguard.Environment.NONE),
                nodes,
                affinities(blocks(), OLD),
                ENFORCE_TUNNELS,
                NOW)
            .tunnels();

    assertThat(report.findings("control1"))
        .extracting(Finding::detail)
        .containsExactly(
            "table 1 routes 1 CIDRs via IPv4 device wireguard.cali, the other nodes'"
                + " BlockAffinities and tunnel addresses call for 2, and their digests differ;"
                + " thrown: 10.48.116.128/26 (worker2): pod traffic to those nodes takes the main"
                + " table, in clear",
            "the peers of IPv4 device wireguard.cali allow 1 CIDRs, the other nodes'"
                + " BlockAffinities and tunnel addresses call for 2, and their digests differ:"
                + " the device drops traffic from and to the blocks it lacks");
  }

  @Test
  void ruleAfterTheMainTableSaysBoth() {
    List<NodeFacts> nodes = mesh(blocks(), "worker1", p -> p.rules(Programmed.rules(40000)));

    List<Finding> findings =
        io.wgguard.pass.CheckerPass.assess(
                io.wgguard.felix.EffectiveWireguard.of(
                    felix(wgDefault()), io.wgguard.felix.EffectiveWireguard.Environment.NONE),
                nodes,
                affinities(blocks(), OLD),
                ENFORCE_TUNNELS,
                NOW)
            .tunnels()
            .findings("worker1");

    assertThat(findings)
        .extracting(Finding::detail)
        .containsExactly(
            "the rule steering traffic to IPv4 device wireguard.cali (table 1) has priority 40000,"
                + " at or after the main table's rule (32766): pod traffic takes the main table"
                + " first, in clear");
  }
}
