package io.wgguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Issue 23 point 9: override expiries read as RFC 3339 section 5.6 writes them. */
class Rfc3339Test {

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("the API server's form", "2026-12-01T18:00:00Z", "2026-12-01T18:00:00Z"),
        Arguments.of(
            "a space instead of T (RFC 3339 5.6 note)",
            "2026-12-01 18:00:00Z",
            "2026-12-01T18:00:00Z"),
        Arguments.of("lower-case t and z", "2026-12-01t18:00:00z", "2026-12-01T18:00:00Z"),
        Arguments.of("a numeric offset", "2026-12-01T19:30:00+01:30", "2026-12-01T18:00:00Z"),
        Arguments.of("fractional seconds", "2026-12-01T18:00:00.25Z", "2026-12-01T18:00:00.250Z"),
        Arguments.of("a leap second", "2016-12-31T23:59:60Z", "2017-01-01T00:00:00Z"),
        Arguments.of("no offset", "2026-12-01T18:00:00", null),
        Arguments.of("a day the month lacks", "2026-02-30T18:00:00Z", null),
        Arguments.of("second 61", "2026-12-01T18:00:61Z", null),
        Arguments.of("words", "tomorrow", null));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("cases")
  void parses(String sentence, String text, String instant) {
    assertThat(Rfc3339.parse(text)).isEqualTo(instant == null ? null : Instant.parse(instant));
  }
}
