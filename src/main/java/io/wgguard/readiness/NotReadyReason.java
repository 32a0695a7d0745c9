package io.wgguard.readiness;

/**
 * Why a node is not WireGuard-ready. The {@link #wire()} string is the value of the taint {@code
 * wgguard.io/wireguard-not-ready}: it is API.
 *
 * <p>The declaration order is the fixed order in which one reason is picked for the taint when a
 * node has several findings: key problems first, because Calico sends traffic to a node without a
 * usable key unencrypted, or to the wrong peer when the key is cloned; then missing module
 * evidence; then a missing interface address, with a key present the mildest sign.
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
  /** The WireGuard interface address annotation is absent or not an address of the family. */
  NO_INTERFACE_ADDRESS("no-interface-address");

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
