package io.wgguard.felix;

import io.wgguard.FieldPath;

/** A FelixConfiguration field that switches WireGuard encryption on or off. */
public enum GuardedField {
  WIREGUARD_ENABLED("wireguardEnabled", "WireguardEnabled", "IPv4 pod traffic", "IPv4 WireGuard"),
  WIREGUARD_ENABLED_V6(
      "wireguardEnabledV6", "WireguardEnabledV6", "IPv6 pod traffic", "IPv6 WireGuard"),
  WIREGUARD_HOST_ENCRYPTION(
      "wireguardHostEncryptionEnabled",
      "WireguardHostEncryptionEnabled",
      "host traffic",
      "WireGuard host encryption");

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
