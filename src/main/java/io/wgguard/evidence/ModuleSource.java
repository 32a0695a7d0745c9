package io.wgguard.evidence;

import java.util.Locale;

/**
 * Evidence that a node's kernel has the WireGuard module ready. Every configured source must hold.
 */
public enum ModuleSource {
  /** Felix published a public key for the family, so it created the WireGuard device. */
  KEY,
  /**
   * The node condition {@code WireGuardModuleReady} is {@code True} with a fresh heartbeat, written
   * by the wgguard node agent or Node Problem Detector.
   */
  CONDITION,
  /** A configured node label, e.g. from node-feature-discovery. */
  LABEL;

  /** The name used in configuration: {@code key}, {@code condition} or {@code label}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The source with this configuration name, in any case.
   *
   * @throws IllegalArgumentException for an unknown name
   */
  public static ModuleSource fromWire(String wire) {
    for (ModuleSource source : values()) {
      if (source.wire().equalsIgnoreCase(wire.strip())) {
        return source;
      }
    }
    throw new IllegalArgumentException(
        "module readiness source '" + wire + "' is not one of key, condition, label");
  }

  /** Reads the configuration's spelling; a bad value fails start-up naming the choices. */
  public static final class Converter
      implements org.eclipse.microprofile.config.spi.Converter<ModuleSource> {
    @Override
    public ModuleSource convert(String value) {
      return fromWire(value.strip());
    }
  }
}
