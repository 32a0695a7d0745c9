package io.wgguard.agent;

import io.wgguard.tunnels.summary.TunnelSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns device readings into the {@link TunnelSummary} the agent publishes; {@link WritePlanner}
 * decides when it is written.
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
}
