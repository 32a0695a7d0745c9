package io.wgguard.agent;

import io.wgguard.tunnels.summary.DevicePath;
import io.wgguard.tunnels.summary.TunnelSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns device readings into the {@link TunnelSummary} the agent publishes, and decides when the
 * annotation is written: on a change of content ({@code at} alone is not a change) or when the
 * heartbeat is due, so an idle node costs one write per heartbeat whatever the reading interval.
 */
public final class TunnelPlanner {

  /**
   * WireGuard's REJECT_AFTER_TIME: a session key older than this is refused, so a peer that was
   * sent traffic while its latest handshake is older has no working session.
   */
  public static final Duration REJECT_AFTER = Duration.ofSeconds(180);

  private TunnelPlanner() {}

  /**
   * One family's device as published.
   *
   * @param iface the interface read
   * @param now what the device shows now, null when it does not exist
   * @param previous what it showed at an earlier reading ({@link TrafficBaseline}: at least 15 s
   *     before, so that a failing peer's 5 s handshake retries always show as traffic), null when
   *     none
   * @param at when {@code now} was read
   */
  public static TunnelSummary.Device device(
      String iface, WgDevice now, WgDevice previous, Instant at) {
    if (now == null) {
      return TunnelSummary.Device.missing(iface);
    }
    Map<String, Long> txBefore = new HashMap<>();
    if (previous != null && previous.publicKey().equals(now.publicKey())) {
      previous.peers().forEach(p -> txBefore.put(p.publicKey(), p.txBytes()));
    }
    List<String> keys = new ArrayList<>();
    List<String> stale = new ArrayList<>();
    for (WgDevice.Peer peer : now.peers()) {
      keys.add(peer.publicKey());
      Long before = txBefore.get(peer.publicKey());
      boolean sentSince = before != null && peer.txBytes() > before;
      boolean oldHandshake =
          peer.latestHandshake() == null || peer.latestHandshake().plus(REJECT_AFTER).isBefore(at);
      if (sentSince && oldHandshake) {
        stale.add(peer.publicKey());
      }
    }
    stale.sort(null);
    List<String> named =
        stale.stream()
            .limit(TunnelSummary.MAX_NAMED_PEERS)
            .map(k -> k.substring(0, TunnelSummary.PEER_NAME_LENGTH))
            .toList();
    return new TunnelSummary.Device(
        iface,
        true,
        now.publicKey(),
        now.listenPort(),
        now.peers().size(),
        TunnelSummary.peerDigest(keys),
        stale.size(),
        named);
  }

  /**
   * The summary to write now, or empty when the published one stands.
   *
   * <ul>
   *   <li>A change that says something about encryption is written at once: a family appears or
   *       goes, a device appears or goes, its public key or listen port changes, or its peers turn
   *       stale or recover ({@code handshakeStale} crosses zero).
   *   <li>Any other change (peers joining or leaving, hence {@code peers} and {@code peerDigest};
   *       which stale peers are named) waits for the heartbeat: on a cluster of 65,000 nodes one
   *       node joining changes every node's peers, and writing them all at once would cost the API
   *       server 65,000 writes per joining node.
   *   <li>When the heartbeat is due the fresh summary is written even if nothing changed; {@code
   *       at} alone never makes a change.
   * </ul>
   *
   * @param published the annotation's current value, null when absent
   * @param fresh what the agent read now
   */
  public static Optional<TunnelSummary> next(
      String published, TunnelSummary fresh, Instant now, Duration heartbeat) {
    if (published == null) {
      return Optional.of(fresh);
    }
    TunnelSummary current;
    try {
      current = TunnelSummary.parse(published);
    } catch (IllegalArgumentException e) {
      return Optional.of(fresh);
    }
    boolean due = !current.at().plus(heartbeat).isAfter(now);
    return due || urgent(current, fresh) ? Optional.of(fresh) : Optional.empty();
  }

  /**
   * Whether the way traffic reaches the device changed: path evidence appearing or going, the
   * device going up or down, its MTU or the underlay's, its mark, the steering rule or its table. A
   * change of routes or allowed-ips alone waits for the heartbeat, as peers do: a new IPAM block
   * changes them on every node at once.
   */
  static boolean steeringChanged(DevicePath a, DevicePath b) {
    if (a == null || b == null) {
      return a != b;
    }
    return a.up() != b.up()
        || a.mtu() != b.mtu()
        || a.underlayMtu() != b.underlayMtu()
        || a.fwmark() != b.fwmark()
        || a.rule() != b.rule()
        || a.table() != b.table()
        || a.mainRule() != b.mainRule();
  }

  /** Whether the change from {@code before} to {@code after} is written without waiting. */
  static boolean urgent(TunnelSummary before, TunnelSummary after) {
    if (!before.source().equals(after.source())
        || !before.devices().keySet().equals(after.devices().keySet())) {
      return true;
    }
    for (var entry : after.devices().entrySet()) {
      TunnelSummary.Device a = entry.getValue();
      TunnelSummary.Device b = before.devices().get(entry.getKey());
      if (a.present() != b.present()
          || !a.iface().equals(b.iface())
          || !a.publicKey().equals(b.publicKey())
          || a.listenPort() != b.listenPort()
          || (a.handshakeStale() > 0) != (b.handshakeStale() > 0)
          || steeringChanged(a.path(), b.path())) {
        return true;
      }
    }
    return false;
  }
}
