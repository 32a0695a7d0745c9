package io.wgguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.agent.ConditionPlanner.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConditionPlannerTest {

  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  static final Instant EARLIER = NOW.minusSeconds(30);
  static final Instant LONG_AGO = NOW.minusSeconds(3600);
  static final Duration HEARTBEAT = Duration.ofSeconds(60);
  static final ModuleProbe.Result LOADED = new ModuleProbe.Result(true, "ModuleLoaded", "ok");
  static final ModuleProbe.Result MISSING = new ModuleProbe.Result(false, "ModuleMissing", "gone");

  static Condition cond(
      String status, String reason, String message, Instant beat, Instant transition) {
    return new Condition(status, reason, message, beat, transition);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "a node without the condition gets it",
            null,
            LOADED,
            Optional.of(cond("True", "ModuleLoaded", "ok", NOW, NOW))),
        Arguments.of(
            "an unchanged, fresh condition is not rewritten",
            cond("True", "ModuleLoaded", "ok", EARLIER, LONG_AGO),
            LOADED,
            Optional.empty()),
        Arguments.of(
            "a due heartbeat rewrites it and keeps the transition time",
            cond("True", "ModuleLoaded", "ok", NOW.minus(HEARTBEAT), LONG_AGO),
            LOADED,
            Optional.of(cond("True", "ModuleLoaded", "ok", NOW, LONG_AGO))),
        Arguments.of(
            "a status change is written at once with a new transition time",
            cond("True", "ModuleLoaded", "ok", EARLIER, LONG_AGO),
            MISSING,
            Optional.of(cond("False", "ModuleMissing", "gone", NOW, NOW))),
        Arguments.of(
            "a new message alone is written, transition kept",
            cond("True", "ModuleLoaded", "old", EARLIER, LONG_AGO),
            LOADED,
            Optional.of(cond("True", "ModuleLoaded", "ok", NOW, LONG_AGO))),
        Arguments.of(
            "a condition written by someone else without times is taken over",
            cond("True", "ModuleLoaded", "ok", null, null),
            LOADED,
            Optional.of(cond("True", "ModuleLoaded", "ok", NOW, NOW))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void plans(
      String sentence, Condition current, ModuleProbe.Result probe, Optional<Condition> expected) {
    assertThat(ConditionPlanner.next(current, probe, NOW, HEARTBEAT)).isEqualTo(expected);
  }
}
