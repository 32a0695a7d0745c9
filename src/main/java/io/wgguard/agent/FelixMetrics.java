package io.wgguard.agent;

import io.wgguard.agent.PrometheusText.Sample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads WireGuard devices from Felix's Prometheus metrics, as Calico's {@code
 * felix/wireguard/metrics_linux.go} writes them (served only with {@code
 * prometheusMetricsEnabled}):
 *
 * <ul>
 *   <li>{@code wireguard_meta{hostname, public_key, iface, listen_port} 1} per device;
 *   <li>{@code wireguard_latest_handshake_seconds}, {@code wireguard_bytes_sent} and {@code
 *       wireguard_bytes_rcvd} per peer, labelled {@code hostname, public_key} (the device's key:
 *       the peer metrics carry no interface name), {@code peer_key} and {@code peer_endpoint}.
 * </ul>
 *
 * A handshake that never happened is Go's zero time, {@code -62135596800}; any value not after the
 * epoch reads as none. A peer without an endpoint has {@code peer_endpoint="<nil>"}.
 */
public final class FelixMetrics {

  static final String META = "wireguard_meta";
  static final String HANDSHAKE = "wireguard_latest_handshake_seconds";
  static final String SENT = "wireguard_bytes_sent";
  static final String RECEIVED = "wireguard_bytes_rcvd";

  private FelixMetrics() {}

  /**
   * The devices in an exposition, by interface name.
   *
   * @throws IllegalArgumentException for text that is not an exposition or WireGuard samples
   *     without the labels Felix writes
   */
  public static Map<String, WgDevice> devices(String exposition) {
    List<Sample> samples = PrometheusText.parse(exposition);
    Map<String, String[]> meta = new LinkedHashMap<>(); // iface -> {public key, listen port}
    Map<String, Map<String, PeerBuilder>> peersByDevice = new HashMap<>();
    for (Sample s : samples) {
      switch (s.name()) {
        case META -> {
          String iface = label(s, "iface");
          String key = key(s, "public_key");
          String port = label(s, "listen_port");
          meta.put(iface, new String[] {key, port});
        }
        case HANDSHAKE, SENT, RECEIVED -> {
          String device = key(s, "public_key");
          String peer = key(s, "peer_key");
          PeerBuilder b =
              peersByDevice
                  .computeIfAbsent(device, k -> new LinkedHashMap<>())
                  .computeIfAbsent(peer, PeerBuilder::new);
          b.endpoint = label(s, "peer_endpoint");
          double v = s.value();
          switch (s.name()) {
            case HANDSHAKE -> b.handshake = v > 0 && Double.isFinite(v) ? (long) v : 0;
            case SENT -> b.tx = counter(s);
            default -> b.rx = counter(s);
          }
        }
        default -> {
          // Felix serves many other metrics.
        }
      }
    }
    Map<String, WgDevice> devices = new LinkedHashMap<>();
    for (var e : meta.entrySet()) {
      String key = e.getValue()[0];
      int port;
      try {
        port = Integer.parseInt(e.getValue()[1]);
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException(
            META + " of " + e.getKey() + " has listen_port '" + e.getValue()[1] + "', not a port");
      }
      List<WgDevice.Peer> peers = new ArrayList<>();
      for (PeerBuilder b : peersByDevice.getOrDefault(key, Map.of()).values()) {
        peers.add(b.build());
      }
      devices.put(e.getKey(), new WgDevice(e.getKey(), key, port, peers));
    }
    return devices;
  }

  private static final class PeerBuilder {
    final String key;
    String endpoint = "";
    long handshake;
    long rx;
    long tx;

    PeerBuilder(String key) {
      this.key = key;
    }

    WgDevice.Peer build() {
      String ep = "<nil>".equals(endpoint) ? "" : endpoint;
      return new WgDevice.Peer(
          key, ep, handshake > 0 ? Instant.ofEpochSecond(handshake) : null, rx, tx);
    }
  }

  private static String label(Sample s, String label) {
    String value = s.labels().get(label);
    if (value == null) {
      throw new IllegalArgumentException(s.name() + " has no label " + label);
    }
    return value;
  }

  private static String key(Sample s, String label) {
    String value = label(s, label);
    if (!WgDump.isKey(value)) {
      throw new IllegalArgumentException(
          s.name() + " has label " + label + " that is not a WireGuard key");
    }
    return value;
  }

  private static long counter(Sample s) {
    double v = s.value();
    if (Double.isNaN(v) || v < 0) {
      throw new IllegalArgumentException(
          s.name() + " for peer " + s.labels().get("peer_key") + " is " + v + ", not a count");
    }
    return v >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) v;
  }
}
