package io.wgguard.policy;

/**
 * One reason a write is refused or flagged.
 *
 * @param field the field path, e.g. {@code spec.wireguardEnabled}
 * @param type what kind of problem
 * @param detail a sentence for people
 */
public record Violation(String field, Type type, String detail) {

  /** Kinds of violation. */
  public enum Type {
    /** The write switches a guarded field off. */
    DISABLES,
    /** A guarded value cannot be read (Felix would ignore or reject it). */
    INVALID_VALUE,
    /** No {@code wgguard.io/override} label. */
    OVERRIDE_MISSING,
    /**
     * The override label was already on the object before this write and no unexpired {@code
     * wgguard.io/override-expires} keeps it open: an override counts for the write that sets it.
     */
    OVERRIDE_STALE,
    /** The ticket does not match the configured pattern. */
    OVERRIDE_TICKET_INVALID,
    /** {@code wgguard.io/override-expires} is required but absent. */
    OVERRIDE_EXPIRY_MISSING,
    /** {@code wgguard.io/override-expires} is not RFC 3339. */
    OVERRIDE_EXPIRY_INVALID,
    /** {@code wgguard.io/override-expires} is in the past. */
    OVERRIDE_EXPIRED,
    /** {@code wgguard.io/override-expires} lies beyond the maximum window. */
    OVERRIDE_WINDOW_TOO_LONG,
    /** The requester is not among the approved users or groups. */
    REQUESTER_NOT_APPROVED,
    /** A guarded variable is taken from a ConfigMap, Secret or field that admission cannot read. */
    NOT_JUDGEABLE,
    /** A pod is pinned to a node that is not WireGuard-ready. */
    NODE_NOT_READY
  }
}
