package io.wgguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  static Stream<Arguments> durations() {
    return Stream.of(
        Arguments.of("250ms", Duration.ofMillis(250)),
        Arguments.of("5s", Duration.ofSeconds(5)),
        Arguments.of(" 2m ", Duration.ofMinutes(2)),
        Arguments.of("1h", Duration.ofHours(1)),
        Arguments.of("7d", Duration.ofDays(7)));
  }

  @ParameterizedTest(name = "{0} is {1}")
  @MethodSource("durations")
  void readsTheSettingsSpelling(String text, Duration expected) {
    assertThat(Durations.parse(text)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "''{0}'' is refused")
  @ValueSource(strings = {"", "5", "s", "-5s", "1.5m", "PT5S", "5 s", "5w"})
  void refusesAnythingElse(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'%s' is not a duration such as 5s, 2m or 1h".formatted(text));
  }
}
