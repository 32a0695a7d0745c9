package io.wgguard.felix;

import java.util.List;

/**
 * What one FelixConfiguration asserts for one guarded field.
 *
 * @param asserts true or false, or null when the object asserts nothing (the field inherits)
 * @param source field path the assertion comes from, empty when it asserts nothing
 * @param raw the value as written, empty when absent
 * @param invalid values present but unreadable, as one sentence each
 * @param fingerprint every raw source of the field plus the scope: equal fingerprints mean the
 *     write did not touch the field
 */
public record FieldReading(
    Boolean asserts, String source, String raw, List<UnreadableValue> invalid, String fingerprint) {

  public FieldReading {
    invalid = List.copyOf(invalid);
  }

  /** The fingerprint of a field with these raw sources ({@code path=value}) in this scope. */
  public static String fingerprint(Scope scope, List<String> sources) {
    return scope.code() + "|" + String.join("|", sources);
  }

  /** True when the object asserts that the field is off. */
  public boolean assertsFalse() {
    return Boolean.FALSE.equals(asserts);
  }

  /** True when the object asserts that the field is on. */
  public boolean assertsTrue() {
    return Boolean.TRUE.equals(asserts);
  }
}
