package io.wgguard.felix;

import java.util.Locale;

/** Felix's reading of a boolean configuration value given as text (annotations, env vars). */
final class FelixBool {

  private FelixBool() {}

  /**
   * True, false, or null when Felix would not accept the text, exactly as Felix's BoolParam
   * (case-insensitive, no trimming); {@code none} is the zero value.
   */
  static Boolean parse(String raw) {
    if (raw == null) {
      return null;
    }
    return switch (raw.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "y", "t" -> true;
      case "false", "0", "no", "n", "f", "none" -> false;
      default -> null;
    };
  }
}
