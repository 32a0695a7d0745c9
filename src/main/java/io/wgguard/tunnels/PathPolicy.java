package io.wgguard.tunnels;

import io.wgguard.Messages;
import io.wgguard.Names;
import io.wgguard.evidence.Finding;
import io.wgguard.evidence.NodeFacts;
import io.wgguard.evidence.NotReadyReason;
import io.wgguard.felix.IpFamily;
import io.wgguard.tunnels.summary.Cidr;
import io.wgguard.tunnels.summary.DevicePath;
import io.wgguard.tunnels.summary.PeerDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Proves that a node's pod traffic is steered into its WireGuard device, against what Calico says
 * should be there: the confirmed BlockAffinities of every peer ({@link BlockAffinities}) and each
 * node's tunnel address (annotation {@code projectcalico.org/IPv4WireguardInterfaceAddr}, {@code
 * ...IPv6...}). Pure: records in, findings out. Felix's facts, by source file in
 * projectcalico/calico:
 *
 * <ul>
 *   <li>{@link NotReadyReason#DEVICE_DOWN}: the device exists but is not up. The kernel drops the
 *       routes over a device that goes down, so the node's pod traffic falls through to the main
 *       table, in clear ({@code felix/wireguard/wireguard.go} sets the link up only when it
 *       (re)creates it).
 *   <li>{@link NotReadyReason#MTU_TOO_LARGE}: the device MTU exceeds the underlay's minus
 *       WireGuard's overhead, 60 bytes over IPv4 and 80 over IPv6 ({@code wireguardMTUOverhead},
 *       {@code wireguardV6MTUOverhead} in {@code felix/dataplane/linux/int_dataplane.go}):
 *       full-size packets are lost.
 *   <li>{@link NotReadyReason#ROUTE_BYPASS}: no rule {@code not fwmark M/M lookup T} with the
 *       device's mark ({@code addRouteRule} in {@code felix/wireguard/wireguard.go}), or one at or
 *       after the main table's rule (32766): unmarked traffic takes the main table first; or the
 *       table lacks a route via the device for a peer's block or tunnel address, or throws it
 *       (Felix programs {@code throw} for a peer it cannot program: {@code
 *       shouldProgramWireguardPeer}).
 *   <li>{@link NotReadyReason#ALLOWED_IPS_MISSING}: the peers' allowed-ips differ from the blocks
 *       affine to each peer's node and its tunnel address: the device drops what it receives from
 *       those addresses and cannot send to them.
 * </ul>
 *
 * Routes and allowed-ips are compared by digest ({@link DevicePath}): per family the sum over every
 * usable peer's expected CIDRs is taken once per pass and each node's expected digest is that sum
 * minus its own part. A block whose affinity is younger than the settle time may be absent (Felix
 * and then the agent's heartbeat take a while): either digest, with or without the young blocks,
 * proves the path. Not checked: borrowed /32s (where a workload got an address from another node's
 * block is in no object the checker watches) and host addresses under host encryption (counted, not
 * proven).
 */
public final class PathPolicy {

  /** Priority of the kernel's rule that looks up the main table. */
  public static final int MAIN_TABLE_RULE = 32766;

  private static final String FIELD = Finding.annotation(Names.TUNNELS_ANNOTATION);

  private PathPolicy() {}

  /** WireGuard's overhead on the underlay, as Felix subtracts it. */
  public static int overhead(IpFamily family) {
    return family == IpFamily.V4 ? 60 : 80;
  }

  /**
   * One family's expected routed CIDRs, summed over the usable peers.
   *
   * @param known whether the blocks are known (else only device, rule and MTU are judged)
   * @param all the route and allowed-ips sums over every usable node's CIDRs
   * @param young the same over blocks younger than the settle time
   * @param own per usable node, its part of {@code all} and {@code young}
   * @param owners per block, the node it is affine to, to name a thrown block's node
   */
  public record Intent(
      boolean known, Part all, Part young, Map<String, Own> own, Map<Cidr, String> owners) {

    /** No blocks known: only device, rule and MTU are judged. */
    public static final Intent NONE = new Intent(false, Part.ZERO, Part.ZERO, Map.of(), Map.of());

    /**
     * The intent of one family.
     *
     * @param usable which nodes have a usable key of the family (Felix peers exactly those)
     * @param settledBefore affinities created after this instant may be absent
     */
    public static Intent of(
        IpFamily family,
        Collection<NodeFacts> nodes,
        Predicate<NodeFacts> usable,
        BlockAffinities affinities,
        Instant settledBefore) {
      if (!affinities.known()) {
        return NONE;
      }
      Cidr.Blocks blocks = new Cidr.Blocks();
      Map<Cidr, String> owners = new HashMap<>();
      affinities
          .byNode()
          .forEach(
              (node, list) -> {
                for (BlockAffinities.Block block : list) {
                  if (block.cidr().family() == family) {
                    blocks.add(block.cidr());
                    owners.put(block.cidr(), node);
                  }
                }
              });
      Part all = Part.ZERO;
      Part young = Part.ZERO;
      Map<String, Own> own = new HashMap<>(nodes.size() * 2);
      for (NodeFacts node : nodes) {
        if (!usable.test(node)) {
          continue;
        }
        String key = node.annotations().get(family.keyAnnotation());
        Part nodeAll = Part.ZERO;
        Part nodeYoung = Part.ZERO;
        for (BlockAffinities.Block block :
            affinities.byNode().getOrDefault(node.name(), List.of())) {
          if (block.cidr().family() != family) {
            continue;
          }
          Part term = Part.of(key, block.cidr());
          nodeAll = nodeAll.plus(term);
          if (block.created() != null && block.created().isAfter(settledBefore)) {
            nodeYoung = nodeYoung.plus(term);
          }
        }
        Cidr tunnel = tunnelAddress(node, family);
        if (tunnel != null && !blocks.holds(tunnel)) {
          nodeAll = nodeAll.plus(Part.of(key, tunnel));
        }
        all = all.plus(nodeAll);
        young = young.plus(nodeYoung);
        own.put(node.name(), new Own(nodeAll, nodeYoung));
      }
      return new Intent(true, all, young, own, owners);
    }
  }

  /** A node's tunnel address of the family as a host network, null when absent or unreadable. */
  static Cidr tunnelAddress(NodeFacts node, IpFamily family) {
    String text = node.annotations().get(family.addressAnnotation());
    Cidr cidr = text == null ? null : Cidr.parseOrNull(text);
    if (cidr == null || cidr.family() != family) {
      return null;
    }
    return cidr.host() ? cidr : null;
  }

  /**
   * Sums over a set of CIDRs: the route digest, the allowed-ips digest and the count.
   *
   * @param routes sum of {@link DevicePath#routeTerm}
   * @param allowed sum of {@link DevicePath#allowedTerm}
   * @param count CIDRs summed
   */
  public record Part(PeerDigest routes, PeerDigest allowed, long count) {

    static final Part ZERO = new Part(PeerDigest.EMPTY, PeerDigest.EMPTY, 0);

    static Part of(String key, Cidr cidr) {
      return new Part(DevicePath.routeTerm(cidr), DevicePath.allowedTerm(key, cidr), 1);
    }

    Part plus(Part o) {
      return new Part(routes.plus(o.routes), allowed.plus(o.allowed), count + o.count);
    }

    Part minus(Part o) {
      return new Part(routes.minus(o.routes), allowed.minus(o.allowed), count - o.count);
    }
  }

  /**
   * A node's own part of the sums, taken away from its expectation.
   *
   * @param all its CIDRs
   * @param young its young blocks
   */
  public record Own(Part all, Part young) {}

  /**
   * Adds the path findings of one device to {@code findings}.
   *
   * @param name the device as messages name it ({@code IPv4 device wireguard.cali})
   * @param expectedPeers the peers the device should have
   * @return how many of those pairs the path does not prove
   */
  public static long check(
      NodeFacts node,
      IpFamily family,
      String name,
      DevicePath path,
      Intent intent,
      long expectedPeers,
      List<Finding> findings) {
    boolean allLost = false;
    long lost = 0;
    if (!path.up()) {
      allLost = true;
      findings.add(
          finding(
              NotReadyReason.DEVICE_DOWN,
              family,
              "%s is down: the kernel dropped the routes over it, so this node's pod traffic takes the main table, in clear"
                  .formatted(name)));
    }
    if (path.underlayMtu() > 0 && path.mtu() > path.underlayMtu() - overhead(family)) {
      allLost = true;
      findings.add(
          finding(
              NotReadyReason.MTU_TOO_LARGE,
              family,
              "%s has MTU %d, more than the underlay's %d minus WireGuard's %d bytes over %s (at most %d): full-size packets are lost"
                  .formatted(
                      name,
                      path.mtu(),
                      path.underlayMtu(),
                      overhead(family),
                      family.label(),
                      path.underlayMtu() - overhead(family))));
    }
    int main = path.mainRule() >= 0 ? path.mainRule() : MAIN_TABLE_RULE;
    if (path.rule() < 0) {
      allLost = true;
      findings.add(
          finding(
              NotReadyReason.ROUTE_BYPASS,
              family,
              "no %s rule 'not fwmark %s/%s lookup <table>' steers unencrypted traffic to %s: pod traffic to every peer takes the main table, in clear"
                  .formatted(family.label(), mark(path.fwmark()), mark(path.fwmark()), name)));
    } else if (path.rule() >= main) {
      allLost = true;
      findings.add(
          finding(
              NotReadyReason.ROUTE_BYPASS,
              family,
              "the rule steering traffic to %s (table %d) has priority %d, at or after the main table's rule (%d): pod traffic takes the main table first, in clear"
                  .formatted(name, path.table(), path.rule(), main)));
    }
    Own own = intent.own().get(node.name());
    if (intent.known() && path.rule() >= 0) {
      Part wanted = own == null ? intent.all() : intent.all().minus(own.all());
      Part settled = wanted.minus(own == null ? intent.young() : intent.young().minus(own.young()));
      boolean routesOk =
          wanted.routes().matches(path.routeDigest())
              || settled.routes().matches(path.routeDigest());
      if (!routesOk) {
        lost = Math.max(lost, Math.max(1, settled.count() - path.routes()));
        List<String> thrown = thrownPeers(node, path, intent);
        findings.add(
            finding(
                NotReadyReason.ROUTE_BYPASS,
                family,
                "table %d routes %d CIDRs via %s, the other nodes' BlockAffinities and tunnel addresses call for %d, and their digests differ%s: pod traffic to those nodes takes the main table, in clear"
                    .formatted(
                        path.table(),
                        path.routes(),
                        name,
                        wanted.count(),
                        thrown.isEmpty() ? "" : "; thrown: " + String.join(", ", thrown))));
      }
      boolean allowedOk =
          wanted.allowed().matches(path.allowedDigest())
              || settled.allowed().matches(path.allowedDigest());
      if (!allowedOk) {
        lost = Math.max(lost, Math.max(1, settled.count() - path.allowedIps()));
        findings.add(
            finding(
                NotReadyReason.ALLOWED_IPS_MISSING,
                family,
                "the peers of %s allow %d CIDRs, the other nodes' BlockAffinities and tunnel addresses call for %d, and their digests differ: the device drops traffic from and to the blocks it lacks"
                    .formatted(name, path.allowedIps(), wanted.count())));
      }
    }
    return allLost ? expectedPeers : Math.min(expectedPeers, lost);
  }

  /** The throw routes of the summary that are other nodes' blocks, named by node. */
  private static List<String> thrownPeers(NodeFacts node, DevicePath path, Intent intent) {
    Set<String> named = new LinkedHashSet<>();
    for (String text : path.throwCidrs()) {
      Cidr cidr = Cidr.parseOrNull(text);
      String owner = cidr == null ? null : intent.owners().get(cidr);
      if (owner != null && !owner.equals(node.name())) {
        named.add("%s (%s)".formatted(Messages.clip(text), Messages.clip(owner)));
      }
    }
    return new ArrayList<>(named);
  }

  private static String mark(long fwmark) {
    return "0x" + Long.toHexString(fwmark);
  }

  private static Finding finding(NotReadyReason reason, IpFamily family, String detail) {
    return new Finding(reason, family, FIELD, detail);
  }
}
