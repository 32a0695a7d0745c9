package io.wgguard.evidence;

/** The effect wgguard gives its taint. */
public enum TaintEffect {
  /** New pods are not scheduled on the node; running pods stay. The default. */
  NO_SCHEDULE("NoSchedule"),
  /** New pods are not scheduled and running pods without a toleration are evicted. */
  NO_EXECUTE("NoExecute");

  private final String wire;

  TaintEffect(String wire) {
    this.wire = wire;
  }

  /** The effect as Kubernetes spells it. */
  public String wire() {
    return wire;
  }

  /**
   * The effect with this Kubernetes spelling.
   *
   * @throws IllegalArgumentException for anything but {@code NoSchedule} or {@code NoExecute}
   */
  public static TaintEffect fromWire(String wire) {
    for (TaintEffect effect : values()) {
      if (effect.wire.equals(wire)) {
        return effect;
      }
    }
    throw new IllegalArgumentException(
        "taint effect '" + wire + "' is not supported; use NoSchedule or NoExecute");
  }

  /** Reads the configuration's spelling; a bad value fails start-up naming the choices. */
  public static final class Converter
      implements org.eclipse.microprofile.config.spi.Converter<TaintEffect> {
    @Override
    public TaintEffect convert(String value) {
      return fromWire(value.strip());
    }
  }
}
