package io.wgguard.agent;

import io.wgguard.config.TunnelSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads WireGuard devices from the configured source: {@code wg show <interface> dump}, or Felix's
 * Prometheus endpoint. The edge around {@link WgDump} and {@link FelixMetrics}.
 */
final class TunnelReader {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final TunnelSource source;
  private final HostCommand wg;
  private final URI metricsUrl;
  private HttpClient http;

  TunnelReader(TunnelSource source, String wgCommand, String metricsUrl) {
    this.source = source;
    this.wg = new HostCommand(wgCommand, TIMEOUT);
    this.metricsUrl = URI.create(metricsUrl);
  }

  TunnelSource source() {
    return source;
  }

  /**
   * Reads these interfaces; an interface that does not exist maps to null.
   *
   * @throws IllegalStateException when the source cannot be read, saying why
   */
  Map<String, WgDevice> read(Collection<String> ifaces) {
    Map<String, WgDevice> devices = new HashMap<>();
    switch (source) {
      case DEVICE -> {
        for (String iface : ifaces) {
          devices.put(iface, dump(iface));
        }
      }
      case FELIX_METRICS -> {
        Map<String, WgDevice> all = FelixMetrics.devices(scrape());
        for (String iface : ifaces) {
          devices.put(iface, all.get(iface));
        }
      }
      case NONE -> {
        // Nothing is read.
      }
    }
    return devices;
  }

  private WgDevice dump(String iface) {
    HostCommand.Result result = wg.run("show", iface, "dump");
    try {
      if (result.exit() != 0) {
        // "No such device": no such interface. "Protocol not supported": no WireGuard in the
        // kernel (and no userspace device of that name), so no such interface either.
        if (result.stderr().contains("No such device")
            || result.stderr().contains("Protocol not supported")) {
          return null;
        }
        throw new IllegalStateException(
            "%s failed (exit %d): %s"
                .formatted(
                    wg.shown("show", iface, "dump"), result.exit(), result.firstErrorLine()));
      }
      return WgDump.parse(iface, result.text());
    } finally {
      // The first line holds the private key: drop the bytes now rather than at the next GC.
      Arrays.fill(result.stdout(), (byte) 0);
    }
  }

  private String scrape() {
    if (http == null) {
      http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(metricsUrl).timeout(TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "Felix metrics " + metricsUrl + " answered HTTP " + response.statusCode());
      }
      return response.body();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot read Felix metrics at "
              + metricsUrl
              + " ("
              + e.getMessage()
              + "): is prometheusMetricsEnabled set in FelixConfiguration?");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }
}
