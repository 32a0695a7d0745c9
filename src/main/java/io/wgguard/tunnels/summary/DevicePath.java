package io.wgguard.tunnels.summary;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * How a node steers pod traffic into one WireGuard device, as the node agent read it with {@code
 * ip} and {@code wg}: part of the {@link TunnelSummary} wire format. Compact whatever the number of
 * peers: counts, two digests and at most {@link TunnelSummary#MAX_NAMED_PEERS} throw routes. Stable
 * between readings when nothing changed (no time, no traffic counter), so an agent that writes on
 * change writes nothing for it.
 *
 * <p>Felix (projectcalico/calico {@code felix/wireguard/wireguard.go}) programs a rule {@code not
 * fwmark M/M lookup T} at {@code wireguardRoutingRulePriority}, a route in table {@code T} via the
 * device for every CIDR of every peer it can program (IPAM blocks, tunnel address, borrowed /32s,
 * host addresses with host encryption), a {@code throw} route for the local node's CIDRs and for
 * peers it cannot program, and the same CIDRs as each peer's allowed-ips. The digests count those
 * CIDRs in one canonical form ({@link Cidr}), each once, leaving out single addresses that a block
 * on the device already holds (borrowed /32s, a tunnel address allocated from the peer's own block)
 * and, in allowed-ips, a peer's own endpoint address (host encryption): the checker knows the
 * blocks and tunnel addresses, not where workloads were borrowed to, and computes the same digest
 * from BlockAffinities and node annotations.
 *
 * @param up the device is administratively up ({@code UP} among its link flags)
 * @param mtu the device MTU
 * @param underlayMtu the MTU of the link the device's endpoint traffic leaves by (the route to the
 *     first peer's endpoint, by key order, with the device's fwmark), 0 when no peer has an
 *     endpoint
 * @param fwmark the device's firewall mark, 0 when none
 * @param rule priority of the first rule {@code not fwmark M/M lookup T} with the device's mark, -1
 *     when there is none
 * @param table that rule's table, 0 when there is none
 * @param mainRule priority of the first rule that looks up the main table, -1 when there is none
 * @param routes CIDRs routed via the device in {@code table}, counted as the digest counts them
 * @param routeDigest {@link #routeDigest} over those CIDRs
 * @param throwRoutes {@code throw} routes in {@code table}, counted the same way
 * @param throwCidrs the first {@link TunnelSummary#MAX_NAMED_PEERS} of those, in canonical order
 * @param allowedIps (peer key, CIDR) pairs in the peers' allowed-ips, counted as the digest counts
 * @param allowedDigest {@link #allowedDigest} over those pairs
 * @param hostIps allowed-ips that are their peer's endpoint address (host encryption), not digested
 */
public record DevicePath(
    boolean up,
    int mtu,
    int underlayMtu,
    long fwmark,
    int rule,
    long table,
    int mainRule,
    int routes,
    String routeDigest,
    int throwRoutes,
    List<String> throwCidrs,
    int allowedIps,
    String allowedDigest,
    int hostIps) {

  public DevicePath {
    routeDigest = routeDigest == null ? "" : routeDigest;
    allowedDigest = allowedDigest == null ? "" : allowedDigest;
    throwCidrs = List.copyOf(throwCidrs);
  }

  /**
   * This path with the routes and allowed-ips of {@code other}: what a new peer or IPAM block
   * changes on every node at once, so the agent spreads writing it as it spreads peer-set changes.
   * Throw routes stay this path's: a peer Felix could not program is news at once.
   */
  public DevicePath withPeerRoutesOf(DevicePath other) {
    return new DevicePath(
        up,
        mtu,
        underlayMtu,
        fwmark,
        rule,
        table,
        mainRule,
        other.routes,
        other.routeDigest,
        throwRoutes,
        throwCidrs,
        other.allowedIps,
        other.allowedDigest,
        hostIps);
  }

  /** The digest term of one routed CIDR. */
  public static PeerDigest routeTerm(Cidr cidr) {
    return PeerDigest.of(cidr.toString());
  }

  /** The digest term of one allowed-ips entry of the peer with {@code publicKey}. */
  public static PeerDigest allowedTerm(String publicKey, Cidr cidr) {
    return allowedTerm(PeerDigest.of(publicKey), routeTerm(cidr));
  }

  /**
   * The digest term of one allowed-ips entry from the peer key's {@link PeerDigest#of} and the
   * CIDR's {@link #routeTerm}: a non-linear mix of the two, so that a sum over (key, CIDR) pairs
   * does not split into a sum over keys plus a sum over CIDRs (a CIDR moved from one peer to
   * another changes it). No second hash: the checker has both terms at hand for every node, the
   * key's from the node's facts and the block's from the affinity, and combines them each pass.
   */
  public static PeerDigest allowedTerm(PeerDigest key, PeerDigest route) {
    return new PeerDigest(
        mix(key.high() ^ Long.rotateLeft(route.low(), 29), route.high() + key.low()),
        mix(key.low() ^ Long.rotateLeft(route.high(), 17), route.low() + key.high()));
  }

  /** A 64-bit mix of two words (the MurmurHash3 finalizer over their product and sum). */
  private static long mix(long a, long b) {
    long z = (a | 1) * (b | 1) + (a ^ Long.rotateLeft(b, 31));
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }

  /** The routing digest of a set of routed CIDRs: the sum of their {@link #routeTerm}s. */
  public static String routeDigest(List<Cidr> cidrs) {
    PeerDigest sum = PeerDigest.EMPTY;
    for (Cidr cidr : cidrs) {
      sum = sum.plus(routeTerm(cidr));
    }
    return sum.hex();
  }

  void write(ObjectNode node) {
    node.put("up", up);
    node.put("mtu", mtu);
    node.put("underlayMtu", underlayMtu);
    node.put("fwmark", fwmark);
    node.put("rule", rule);
    node.put("table", table);
    node.put("mainRule", mainRule);
    node.put("routes", routes);
    node.put("routeDigest", routeDigest);
    node.put("throws", throwRoutes);
    ArrayNode named = node.putArray("throwCidrs");
    throwCidrs.forEach(named::add);
    node.put("allowedIps", allowedIps);
    node.put("allowedDigest", allowedDigest);
    node.put("hostIps", hostIps);
  }

  static DevicePath read(JsonNode node, String field) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(field + " is not an object");
    }
    List<String> named = new ArrayList<>();
    for (JsonNode cidr : node.path("throwCidrs")) {
      named.add(cidr.asText());
    }
    return new DevicePath(
        node.path("up").asBoolean(false),
        count(node, field, "mtu"),
        count(node, field, "underlayMtu"),
        Math.max(0, node.path("fwmark").asLong(0)),
        number(node, field, "rule"),
        Math.max(0, node.path("table").asLong(0)),
        number(node, field, "mainRule"),
        count(node, field, "routes"),
        node.path("routeDigest").asText(""),
        count(node, field, "throws"),
        named,
        count(node, field, "allowedIps"),
        node.path("allowedDigest").asText(""),
        count(node, field, "hostIps"));
  }

  private static int count(JsonNode node, String field, String name) {
    int value = number(node, field, name);
    if (value < 0) {
      throw new IllegalArgumentException(field + "." + name + " is not a count");
    }
    return value;
  }

  private static int number(JsonNode node, String field, String name) {
    JsonNode value = node.get(name);
    if (value == null) {
      return name.endsWith("ule") ? -1 : 0;
    }
    if (!value.canConvertToInt()) {
      throw new IllegalArgumentException(field + "." + name + " is not a number");
    }
    return value.asInt();
  }
}
