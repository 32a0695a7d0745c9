package io.wgguard;

import java.time.Duration;

/** Durations as wgguard's settings spell them ({@code 5s}, {@code 2m}, {@code 1h}). */
public final class Durations {

  private Durations() {}

  /**
   * A whole number and a unit ({@code ms}, {@code s}, {@code m}, {@code h}, {@code d}), as the
   * defaults of the settings records are written, so each default is written once and SmallRye
   * Config reads the same text.
   *
   * @throws IllegalArgumentException for anything else
   */
  public static Duration parse(String text) {
    var match = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h|d)").matcher(text.strip());
    if (!match.matches()) {
      throw new IllegalArgumentException(
          "'%s' is not a duration such as 5s, 2m or 1h".formatted(text));
    }
    long n = Long.parseLong(match.group(1));
    return switch (match.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }
}
