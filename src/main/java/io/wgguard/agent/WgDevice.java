package io.wgguard.agent;

import io.wgguard.tunnels.summary.Cidr;
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
 * @param fwmark the device's firewall mark, 0 when none or unknown (Felix's metrics do not show it)
 */
public record WgDevice(
    String iface, String publicKey, int listenPort, List<Peer> peers, long fwmark) {

  public WgDevice {
    peers = List.copyOf(peers);
  }

  /** A device whose fwmark is not known. */
  public WgDevice(String iface, String publicKey, int listenPort, List<Peer> peers) {
    this(iface, publicKey, listenPort, peers, 0);
  }

  /**
   * One peer of a device.
   *
   * @param publicKey the peer's public key (base64)
   * @param endpoint {@code host:port} it was last seen at, empty when none
   * @param latestHandshake when the latest handshake completed, null when none ever did
   * @param rxBytes bytes received from the peer since the device was created
   * @param txBytes bytes sent to the peer since the device was created
   * @param allowedIps the peer's allowed-ips, empty when none or unknown
   */
  public record Peer(
      String publicKey,
      String endpoint,
      Instant latestHandshake,
      long rxBytes,
      long txBytes,
      List<Cidr> allowedIps) {

    public Peer {
      allowedIps = List.copyOf(allowedIps);
    }

    /** A peer whose allowed-ips are not known. */
    public Peer(
        String publicKey, String endpoint, Instant latestHandshake, long rxBytes, long txBytes) {
      this(publicKey, endpoint, latestHandshake, rxBytes, txBytes, List.of());
    }
  }
}
