package io.wgguard.checker;

import io.wgguard.pass.Departure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The Events of the nodes a replica's first pass finds joined with WireGuard off ({@link
 * io.wgguard.pass.OffAtJoin}: they joined while wgguard was down), kept until the replica first
 * writes. Only the taint writer records Events, and the first pass runs as soon as the caches have
 * synced, before the lease is taken (a restarted replica takes the lease its predecessor gave back
 * some hundred milliseconds later): without this, the Event of every such node was lost, since the
 * next pass knows the node and finds no join. The metric and the log line are written when the pass
 * finds the join; only the Event waits.
 *
 * <p>Only the first pass's joins wait: a later join seen by a replica that does not write is the
 * writer's to record, which sees it as well. A replica that never writes holds at most the joins of
 * its first pass; one that takes the lease later (a failover) records them then, as a restarted
 * wgguard would. Checker thread only.
 */
final class PendingJoinEvents {

  private final Map<String, Departure> waiting = new TreeMap<>();

  /**
   * Keeps the joins among {@code departures} when this replica did not record them on its first
   * pass.
   */
  void keep(List<Departure> departures, boolean firstPass, boolean recorded) {
    if (!firstPass || recorded) {
      return;
    }
    for (Departure departure : departures) {
      if (departure.cause() == Departure.Cause.JOINED) {
        waiting.put(departure.node(), departure);
      }
    }
  }

  /**
   * The joins waiting for their Event whose node is still in {@code nodes}, by node name; forgets
   * every waiting join. Called by the writer, which records them.
   */
  List<Departure> release(Set<String> nodes) {
    if (waiting.isEmpty()) {
      return List.of();
    }
    List<Departure> due = new ArrayList<>();
    waiting.forEach(
        (node, departure) -> {
          if (nodes.contains(node)) {
            due.add(departure);
          }
        });
    waiting.clear();
    return due;
  }

  /** True while joins wait for their Event. */
  boolean any() {
    return !waiting.isEmpty();
  }
}
