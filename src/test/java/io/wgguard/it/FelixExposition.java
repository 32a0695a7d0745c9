package io.wgguard.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Felix's WireGuard metrics, as Calico's {@code felix/wireguard/metrics_linux.go} serves them with
 * {@code prometheusMetricsEnabled}, rendered from a real device's {@code wg show <iface> dump} and
 * served on a loopback port: what the agent's {@code felix-metrics} source reads on a node. The
 * dump is read at every scrape, so the metrics follow the device as Felix's do.
 */
final class FelixExposition implements AutoCloseable {

  /** Go's zero {@code time.Time} in Unix seconds: Felix's handshake value for "never". */
  static final String NEVER = "-6.21355968e+10";

  private final HttpServer server;

  private FelixExposition(HttpServer server) {
    this.server = server;
  }

  /**
   * Felix's exposition of one device: {@code wireguard_meta} and, per peer, {@code
   * wireguard_latest_handshake_seconds}, {@code wireguard_bytes_sent} and {@code
   * wireguard_bytes_rcvd}, labelled as Felix labels them (sorted, as the Go client writes them). No
   * dump (the device is gone): no WireGuard samples, as Felix reports no device.
   */
  static String render(String hostname, String iface, String dump) {
    StringBuilder out = new StringBuilder();
    out.append("# HELP felix_active_local_endpoints Number of active endpoints on this host.\n")
        .append("# TYPE felix_active_local_endpoints gauge\n")
        .append("felix_active_local_endpoints 0\n");
    if (dump == null || dump.isBlank()) {
      return out.toString();
    }
    String[] lines = dump.strip().split("\n");
    String[] self = lines[0].split("\t");
    String publicKey = self[1];
    List<String[]> peers = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      peers.add(lines[i].split("\t"));
    }
    metric(out, "wireguard_bytes_rcvd", "counter", "incoming bytes count from peer");
    peers.forEach(p -> peer(out, "wireguard_bytes_rcvd", hostname, publicKey, p, p[5]));
    metric(out, "wireguard_bytes_sent", "counter", "outgoing bytes count to peer");
    peers.forEach(p -> peer(out, "wireguard_bytes_sent", hostname, publicKey, p, p[6]));
    metric(
        out,
        "wireguard_latest_handshake_seconds",
        "gauge",
        "latest handshake unix timestamp in seconds to a peer");
    peers.forEach(
        p ->
            peer(
                out,
                "wireguard_latest_handshake_seconds",
                hostname,
                publicKey,
                p,
                "0".equals(p[4]) ? NEVER : p[4]));
    metric(out, "wireguard_meta", "gauge", "and runtime metadata");
    out.append("wireguard_meta{hostname=\"")
        .append(hostname)
        .append("\",iface=\"")
        .append(iface)
        .append("\",listen_port=\"")
        .append(self[2])
        .append("\",public_key=\"")
        .append(publicKey)
        .append("\"} 1\n");
    return out.toString();
  }

  private static void metric(StringBuilder out, String name, String type, String help) {
    out.append("# HELP ").append(name).append(" wireguard interface ").append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void peer(
      StringBuilder out,
      String name,
      String hostname,
      String publicKey,
      String[] peer,
      String value) {
    String endpoint = "(none)".equals(peer[2]) ? "<nil>" : peer[2];
    out.append(name)
        .append("{hostname=\"")
        .append(hostname)
        .append("\",peer_endpoint=\"")
        .append(endpoint)
        .append("\",peer_key=\"")
        .append(peer[0])
        .append("\",public_key=\"")
        .append(publicKey)
        .append("\"} ")
        .append(value)
        .append('\n');
  }

  /**
   * Serves {@code exposition} at {@code http://127.0.0.1:<port>/metrics}, computed at every
   * request.
   */
  static FelixExposition serve(Supplier<String> exposition) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/metrics",
        exchange -> {
          byte[] body = exposition.get().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream os = exchange.getResponseBody()) {
            os.write(body);
          }
        });
    server.start();
    return new FelixExposition(server);
  }

  /** The URL the agent scrapes. */
  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/metrics";
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
