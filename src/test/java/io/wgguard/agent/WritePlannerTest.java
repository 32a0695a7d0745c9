package io.wgguard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wgguard.agent.ConditionPlanner.Condition;
import io.wgguard.agent.WritePlanner.Cadence;
import io.wgguard.agent.WritePlanner.Plan;
import io.wgguard.agent.WritePlanner.Round;
import io.wgguard.agent.WritePlanner.Why;
import io.wgguard.felix.IpFamily;
import io.wgguard.tunnels.summary.TunnelSummary;
import io.wgguard.tunnels.summary.TunnelSummary.Device;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WritePlannerTest {

  static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
  static final Instant LONG_AGO = NOW.minusSeconds(86_400);
  static final Cadence CADENCE =
      new Cadence(Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ofSeconds(60));
  static final String NODE = "worker-17";
  static final String DEV = TunnelPlannerTest.DEV;
  static final String A = TunnelPlannerTest.A;
  static final String B = TunnelPlannerTest.B;
  static final String C = TunnelPlannerTest.C;
  static final ModuleProbe.Result LOADED = new ModuleProbe.Result(true, "ModuleLoaded", "ok");
  static final ModuleProbe.Result MISSING = new ModuleProbe.Result(false, "ModuleMissing", "gone");

  static Condition written(Instant at) {
    return new Condition("True", "ModuleLoaded", "ok", at, LONG_AGO);
  }

  static Device device(int stale, String... peers) {
    List<String> named = stale == 0 ? List.of() : List.of(peers[0].substring(0, 8));
    return new Device(
        "wireguard.cali",
        true,
        DEV,
        51820,
        peers.length,
        TunnelSummary.peerDigest(List.of(peers)),
        stale,
        named);
  }

  static TunnelSummary summary(Instant at, Device v4) {
    return new TunnelSummary(at, "device", Map.of(IpFamily.V4, v4));
  }

  static final Device HEALTHY = device(0, A, B);
  static final Instant RECENT = NOW.minusSeconds(30);

  /** A node written {@code ago} ago with the healthy summary, read again now as {@code fresh}. */
  static Round round(Duration ago, ModuleProbe.Result probe, TunnelSummary fresh) {
    Instant at = NOW.minus(ago);
    return new Round(NODE, written(at), summary(at, HEALTHY).toJson(), probe, fresh, null);
  }

  static Stream<Arguments> plans() {
    Duration recently = Duration.ofSeconds(30);
    TunnelSummary same = summary(NOW, HEALTHY);
    return Stream.of(
        Arguments.of(
            "a node without the agent's condition is written",
            new Round(NODE, null, null, LOADED, same, null),
            Optional.of(Why.FIRST)),
        Arguments.of(
            "a condition someone wrote without times is taken over",
            new Round(
                NODE,
                new Condition("True", "ModuleLoaded", "ok", null, null),
                null,
                LOADED,
                same,
                null),
            Optional.of(Why.FIRST)),
        Arguments.of(
            "nothing changed since a write 30 s ago: the reading time alone is no change",
            round(recently, LOADED, same),
            Optional.empty()),
        Arguments.of(
            "the module went: written at once",
            round(recently, MISSING, same),
            Optional.of(Why.CONDITION_CHANGED)),
        Arguments.of(
            "only the condition's message changed: written at once",
            round(recently, new ModuleProbe.Result(true, "ModuleLoaded", "other"), same),
            Optional.of(Why.CONDITION_CHANGED)),
        Arguments.of(
            "the device disappeared: written at once",
            round(recently, LOADED, summary(NOW, Device.missing("wireguard.cali"))),
            Optional.of(Why.SUMMARY_CHANGED)),
        Arguments.of(
            "the device has a new key: written at once",
            round(
                recently,
                LOADED,
                summary(
                    NOW,
                    new Device(
                        "wireguard.cali",
                        true,
                        TunnelPlannerTest.OTHER_DEV,
                        51820,
                        2,
                        HEALTHY.peerDigest(),
                        0,
                        List.of()))),
            Optional.of(Why.SUMMARY_CHANGED)),
        Arguments.of(
            "a peer turned stale: written at once",
            round(recently, LOADED, summary(NOW, device(1, A, B))),
            Optional.of(Why.SUMMARY_CHANGED)),
        Arguments.of(
            "a second stale peer among stale ones: the stale set changed, written at once",
            new Round(
                NODE,
                written(RECENT),
                summary(RECENT, device(1, A, B)).toJson(),
                LOADED,
                summary(
                    NOW,
                    new Device(
                        "wireguard.cali",
                        true,
                        DEV,
                        51820,
                        2,
                        HEALTHY.peerDigest(),
                        2,
                        List.of("AAAAAAAA", "BBBBBBBB"))),
                null),
            Optional.of(Why.SUMMARY_CHANGED)),
        Arguments.of(
            "stale peers recovered: written at once",
            new Round(
                NODE,
                written(RECENT),
                summary(RECENT, device(1, A, B)).toJson(),
                LOADED,
                same,
                null),
            Optional.of(Why.SUMMARY_CHANGED)),
        Arguments.of(
            "a family switched on: written at once",
            round(
                recently,
                LOADED,
                new TunnelSummary(
                    NOW,
                    "device",
                    Map.of(IpFamily.V4, HEALTHY, IpFamily.V6, Device.missing("wg-v6.cali")))),
            Optional.of(Why.SUMMARY_CHANGED)),
        Arguments.of(
            "another tunnel source: written at once",
            round(
                recently,
                LOADED,
                new TunnelSummary(NOW, "felix-metrics", Map.of(IpFamily.V4, HEALTHY))),
            Optional.of(Why.SUMMARY_CHANGED)),
        Arguments.of(
            "no annotation yet: written",
            new Round(NODE, written(RECENT), null, LOADED, same, null),
            Optional.of(Why.SUMMARY_CHANGED)),
        Arguments.of(
            "an annotation that is not a summary: rewritten",
            new Round(NODE, written(RECENT), "{}", LOADED, same, null),
            Optional.of(Why.SUMMARY_CHANGED)),
        Arguments.of(
            "devices not read this round: the annotation is not judged",
            new Round(NODE, written(RECENT), null, LOADED, null, null),
            Optional.empty()),
        Arguments.of(
            "a peer joined, just seen: it waits for this node's part of the spread",
            round(recently, LOADED, summary(NOW, device(0, A, B, C))),
            Optional.empty()),
        Arguments.of(
            "a peer joined, seen a whole spread ago: written",
            new Round(
                NODE,
                written(RECENT),
                summary(RECENT, HEALTHY).toJson(),
                LOADED,
                summary(NOW, device(0, A, B, C)),
                NOW.minus(CADENCE.changeSpread())),
            Optional.of(Why.PEERS_CHANGED)),
        Arguments.of(
            "a peer joined while the module went: written at once",
            round(recently, MISSING, summary(NOW, device(0, A, B, C))),
            Optional.of(Why.CONDITION_CHANGED)),
        Arguments.of(
            "nothing changed for the report interval and its whole jitter: the forced report",
            round(CADENCE.longestSilence(), LOADED, same),
            Optional.of(Why.FORCED_REPORT)),
        Arguments.of(
            "nothing changed for a second less than the report interval: not yet",
            round(CADENCE.reportInterval().minusSeconds(1), LOADED, same),
            Optional.empty()),
        Arguments.of(
            "devices not read for long: the condition alone is reported",
            new Round(NODE, written(NOW.minus(CADENCE.longestSilence())), null, LOADED, null, null),
            Optional.of(Why.FORCED_REPORT)),
        Arguments.of(
            "an old annotation under a recent condition: the older of the two counts",
            new Round(
                NODE,
                written(RECENT),
                summary(NOW.minus(CADENCE.longestSilence()), HEALTHY).toJson(),
                LOADED,
                same,
                null),
            Optional.of(Why.FORCED_REPORT)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("plans")
  void writesOnChangeAndOnTheForcedReport(String description, Round round, Optional<Why> why) {
    assertThat(WritePlanner.plan(round, NOW, CADENCE).write()).isEqualTo(why);
  }

  @Test
  void aPeerChangeIsRememberedUntilWrittenAndForgottenOnceGone() {
    TunnelSummary joined = summary(NOW, device(0, A, B, C));
    Plan seen = WritePlanner.plan(round(Duration.ofSeconds(30), LOADED, joined), NOW, CADENCE);
    assertThat(seen.pendingSince()).isEqualTo(NOW);

    Round later =
        new Round(
            NODE,
            written(RECENT),
            summary(RECENT, HEALTHY).toJson(),
            LOADED,
            joined,
            seen.pendingSince());
    Instant afterSpread = NOW.plus(CADENCE.changeSpread());
    Plan written = WritePlanner.plan(later, afterSpread, CADENCE);
    assertThat(written)
        .isEqualTo(new Plan(Optional.of(Why.PEERS_CHANGED), null, written.reportDue()));

    Round left =
        new Round(
            NODE,
            written(RECENT),
            summary(RECENT, HEALTHY).toJson(),
            LOADED,
            summary(NOW, HEALTHY),
            NOW);
    assertThat(WritePlanner.plan(left, NOW.plusSeconds(1), CADENCE).pendingSince()).isNull();
  }

  /**
   * An idle node whose peers hand-shake every two minutes (so every reading shows other handshake
   * times) and whose agent reads the devices every 10 s, over three hours: the Node is written once
   * per forced report, each between 5 and 6 minutes after the last, never in between.
   */
  @Test
  void anIdleNodeWithMovingHandshakesIsWrittenOnlyByTheForcedReport() {
    Instant start = NOW;
    Condition condition = null;
    String annotation = null;
    WgDevice previous = null;
    List<Instant> writes = new ArrayList<>();
    Instant pending = null;
    for (Instant t = start; t.isBefore(start.plus(Duration.ofHours(3))); t = t.plusSeconds(10)) {
      Instant handshake = t.minusSeconds(t.getEpochSecond() % 120);
      WgDevice now =
          new WgDevice(
              "wireguard.cali",
              DEV,
              51820,
              List.of(
                  new WgDevice.Peer(
                      A, "192.0.2.1:51820", handshake, t.getEpochSecond(), t.getEpochSecond()),
                  new WgDevice.Peer(B, "192.0.2.2:51820", handshake.minusSeconds(7), 5, 9)));
      TunnelSummary fresh =
          new TunnelSummary(
              t,
              "device",
              Map.of(IpFamily.V4, TunnelPlanner.device("wireguard.cali", now, previous, t)));
      previous = now;
      Plan plan =
          WritePlanner.plan(
              new Round(NODE, condition, annotation, LOADED, fresh, pending), t, CADENCE);
      pending = plan.pendingSince();
      if (plan.write().isPresent()) {
        writes.add(t);
        condition = ConditionPlanner.next(condition, LOADED, t, Duration.ZERO).get();
        annotation = fresh.toJson();
      }
    }
    assertThat(writes.get(0)).isEqualTo(start);
    List<Duration> gaps = new ArrayList<>();
    for (int i = 1; i < writes.size(); i++) {
      gaps.add(Duration.between(writes.get(i - 1), writes.get(i)));
    }
    assertThat(gaps)
        .allSatisfy(
            gap ->
                assertThat(gap)
                    .isBetween(CADENCE.reportInterval(), CADENCE.longestSilence().plusSeconds(10)));
    // 3 hours at 5 to 6 minutes: 30 to 36 reports after the first write; no two gaps alike.
    assertThat(gaps).hasSizeBetween(30, 36);
    assertThat(gaps.stream().distinct().count()).isGreaterThan(1);
  }

  @Test
  void theJitterStaysInItsBoundsAndIsSpreadOverThem() {
    Duration whole = Duration.ofMinutes(1);
    List<Long> parts = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      Duration part =
          WritePlanner.part(whole, "node-" + i, NOW.plusSeconds(i % 7), 0x9e3779b97f4a7c15L);
      assertThat(part).isBetween(Duration.ZERO, whole.minusMillis(1));
      parts.add(part.toMillis());
    }
    // Ten buckets of six seconds, each with some 500 of the 5,000: none below 400 or above 600.
    List<Long> buckets = new ArrayList<>(java.util.Collections.nCopies(10, 0L));
    parts.forEach(p -> buckets.set((int) (p / 6_000), buckets.get((int) (p / 6_000)) + 1));
    assertThat(buckets).allSatisfy(n -> assertThat(n).isBetween(400L, 600L));
    assertThat(WritePlanner.part(whole, "node-1", NOW, 1))
        .as("the same inputs give the same part")
        .isEqualTo(WritePlanner.part(whole, "node-1", NOW, 1));
    assertThat(WritePlanner.part(Duration.ZERO, "node-1", NOW, 1)).isZero();
  }

  static Stream<Arguments> badCadences() {
    Duration fiveMinutes = Duration.ofMinutes(5);
    return Stream.of(
        Arguments.of(
            Duration.ZERO,
            Duration.ZERO,
            Duration.ZERO,
            "the report interval must be positive, not PT0S"),
        Arguments.of(
            fiveMinutes,
            Duration.ofMinutes(6),
            Duration.ZERO,
            "the report jitter must be between 0 and the report interval (PT5M), not PT6M"),
        Arguments.of(
            fiveMinutes,
            Duration.ZERO,
            Duration.ofSeconds(-1),
            "the change spread must be between 0 and the report interval (PT5M), not PT-1S"));
  }

  @ParameterizedTest(name = "{3}")
  @MethodSource("badCadences")
  void aCadenceOutOfRangeIsRefused(
      Duration interval, Duration jitter, Duration spread, String message) {
    assertThatThrownBy(() -> new Cadence(interval, jitter, spread))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }
}
