package io.wgguard.agent;

import java.time.Instant;
import java.util.List;

/**
 * What one WireGuard device showed at one reading, from either source. Never holds the private key:
 * the parsers drop it as they read the line.
 *
 * @param iface the interface name
 * @param publicKey the device's public key (base64)
 * @param listenPort the UDP port it listens on, 0 when unknown
 * @param peers its peers, in the order the source listed them
 */
public record WgDevice(String iface, String publicKey, int listenPort, List<Peer> peers) {

  public WgDevice {
    peers = List.copyOf(peers);
  }

  /**
   * One peer of a device.
   *
   * @param publicKey the peer's public key (base64)
   * @param endpoint {@code host:port} it was last seen at, empty when none
   * @param latestHandshake when the latest handshake completed, null when none ever did
   * @param rxBytes bytes received from the peer since the device was created
   * @param txBytes bytes sent to the peer since the device was created
   */
  public record Peer(
      String publicKey, String endpoint, Instant latestHandshake, long rxBytes, long txBytes) {}
}
