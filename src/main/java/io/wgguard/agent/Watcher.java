package io.wgguard.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.wgguard.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Keeps a local copy of the objects one collection path lists (e.g. the agent's own Node, by field
 * selector), by list then watch: one LIST served from the API server's cache ({@code
 * resourceVersion=0}), then a watch from its resource version, resumed from the last version seen
 * when the API server ends it, listed afresh on {@code 410 Gone}. At steady state it costs the API
 * server one idle watch, not a GET per interval.
 */
final class Watcher implements Runnable {

  private final KubeApi api;
  private final String path;
  private final String fieldSelector;
  private final String what;
  private final PrintStream log;
  private final Map<String, JsonNode> objects = new ConcurrentHashMap<>();
  private volatile boolean synced;
  private volatile boolean stopped;
  private volatile InputStream open;
  private volatile Thread thread;

  /**
   * @param path a collection path, e.g. {@code /api/v1/nodes}
   * @param fieldSelector a field selector, empty for none
   * @param what what is watched, for the log
   */
  Watcher(KubeApi api, String path, String fieldSelector, String what, PrintStream log) {
    this.api = api;
    this.path = path;
    this.fieldSelector = fieldSelector;
    this.what = what;
    this.log = log;
  }

  /** Starts the watch on a daemon thread. */
  Watcher start() {
    Thread t = new Thread(this, "watch " + what);
    t.setDaemon(true);
    thread = t;
    t.start();
    return this;
  }

  /** Whether the first list succeeded. */
  boolean synced() {
    return synced;
  }

  /** The objects now known, by name; empty until synced. */
  Map<String, JsonNode> objects() {
    return Map.copyOf(objects);
  }

  /** Replaces one object with a newer copy, e.g. what a PATCH returned. */
  void put(JsonNode object) {
    objects.put(object.path("metadata").path("name").asText(), object);
  }

  /** Ends the watch. */
  void stop() {
    stopped = true;
    InputStream in = open;
    if (in != null) {
      try {
        in.close();
      } catch (IOException e) {
        // Closing is all that is wanted.
      }
    }
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
  }

  @Override
  public void run() {
    long backoffMs = 500;
    String version = null;
    while (!stopped) {
      try {
        if (version == null) {
          version = list();
        }
        version = watch(version);
        backoffMs = 500;
      } catch (KubeApi.ApiException e) {
        if (stopped) {
          return;
        }
        if (e.status() == 410) {
          version = null;
          continue;
        }
        log.printf("agent: watch of %s failed (%s); retrying%n", what, e.getMessage());
        version = null;
        if (!sleep(backoffMs)) {
          return;
        }
        backoffMs = Math.min(backoffMs * 2, 30_000);
      }
    }
  }

  private String list() {
    JsonNode list = api.get(path + "?" + query("resourceVersion=0"));
    Map<String, JsonNode> fresh = new java.util.HashMap<>();
    for (JsonNode item : list.path("items")) {
      fresh.put(item.path("metadata").path("name").asText(), item);
    }
    objects.keySet().retainAll(fresh.keySet());
    objects.putAll(fresh);
    synced = true;
    return list.path("metadata").path("resourceVersion").asText("");
  }

  // Reads events until the API server ends the watch; returns the version to resume from.
  private String watch(String version) {
    // Spread the ends of watches so that agents do not come back all at once.
    int timeout = 300 + ThreadLocalRandom.current().nextInt(300);
    String query =
        query(
            "watch=1&allowWatchBookmarks=true&timeoutSeconds="
                + timeout
                + "&resourceVersion="
                + URLEncoder.encode(version, StandardCharsets.UTF_8));
    InputStream in = api.stream(path + "?" + query);
    open = in;
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while (!stopped && (line = reader.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode event = Json.read(line);
        String type = event.path("type").asText();
        JsonNode object = event.path("object");
        switch (type) {
          case "ADDED", "MODIFIED" -> put(object);
          case "DELETED" -> objects.remove(object.path("metadata").path("name").asText());
          case "BOOKMARK" -> {
            // Only the version moves.
          }
          case "ERROR" -> {
            int code = object.path("code").asInt(0);
            throw new KubeApi.ApiException(
                code, "HTTP " + code + ": " + object.path("message").asText());
          }
          default -> throw new KubeApi.ApiException(0, "unknown watch event type '" + type + "'");
        }
        String rv = object.path("metadata").path("resourceVersion").asText("");
        if (!rv.isEmpty()) {
          version = rv;
        }
      }
      return version;
    } catch (IOException e) {
      if (stopped) {
        return version;
      }
      throw new KubeApi.ApiException(0, "watch stream broke: " + e.getMessage());
    } finally {
      open = null;
    }
  }

  private String query(String rest) {
    return fieldSelector.isEmpty()
        ? rest
        : "fieldSelector=" + URLEncoder.encode(fieldSelector, StandardCharsets.UTF_8) + "&" + rest;
  }

  private static boolean sleep(long ms) {
    try {
      Thread.sleep(ms);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
