package io.wgguard.pass;

import io.wgguard.evidence.NodeFacts;
import io.wgguard.felix.EffectiveSetting;
import io.wgguard.felix.EffectiveWireguard;
import io.wgguard.felix.IpFamily;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Nodes that join with WireGuard effectively off while {@code default} (with calico-node's
 * environment) turns it on. Admission judges a {@code node.<name>} written before its node, or a
 * selector for a pool still to come, by the object alone; but an object written while wgguard was
 * down, or under an override, still decides the node the moment it joins, with no write for
 * admission to see. The checker names each such node once, at the first pass that knows it: the
 * pass after it joined, or wgguard's own first pass for nodes that joined while it was down.
 */
public final class OffAtJoin {

  private OffAtJoin() {}

  /**
   * The nodes new since the previous pass (every node on the first pass) on which some family is
   * off that {@code default} turns on, as departures with cause {@link Departure.Cause#JOINED}.
   *
   * @param known the nodes the previous pass knew
   * @param wireguard today's settings
   * @param nodes the nodes as they are now
   */
  public static List<Departure> find(
      Set<String> known, EffectiveWireguard wireguard, Collection<NodeFacts> nodes) {
    Map<IpFamily, EffectiveSetting> cluster = wireguard.cluster();
    if (cluster.values().stream().noneMatch(EffectiveSetting::enabled)) {
      return List.of(); // default turns nothing on: a node off is what default says
    }
    List<Departure> joined = new ArrayList<>();
    for (NodeFacts node : nodes) {
      if (known.contains(node.name())) {
        continue;
      }
      Set<IpFamily> off = EnumSet.noneOf(IpFamily.class);
      EffectiveSetting decided = null;
      for (IpFamily family : IpFamily.values()) {
        if (!cluster.get(family).enabled()) {
          continue;
        }
        EffectiveSetting setting = wireguard.forNode(node.name(), node.felixLabels(), family);
        if (!setting.enabled()) {
          off.add(family);
          decided = decided == null ? setting : decided;
        }
      }
      if (!off.isEmpty()) {
        String families = off.stream().map(IpFamily::label).collect(Collectors.joining(" and "));
        joined.add(
            new Departure(
                node.name(),
                off,
                Departure.Cause.JOINED,
                ("Node %s joined with WireGuard (%s) off by %s, while default turns it on: traffic"
                        + " to and from it is not encrypted")
                    .formatted(node.name(), families, decided.origin())));
      }
    }
    joined.sort(Comparator.comparing(Departure::node));
    return joined;
  }
}
