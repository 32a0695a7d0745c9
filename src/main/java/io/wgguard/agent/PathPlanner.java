package io.wgguard.agent;

import io.wgguard.agent.IpJson.Route;
import io.wgguard.agent.IpJson.Rule;
import io.wgguard.tunnels.summary.Cidr;
import io.wgguard.tunnels.summary.DevicePath;
import io.wgguard.tunnels.summary.PeerDigest;
import io.wgguard.tunnels.summary.TunnelSummary;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns what {@code wg} and {@code ip} show of one WireGuard device into its {@link DevicePath}.
 * Pure: readings in, the path out.
 */
public final class PathPlanner {

  private PathPlanner() {}

  /**
   * The rule that steers unencrypted traffic to the WireGuard table: {@code not fwmark M/M lookup
   * T} with the device's mark {@code M}, as Felix writes it ({@code addRouteRule} in
   * projectcalico/calico {@code felix/wireguard/wireguard.go}), the first by priority. Empty when
   * the device has no mark or no rule matches.
   */
  public static Optional<Rule> steeringRule(List<Rule> rules, long fwmark) {
    if (fwmark == 0) {
      return Optional.empty();
    }
    return rules.stream()
        .filter(r -> r.not() && r.fwmark() == fwmark && (r.fwmask() & fwmark) == fwmark)
        .filter(r -> r.table().matches("\\d+"))
        .min(Comparator.comparingInt(Rule::priority));
  }

  /** Priority of the first rule that looks up the main table (32766 on a stock host), or -1. */
  public static int mainRule(List<Rule> rules) {
    return rules.stream()
        .filter(r -> !r.not() && r.fwmark() == 0 && r.table().equals("main"))
        .mapToInt(Rule::priority)
        .min()
        .orElse(-1);
  }

  /**
   * The first peer endpoint, by key order, whose route gives the underlay link; its address without
   * port and brackets. Empty when no peer has one.
   */
  public static Optional<String> underlayProbe(WgDevice device) {
    return device.peers().stream()
        .filter(p -> !p.endpoint().isEmpty())
        .min(Comparator.comparing(WgDevice.Peer::publicKey))
        .map(p -> host(p.endpoint()));
  }

  static String host(String endpoint) {
    int colon = endpoint.lastIndexOf(':');
    String host = colon < 0 ? endpoint : endpoint.substring(0, colon);
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /**
   * The device's path.
   *
   * @param device what {@code wg show <dev> dump} showed
   * @param link the device's link
   * @param rules the family's rules
   * @param table the routes of the steering rule's table, empty when there is no rule
   * @param underlayMtu MTU of the endpoint traffic's link, 0 when unknown
   */
  public static DevicePath path(
      WgDevice device, IpJson.Link link, List<Rule> rules, List<Route> table, int underlayMtu) {
    Optional<Rule> rule = steeringRule(rules, device.fwmark());
    // Blocks on the device: every network (not a single address) a peer allows or the table
    // routes, whatever the route's type (the local node's blocks are throw routes). A single
    // address one of them holds is a borrowed IP or a tunnel address from the block: not counted.
    Cidr.Blocks blocks = new Cidr.Blocks();
    for (WgDevice.Peer peer : device.peers()) {
      peer.allowedIps().forEach(blocks::add);
    }
    table.forEach(r -> blocks.add(r.dst()));

    Set<Cidr> routed = new HashSet<>();
    Set<Cidr> thrown = new HashSet<>();
    for (Route route : table) {
      if (route.dst().host() && blocks.holds(route.dst())) {
        continue;
      }
      if (route.type().equals("throw")) {
        thrown.add(route.dst());
      } else if (route.type().equals("unicast") && route.dev().equals(device.iface())) {
        routed.add(route.dst());
      }
    }
    PeerDigest routeSum = PeerDigest.EMPTY;
    for (Cidr cidr : routed) {
      routeSum = routeSum.plus(DevicePath.routeTerm(cidr));
    }
    List<String> firstThrows =
        thrown.stream().sorted().limit(TunnelSummary.MAX_NAMED_PEERS).map(Cidr::toString).toList();

    PeerDigest allowedSum = PeerDigest.EMPTY;
    int allowed = 0;
    int hostIps = 0;
    for (WgDevice.Peer peer : device.peers()) {
      Cidr endpoint = peer.endpoint().isEmpty() ? null : Cidr.parseOrNull(host(peer.endpoint()));
      for (Cidr cidr : new HashSet<>(peer.allowedIps())) {
        if (cidr.host() && cidr.equals(endpoint)) {
          hostIps++;
        } else if (!(cidr.host() && blocks.holds(cidr))) {
          allowedSum = allowedSum.plus(DevicePath.allowedTerm(peer.publicKey(), cidr));
          allowed++;
        }
      }
    }
    return new DevicePath(
        link.up(),
        link.mtu(),
        underlayMtu,
        device.fwmark(),
        rule.map(Rule::priority).orElse(-1),
        rule.map(r -> Long.parseLong(r.table())).orElse(0L),
        mainRule(rules),
        routed.size(),
        routeSum.hex(),
        thrown.size(),
        new ArrayList<>(firstThrows),
        allowed,
        allowedSum.hex(),
        hostIps);
  }
}
