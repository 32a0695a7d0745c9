package io.wgguard.felix;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code creationTimestamp}: the API server's one form is read without the general parser, and
 * every other form still reads as {@link Instant#parse} reads it (or not at all).
 */
class FelixObjectsTimeTest {

  static final ObjectMapper JSON = new ObjectMapper();

  static Instant created(String timestamp) throws Exception {
    return FelixObjects.read(
            JSON.readTree(
                "{\"kind\":\"FelixConfiguration\",\"metadata\":{\"name\":\"default\","
                    + "\"creationTimestamp\":\""
                    + timestamp
                    + "\"}}"))
        .created();
  }

  @Test
  void theApiServersFormReadsAsInstantParseReadsIt() {
    SplittableRandom random = new SplittableRandom(20261129);
    for (int i = 0; i < 100_000; i++) {
      Instant t =
          Instant.ofEpochSecond(random.nextLong(0, 253_402_300_799L)) // up to 9999-12-31
              .truncatedTo(ChronoUnit.SECONDS);
      String text = t.toString();
      assertThat(FelixObjects.kubernetesTime(text)).as(text).isEqualTo(t);
    }
  }

  @ParameterizedTest(name = "{0} reads as {1}")
  @CsvSource({
    "2026-11-01T09:00:00Z, 2026-11-01T09:00:00Z",
    "2024-02-29T23:59:59Z, 2024-02-29T23:59:59Z",
    "2026-11-01T09:00:00.5Z, 2026-11-01T09:00:00.500Z",
    "2026-11-01T10:00:00+01:00, 2026-11-01T09:00:00Z",
    "2026-11-01T24:00:00Z, 2026-11-02T00:00:00Z",
  })
  void otherValidFormsFallBackToTheGeneralParser(String text, String expected) throws Exception {
    assertThat(created(text)).isEqualTo(Instant.parse(expected));
  }

  @ParameterizedTest(name = "{0} is no time")
  @CsvSource({
    "2025-02-29T09:00:00Z",
    "2026-13-01T09:00:00Z",
    "2026-00-01T09:00:00Z",
    "2026-11-31T09:00:00Z",
    "2026-11-01T09:60:00Z",
    "2026-11-01T09:00:60Z",
    "2026-11-01T0x:00:00Z",
    "2026-11-01 09:00:00Z",
    "yesterday",
  })
  void invalidTimesAreAbsent(String text) throws Exception {
    assertThat(FelixObjects.kubernetesTime(text)).isNull();
    assertThat(created(text)).isNull();
  }
}
