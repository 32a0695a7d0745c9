package io.wgguard.evidence;

/**
 * Why a node is not WireGuard-ready. The {@link #wire()} string is the value of the taint {@code
 * wgguard.io/wireguard-not-ready}: it is API.
 *
 * <p>The declaration order is the fixed order in which one reason is picked for the taint when a
 * node has several findings: key problems first, because Calico sends traffic to a node without a
 * usable key unencrypted, or to the wrong peer when the key is cloned; then missing module
 * evidence; then a missing interface address, with a key present the mildest sign. The tunnel
 * reasons come last: they taint only with {@code wgguard.checker.tunnel-evidence=enforce} (see
 * {@code io.wgguard.tunnels.TunnelPolicy}), and a key problem explains them.
 */
public enum NotReadyReason {
  /** A family is on but the node publishes no public key for it. */
  NO_PUBLIC_KEY("no-public-key"),
  /** The published key is not 44 characters of base64 for 32 bytes, or is all zero. */
  INVALID_PUBLIC_KEY("invalid-public-key"),
  /** Another node publishes the same key: a cloned key. */
  DUPLICATE_PUBLIC_KEY("duplicate-public-key"),
  /** A configured module readiness source does not hold. */
  MODULE_NOT_READY("module-not-ready"),
  /**
   * The node agent's Lease expired: the agent is gone (pod removed or crash-looping, node down, API
   * server unreachable from the node), so its condition and tunnel summary prove nothing now. Told
   * apart from {@link #MODULE_NOT_READY}, which the agent reports while it runs.
   */
  AGENT_SILENT("agent-silent"),
  /** The WireGuard interface address annotation is absent or not an address of the family. */
  NO_INTERFACE_ADDRESS("no-interface-address"),
  /**
   * The node's WireGuard device has another public key than the one the node publishes, or no
   * device exists: peers encrypt to a key nobody holds.
   */
  TUNNEL_KEY_MISMATCH("tunnel-key-mismatch"),
  /** The device lacks peers that the other WireGuard nodes' published keys call for. */
  PEERS_MISSING("peers-missing"),
  /** The device has peers whose keys no other node publishes. */
  PEERS_UNKNOWN("peers-unknown"),
  /**
   * Traffic was sent to a peer that has had no handshake within WireGuard's reject time (180 s):
   * the tunnel is configured but does not carry traffic (endpoint, UDP blocked, MTU).
   */
  HANDSHAKE_STALE("handshake-stale"),
  /** The WireGuard device exists but is not up: the kernel dropped the routes over it. */
  DEVICE_DOWN("device-down"),
  /**
   * Unencrypted pod traffic is not steered into the device: no rule {@code not fwmark M/M lookup T}
   * before the main table's, or the table lacks (or throws) a route for some peer's block.
   */
  ROUTE_BYPASS("route-bypass"),
  /** The peers' allowed-ips lack blocks affine to their nodes or their tunnel addresses. */
  ALLOWED_IPS_MISSING("allowed-ips-missing"),
  /** The device MTU exceeds the underlay's minus WireGuard's overhead (60 B IPv4, 80 B IPv6). */
  MTU_TOO_LARGE("mtu-too-large"),
  /**
   * The node agent's tunnel summary ({@code wgguard.io/tunnels}) is absent, unreadable, older than
   * the condition max age, or lacks a family WireGuard is on for: nothing proves the tunnels.
   */
  NO_TUNNEL_EVIDENCE("no-tunnel-evidence");

  private final String wire;

  NotReadyReason(String wire) {
    this.wire = wire;
  }

  /** The taint value, e.g. {@code no-public-key}. */
  public String wire() {
    return wire;
  }

  /** The reason with this taint value, or null when wgguard does not write that value. */
  public static NotReadyReason fromWire(String wire) {
    for (NotReadyReason reason : values()) {
      if (reason.wire.equals(wire)) {
        return reason;
      }
    }
    return null;
  }
}
