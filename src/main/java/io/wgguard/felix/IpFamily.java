package io.wgguard.felix;

import io.wgguard.Names;

/**
 * An IP family WireGuard can encrypt, with the Felix field and node annotations that go with it.
 */
public enum IpFamily {
  V4("IPv4", GuardedField.WIREGUARD_ENABLED, Names.PUBLIC_KEY_V4, Names.INTERFACE_ADDR_V4),
  V6("IPv6", GuardedField.WIREGUARD_ENABLED_V6, Names.PUBLIC_KEY_V6, Names.INTERFACE_ADDR_V6);

  private final String label;
  private final GuardedField field;
  private final String keyAnnotation;
  private final String addressAnnotation;

  IpFamily(String label, GuardedField field, String keyAnnotation, String addressAnnotation) {
    this.label = label;
    this.field = field;
    this.keyAnnotation = keyAnnotation;
    this.addressAnnotation = addressAnnotation;
  }

  /**
   * The family a guarded field switches, null for a field that is no family's (host encryption).
   */
  public static IpFamily of(GuardedField field) {
    for (IpFamily family : values()) {
      if (family.field == field) {
        return family;
      }
    }
    return null;
  }

  /** {@code IPv4} or {@code IPv6}, for messages. */
  public String label() {
    return label;
  }

  /** The FelixConfiguration field that switches WireGuard on for this family. */
  public GuardedField field() {
    return field;
  }

  /** Node annotation in which Felix publishes the public key of this family. */
  public String keyAnnotation() {
    return keyAnnotation;
  }

  /** Node annotation in which Felix publishes the WireGuard interface address of this family. */
  public String addressAnnotation() {
    return addressAnnotation;
  }
}
