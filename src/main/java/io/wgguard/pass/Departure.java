package io.wgguard.pass;

import io.wgguard.evidence.NodeFacts;
import io.wgguard.felix.EffectiveSetting;
import io.wgguard.felix.EffectiveWireguard;
import io.wgguard.felix.IpFamily;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A node on which WireGuard was on for some family at the previous pass and is off now, with the
 * cause. Admission sees every FelixConfiguration write, but not a Node write: relabelling a node
 * under a selector-scoped object that turns WireGuard off (or out from under one that turns it on)
 * switches it off with no FelixConfiguration write at all, so the checker reports it.
 *
 * @param node the node's name
 * @param families the families that went off
 * @param cause what did it
 * @param detail a sentence for Events and logs: the families, and where the value comes from now
 */
public record Departure(String node, Set<IpFamily> families, Cause cause, String detail) {

  public Departure {
    families = Collections.unmodifiableSet(EnumSet.copyOf(families));
  }

  /** Why a node left WireGuard. */
  public enum Cause {
    /** The node's labels changed: with its old labels, today's FelixConfigurations keep it on. */
    LABELS,
    /** The FelixConfigurations changed (a write admission judged). */
    FELIX_CONFIGURATION,
    /**
     * The node is new (or the checker is: its first pass) and WireGuard is off on it while {@code
     * default} turns it on: an object decided before the node existed ({@link OffAtJoin}).
     */
    JOINED
  }

  /**
   * The nodes that left WireGuard between two passes. A node that is new or gone is no departure.
   *
   * @param before per node, the families on at the previous pass
   * @param labelsBefore per node, its labels at the previous pass
   * @param wireguard today's FelixConfigurations
   * @param now the nodes as they are now
   */
  public static List<Departure> between(
      Map<String, Set<IpFamily>> before,
      Map<String, Map<String, String>> labelsBefore,
      EffectiveWireguard wireguard,
      Map<String, NodeFacts> now) {
    List<Departure> departures = new ArrayList<>();
    before.forEach(
        (name, familiesBefore) -> {
          NodeFacts node = now.get(name);
          if (node == null || familiesBefore.isEmpty()) {
            return;
          }
          Set<IpFamily> lost = EnumSet.noneOf(IpFamily.class);
          for (IpFamily family : familiesBefore) {
            if (!wireguard.forNode(name, node.felixLabels(), family).enabled()) {
              lost.add(family);
            }
          }
          if (lost.isEmpty()) {
            return;
          }
          Map<String, String> oldLabels = labelsBefore.getOrDefault(name, node.felixLabels());
          boolean byLabels =
              !oldLabels.equals(node.felixLabels())
                  && lost.stream().allMatch(f -> wireguard.forNode(name, oldLabels, f).enabled());
          Cause cause = byLabels ? Cause.LABELS : Cause.FELIX_CONFIGURATION;
          departures.add(
              new Departure(name, lost, cause, detail(name, node, lost, cause, wireguard)));
        });
    departures.sort(java.util.Comparator.comparing(Departure::node));
    return departures;
  }

  private static String detail(
      String name, NodeFacts node, Set<IpFamily> lost, Cause cause, EffectiveWireguard wireguard) {
    String families = lost.stream().map(IpFamily::label).collect(Collectors.joining(" and "));
    EffectiveSetting now = wireguard.forNode(name, node.felixLabels(), lost.iterator().next());
    return switch (cause) {
      case LABELS ->
          ("WireGuard (%s) is off on node %s since its labels changed: now off by %s. No"
                  + " FelixConfiguration write did this, so admission could not refuse it; traffic"
                  + " to and from the node is no longer encrypted")
              .formatted(families, name, now.origin());
      case FELIX_CONFIGURATION, JOINED ->
          "WireGuard (%s) is off on node %s: now off by %s".formatted(families, name, now.origin());
    };
  }
}
