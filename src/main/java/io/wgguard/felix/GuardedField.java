package io.wgguard.felix;

import io.wgguard.FieldPath;

/**
 * A FelixConfiguration field that switches WireGuard encryption on or off, or decides whether it
 * can be on at all ({@link #IPV6_SUPPORT}).
 */
public enum GuardedField {
  WIREGUARD_ENABLED("wireguardEnabled", "WireguardEnabled", "IPv4 pod traffic", "IPv4 WireGuard"),
  WIREGUARD_ENABLED_V6(
      "wireguardEnabledV6", "WireguardEnabledV6", "IPv6 pod traffic", "IPv6 WireGuard"),
  WIREGUARD_HOST_ENCRYPTION(
      "wireguardHostEncryptionEnabled",
      "WireguardHostEncryptionEnabled",
      "host traffic",
      "WireGuard host encryption"),
  /**
   * Felix's IPv6 support, on unless set ({@code felix/config/config_params.go}: {@code Ipv6Support
   * bool `config:"bool;true"`}), layered like the others. Without it Felix builds no IPv6 dataplane
   * and so no IPv6 WireGuard device ({@code felix/dataplane/driver.go} passes it as {@code
   * IPv6Enabled}; {@code felix/dataplane/linux/int_dataplane.go} creates the IPv6 WireGuard manager
   * only when it is set): {@link EffectiveWireguard} reads IPv6 WireGuard as off wherever it is
   * off, whatever {@code wireguardEnabledV6} says. Calico's manifests ship {@code
   * FELIX_IPV6SUPPORT=false}.
   */
  IPV6_SUPPORT("ipv6Support", "Ipv6Support", "IPv6 pod traffic", "Felix's IPv6 support");

  private final String specField;
  private final String felixParam;
  private final String covers;
  private final String label;

  GuardedField(String specField, String felixParam, String covers, String label) {
    this.specField = specField;
    this.felixParam = felixParam;
    this.covers = covers;
    this.label = label;
  }

  /** Felix's value when no source sets the field: true for IPv6 support, false for the rest. */
  public boolean felixDefault() {
    return this == IPV6_SUPPORT;
  }

  /** What the field switches, for messages, e.g. {@code IPv4 WireGuard}. */
  public String label() {
    return label;
  }

  /** Field name under {@code spec}, e.g. {@code wireguardEnabled}. */
  public String specField() {
    return specField;
  }

  /** Felix parameter name as used in {@code config.projectcalico.org/<name>} annotations. */
  public String felixParam() {
    return felixParam;
  }

  /** What the field encrypts, for messages. */
  public String covers() {
    return covers;
  }

  /** Path of the spec field, e.g. {@code spec.wireguardEnabled}. */
  public String specPath() {
    return FieldPath.spec(specField);
  }
}
