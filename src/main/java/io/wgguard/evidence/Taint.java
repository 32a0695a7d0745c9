package io.wgguard.evidence;

import io.wgguard.Names;

/**
 * One taint with wgguard's key {@code wgguard.io/wireguard-not-ready}, as found on a node or as
 * planned. Fields are kept as the API server writes them, so a taint edited by hand (say to {@code
 * PreferNoSchedule}) is still seen, and replaced.
 *
 * @param value the taint value; wgguard writes a {@link NotReadyReason#wire()} string
 * @param effect {@code NoSchedule}, {@code NoExecute} or, when edited by hand, another effect
 */
public record Taint(String value, String effect) {

  public Taint {
    value = value == null ? "" : value;
    effect = effect == null ? "" : effect;
  }

  /** The taint wgguard puts on a node that is not ready for this reason. */
  public static Taint of(NotReadyReason reason, TaintEffect effect) {
    return new Taint(reason.wire(), effect.wire());
  }

  /** As kubectl shows it, e.g. {@code wgguard.io/wireguard-not-ready=no-public-key:NoSchedule}. */
  public String describe() {
    return Names.NOT_READY_TAINT + "=" + value + ":" + effect;
  }
}
