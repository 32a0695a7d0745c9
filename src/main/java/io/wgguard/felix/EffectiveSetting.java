package io.wgguard.felix;

/**
 * Whether WireGuard is on for one IP family on one node (or cluster-wide), and which
 * FelixConfiguration decided it.
 *
 * @param family the IP family
 * @param enabled the effective value
 * @param level the precedence level that decided
 * @param object name of the deciding FelixConfiguration, empty for {@link Level#BUILT_IN}
 * @param source field path the value comes from, e.g. {@code spec.wireguardEnabled} or {@code
 *     metadata.annotations[config.projectcalico.org/WireguardEnabled]}; empty for {@link
 *     Level#BUILT_IN}
 */
public record EffectiveSetting(
    IpFamily family, boolean enabled, Level level, String object, String source) {

  /** Calico's precedence levels visible to wgguard, highest first. */
  public enum Level {
    /** {@code node.<nodeName>}. */
    NODE,
    /** The oldest selector-scoped object whose {@code spec.nodeSelector} matches the node. */
    SELECTOR,
    /** {@code default}. */
    DEFAULT,
    /** No object asserts the field: Felix's built-in false. */
    BUILT_IN
  }

  /** The built-in value: off. */
  static EffectiveSetting builtIn(IpFamily family) {
    return new EffectiveSetting(family, false, Level.BUILT_IN, "", "");
  }

  /**
   * A phrase for messages, e.g. {@code IPv4 WireGuard is on by FelixConfiguration default
   * (spec.wireguardEnabled)}.
   */
  public String describe() {
    String state = family.label() + " WireGuard is " + (enabled ? "on" : "off");
    if (level == Level.BUILT_IN) {
      return state + " (built-in default; no FelixConfiguration sets it)";
    }
    return state + " by FelixConfiguration " + object + " (" + source + ")";
  }
}
