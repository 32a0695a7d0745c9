package io.wgguard.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * The earlier device reading that "traffic was sent to this peer" is measured against: the newest
 * reading at least {@link #WINDOW} old (the oldest kept while none is). Measured against the
 * immediately previous reading, a peer whose handshake fails looks stale only at the readings that
 * happen to follow one of WireGuard's retries (every 5 s), so the finding flickered on and off with
 * any reading interval under about 5 s.
 */
final class TrafficBaseline {

  /** How far back traffic counts: several of WireGuard's 5 s handshake retries. */
  static final Duration WINDOW = Duration.ofSeconds(15);

  private record Reading(Instant at, WgDevice device) {}

  private final Map<String, Deque<Reading>> readings = new HashMap<>();

  /** The reading of {@code iface} to compare a reading taken at {@code at} with; null if none. */
  WgDevice baseline(String iface, Instant at) {
    Deque<Reading> kept = readings.get(iface);
    if (kept == null || kept.isEmpty()) {
      return null;
    }
    Reading chosen = kept.peekFirst();
    for (Reading r : kept) {
      if (!r.at().plus(WINDOW).isAfter(at)) {
        chosen = r; // at least WINDOW old; later ones in the deque are newer
      }
    }
    return chosen.device();
  }

  /**
   * Keeps a reading; drops what no later baseline can need, and everything of a device whose key
   * changed (its counters started again). A device that is gone ({@code null}) forgets its history.
   */
  void record(String iface, WgDevice device, Instant at) {
    if (device == null) {
      readings.remove(iface);
      return;
    }
    Deque<Reading> kept = readings.computeIfAbsent(iface, i -> new ArrayDeque<>());
    if (!kept.isEmpty() && !kept.peekLast().device().publicKey().equals(device.publicKey())) {
      kept.clear();
    }
    kept.addLast(new Reading(at, device));
    // The oldest is needed only while the one after it is not yet WINDOW old at this reading.
    while (kept.size() > 1) {
      Reading second = kept.stream().skip(1).findFirst().orElseThrow();
      if (second.at().plus(WINDOW).isAfter(at)) {
        break;
      }
      kept.removeFirst();
    }
  }
}
