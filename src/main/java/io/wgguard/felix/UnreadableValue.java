package io.wgguard.felix;

/**
 * A guarded value present on an object that Felix cannot read, so Felix ignores it.
 *
 * @param field the field path, e.g. {@code spec.wireguardEnabled}
 * @param detail a sentence for people: the value and why Felix does not read it
 */
public record UnreadableValue(String field, String detail) {}
