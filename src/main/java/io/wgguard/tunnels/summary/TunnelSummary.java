package io.wgguard.tunnels.summary;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wgguard.Json;
import io.wgguard.Messages;
import io.wgguard.felix.IpFamily;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * What the node agent saw of the node's WireGuard devices, as it publishes it in the node
 * annotation {@code wgguard.io/tunnels}: one small JSON object per node, whatever the number of
 * peers, so that 65,000 nodes cost the API server no more than heartbeats do.
 *
 * <p>The peers are summarised by a digest of their public keys: the checker computes the same
 * digest from the keys the other nodes publish and compares, without anyone shipping peer lists.
 *
 * <pre>{@code
 * {"v":1,"at":"2026-11-30T15:00:00Z","source":"device",
 *  "families":{"IPv4":{"interface":"wireguard.cali","present":true,"publicKey":"...=",
 *   "listenPort":51820,"peers":2,"peerDigest":"0f3a...","handshakeStale":1,"stalePeers":["HmNsTyzg"],
 *   "path":{"up":true,"mtu":1440,"underlayMtu":1500,"fwmark":1048576,"rule":99,"table":1,
 *    "mainRule":32766,"routes":2,"routeDigest":"...","throws":1,"throwCidrs":["10.0.1.0/26"],
 *    "allowedIps":4,"allowedDigest":"...","hostIps":0}}}}
 * }</pre>
 *
 * @param at when the agent read the devices
 * @param source {@code device} ({@code wg show <interface> dump}) or {@code felix-metrics} (Felix's
 *     Prometheus endpoint)
 * @param devices per family WireGuard is on for on the node, what its device showed
 */
public record TunnelSummary(Instant at, String source, Map<IpFamily, Device> devices) {

  /** Format version written in {@code v}; a summary of another version is not read. */
  public static final int VERSION = 1;

  /** At most this many stale peers are named, by the first characters of their keys. */
  public static final int MAX_NAMED_PEERS = 3;

  /** Characters of a peer's public key used to name it. */
  public static final int PEER_NAME_LENGTH = 8;

  public TunnelSummary {
    devices = devices.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(devices));
  }

  /**
   * One family's WireGuard device.
   *
   * @param iface the interface name read (from the effective FelixConfiguration)
   * @param present whether the device exists; the other fields are empty or zero when not
   * @param publicKey the device's public key, empty when absent
   * @param listenPort the device's UDP listen port, 0 when unknown
   * @param peers how many peers the device has
   * @param peerDigest {@link #peerDigest} of the peers' public keys
   * @param handshakeStale how many peers traffic was sent to since the previous reading while their
   *     latest handshake is older than WireGuard's reject time (180 s), or never happened
   * @param stalePeers up to {@link #MAX_NAMED_PEERS} of those, each named by the first {@link
   *     #PEER_NAME_LENGTH} characters of its public key
   * @param path how traffic is steered into the device ({@link DevicePath}), null when the source
   *     does not show it ({@code felix-metrics}) or the device is absent
   */
  public record Device(
      String iface,
      boolean present,
      String publicKey,
      int listenPort,
      int peers,
      String peerDigest,
      int handshakeStale,
      List<String> stalePeers,
      DevicePath path) {

    public Device {
      iface = iface == null ? "" : iface;
      publicKey = publicKey == null ? "" : publicKey;
      peerDigest = peerDigest == null ? "" : peerDigest;
      stalePeers = List.copyOf(stalePeers);
    }

    /** A device without path evidence (Felix's metrics show no routes). */
    public Device(
        String iface,
        boolean present,
        String publicKey,
        int listenPort,
        int peers,
        String peerDigest,
        int handshakeStale,
        List<String> stalePeers) {
      this(
          iface,
          present,
          publicKey,
          listenPort,
          peers,
          peerDigest,
          handshakeStale,
          stalePeers,
          null);
    }

    /** A device that does not exist. */
    public static Device missing(String iface) {
      return new Device(iface, false, "", 0, 0, TunnelSummary.peerDigest(List.of()), 0, List.of());
    }

    /** This device with its path evidence. */
    public Device withPath(DevicePath path) {
      return new Device(
          iface,
          present,
          publicKey,
          listenPort,
          peers,
          peerDigest,
          handshakeStale,
          stalePeers,
          path);
    }

    /**
     * This device with the peer set ({@code peers}, {@code peerDigest}) of {@code other}, and the
     * parts of its path that follow the peer set (the WireGuard table's routes and the peers'
     * allowed-ips: a new IPAM block changes them on every node at once).
     */
    public Device withPeerSetOf(Device other) {
      DevicePath merged =
          path == null || other.path == null ? path : path.withPeerRoutesOf(other.path);
      return new Device(
          iface,
          present,
          publicKey,
          listenPort,
          other.peers,
          other.peerDigest,
          handshakeStale,
          stalePeers,
          merged);
    }
  }

  /**
   * Whether this summary says the same as {@code other}: the same source, families, devices, keys,
   * peer sets, stale peers, paths (and whatever else a device records). Only {@code at}, the time
   * of the reading, is left out, so a summary read again a minute later is the same state. The node
   * agent writes the annotation only when this turns false (or its forced report is due), so a
   * field added to {@link Device} is part of the state by default; one that moves on its own (a
   * handshake time, a byte counter) must not be added to {@link Device}, or must be left out here.
   */
  public boolean sameState(TunnelSummary other) {
    return other != null && source.equals(other.source) && devices.equals(other.devices);
  }

  /**
   * This summary with each device's peer set (and the path parts that follow it) taken from {@code
   * other} where {@code other} has the same family: {@code sameState} of the result tells whether
   * anything besides the peer sets differs.
   */
  public TunnelSummary withPeerSetsOf(TunnelSummary other) {
    Map<IpFamily, Device> merged = new EnumMap<>(IpFamily.class);
    devices.forEach(
        (family, device) -> {
          Device theirs = other.devices.get(family);
          merged.put(family, theirs == null ? device : device.withPeerSetOf(theirs));
        });
    return new TunnelSummary(at, source, merged);
  }

  /**
   * The digest of a set of WireGuard public keys, as {@link PeerDigest#hex()}: the sum modulo 2^128
   * of the first 16 bytes of each distinct key's SHA-256, in 32 lower-case hex digits. Order and
   * repetition do not matter; the checker derives the digest of "every key but one" by subtraction.
   */
  public static String peerDigest(Collection<String> publicKeys) {
    PeerDigest sum = PeerDigest.EMPTY;
    for (String key : new HashSet<>(publicKeys)) {
      sum = sum.plus(PeerDigest.of(key));
    }
    return sum.hex();
  }

  /** The compact JSON the agent writes into the annotation. */
  public String toJson() {
    ObjectNode root = Json.object();
    root.put("v", VERSION);
    root.put("at", at.toString());
    root.put("source", source);
    ObjectNode families = root.putObject("families");
    for (IpFamily family : IpFamily.values()) {
      Device d = devices.get(family);
      if (d == null) {
        continue;
      }
      ObjectNode node = families.putObject(family.label());
      node.put("interface", d.iface());
      node.put("present", d.present());
      node.put("publicKey", d.publicKey());
      node.put("listenPort", d.listenPort());
      node.put("peers", d.peers());
      node.put("peerDigest", d.peerDigest());
      node.put("handshakeStale", d.handshakeStale());
      ArrayNode stale = node.putArray("stalePeers");
      d.stalePeers().forEach(stale::add);
      if (d.path() != null) {
        d.path().write(node.putObject("path"));
      }
    }
    return Json.write(root);
  }

  /**
   * Reads an annotation value.
   *
   * @throws IllegalArgumentException naming what is wrong, for anything that is not a summary of
   *     {@link #VERSION}
   */
  public static TunnelSummary parse(String json) {
    JsonNode root;
    try {
      root = Json.read(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("is not JSON");
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("is not a JSON object");
    }
    if (root.path("v").asInt(-1) != VERSION) {
      throw new IllegalArgumentException(
          "has version '" + Messages.clip(root.path("v").asText()) + "', expected " + VERSION);
    }
    Instant at;
    try {
      at = Instant.parse(text(root, "at"));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("has no RFC 3339 time in 'at'");
    }
    String source = text(root, "source");
    JsonNode families = root.path("families");
    if (!families.isObject()) {
      throw new IllegalArgumentException("has no 'families' object");
    }
    Map<IpFamily, Device> devices = new EnumMap<>(IpFamily.class);
    for (IpFamily family : IpFamily.values()) {
      JsonNode d = families.get(family.label());
      if (d == null) {
        continue;
      }
      if (!d.isObject()) {
        throw new IllegalArgumentException("families." + family.label() + " is not an object");
      }
      List<String> stale = new ArrayList<>();
      for (JsonNode peer : d.path("stalePeers")) {
        stale.add(peer.asText());
      }
      devices.put(
          family,
          new Device(
              d.path("interface").asText(""),
              d.path("present").asBoolean(false),
              d.path("publicKey").asText(""),
              count(d, family, "listenPort"),
              count(d, family, "peers"),
              d.path("peerDigest").asText(""),
              count(d, family, "handshakeStale"),
              stale,
              d.has("path")
                  ? DevicePath.read(d.get("path"), "families." + family.label() + ".path")
                  : null));
    }
    return new TunnelSummary(at, source, devices);
  }

  private static int count(JsonNode device, IpFamily family, String field) {
    JsonNode value = device.get(field);
    if (value == null) {
      return 0;
    }
    if (!value.canConvertToInt() || value.asInt() < 0) {
      throw new IllegalArgumentException(
          "families." + family.label() + "." + field + " is not a count");
    }
    return value.asInt();
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("has no string '" + field + "'");
    }
    return value.asText();
  }
}
