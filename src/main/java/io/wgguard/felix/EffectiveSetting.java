package io.wgguard.felix;

/**
 * Whether a guarded field (WireGuard for one IP family, or host encryption) is on for one node (or
 * cluster-wide), and which FelixConfiguration (or calico-node environment variable) decided it.
 *
 * @param field the guarded field
 * @param enabled the effective value
 * @param level the precedence level that decided
 * @param object name of the deciding FelixConfiguration, {@code namespace/name} of the DaemonSet
 *     for {@link Level#ENVIRONMENT}, empty for {@link Level#BUILT_IN}
 * @param source field path the value comes from, e.g. {@code spec.wireguardEnabled} or {@code
 *     metadata.annotations[config.projectcalico.org/WireguardEnabled]}, the variable for {@link
 *     Level#ENVIRONMENT} (e.g. {@code FELIX_WIREGUARDENABLED}); empty for {@link Level#BUILT_IN}
 */
public record EffectiveSetting(
    GuardedField field, boolean enabled, Level level, String object, String source) {

  /** Calico's precedence levels visible to wgguard, highest first. */
  public enum Level {
    /**
     * A {@code FELIX_*} variable on the calico-node container of a DaemonSet running on the node.
     */
    ENVIRONMENT,
    /** {@code node.<nodeName>}. */
    NODE,
    /** The oldest selector-scoped object whose {@code spec.nodeSelector} matches the node. */
    SELECTOR,
    /** {@code default}. */
    DEFAULT,
    /** No object asserts the field: Felix's built-in false. */
    BUILT_IN
  }

  /** The built-in value: off, but on for IPv6 support ({@link GuardedField#felixDefault}). */
  static EffectiveSetting builtIn(GuardedField field) {
    return new EffectiveSetting(field, field.felixDefault(), Level.BUILT_IN, "", "");
  }

  /** The IP family the field switches, null for host encryption. */
  public IpFamily family() {
    return IpFamily.of(field);
  }

  /**
   * Where the value comes from, e.g. {@code FelixConfiguration default (spec.wireguardEnabled)}.
   */
  public String origin() {
    return switch (level) {
      case BUILT_IN -> "the built-in default";
      case ENVIRONMENT -> "%s on DaemonSet %s".formatted(source, object);
      default -> "FelixConfiguration " + object + " (" + source + ")";
    };
  }

  /**
   * A phrase for messages, e.g. {@code IPv4 WireGuard is on by FelixConfiguration default
   * (spec.wireguardEnabled)}.
   */
  public String describe() {
    String state = field.label() + " is " + (enabled ? "on" : "off");
    if (level == Level.BUILT_IN) {
      return state + " (built-in default; no FelixConfiguration sets it)";
    }
    if (level == Level.ENVIRONMENT) {
      return "%s is forced %s by %s on DaemonSet %s"
          .formatted(field.label(), enabled ? "on" : "off", source, object);
    }
    return state + " by FelixConfiguration " + object + " (" + source + ")";
  }
}
