package io.wgguard.agent;

import io.wgguard.config.TunnelSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reads WireGuard devices from the configured source: {@code wg show <interface> dump}, or Felix's
 * Prometheus endpoint. The edge around {@link WgDump} and {@link FelixMetrics}.
 */
final class TunnelReader {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final TunnelSource source;
  private final List<String> wgCommand;
  private final URI metricsUrl;
  private HttpClient http;

  TunnelReader(TunnelSource source, String wgCommand, String metricsUrl) {
    this.source = source;
    this.wgCommand = Arrays.stream(wgCommand.strip().split(" +")).toList();
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
    List<String> command = new ArrayList<>(wgCommand);
    command.addAll(List.of("show", iface, "dump"));
    String shown = String.join(" ", command);
    Process process;
    try {
      process = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + shown + ": " + e.getMessage());
    }
    try (InputStream out = process.getInputStream();
        InputStream err = process.getErrorStream()) {
      byte[] stdout = out.readAllBytes();
      String stderr = new String(err.readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(shown + " did not finish in " + TIMEOUT.toSeconds() + " s");
      }
      if (process.exitValue() != 0) {
        // "No such device": no such interface. "Protocol not supported": no WireGuard in the
        // kernel (and no userspace device of that name), so no such interface either.
        if (stderr.contains("No such device") || stderr.contains("Protocol not supported")) {
          return null;
        }
        String first = stderr.lines().findFirst().orElse("");
        throw new IllegalStateException(
            shown + " failed (exit " + process.exitValue() + "): " + first);
      }
      String text = new String(stdout, StandardCharsets.UTF_8);
      // The first line holds the private key: drop the bytes now rather than at the next GC.
      Arrays.fill(stdout, (byte) 0);
      return WgDump.parse(iface, text);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the output of " + shown + ": " + e.getMessage());
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException(shown + " interrupted");
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
