package io.wgguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrafficBaselineTest {

  static final Instant T0 = Instant.parse("2026-11-30T15:00:00Z");

  static WgDevice device(String key, long tx) {
    return new WgDevice(
        "wg0", key, 51820, List.of(new WgDevice.Peer("peer-key", "10.0.0.2:51820", null, 0, tx)));
  }

  @Test
  void readingsEveryTwoSecondsAreComparedWithOneAtLeastFifteenSecondsOld() {
    TrafficBaseline baseline = new TrafficBaseline();
    for (int s = 0; s <= 30; s += 2) {
      baseline.record("wg0", device("key", s * 100L), T0.plusSeconds(s));
    }

    // At 32 s the newest reading at least 15 s old is the one of 16 s, not the one of 30 s: a
    // failing peer's retries (every 5 s) always fall inside that window.
    assertThat(baseline.baseline("wg0", T0.plusSeconds(32)).peers().get(0).txBytes())
        .isEqualTo(1600L);
  }

  @Test
  void beforeFifteenSecondsTheOldestReadingIsTheBaseline() {
    TrafficBaseline baseline = new TrafficBaseline();
    baseline.record("wg0", device("key", 100), T0);
    baseline.record("wg0", device("key", 200), T0.plusSeconds(5));

    assertThat(baseline.baseline("wg0", T0.plusSeconds(10)).peers().get(0).txBytes())
        .isEqualTo(100L);
  }

  @Test
  void aNewKeyOrAGoneDeviceForgetsTheCounters() {
    TrafficBaseline baseline = new TrafficBaseline();
    baseline.record("wg0", device("old-key", 100), T0);
    baseline.record("wg0", device("new-key", 5), T0.plusSeconds(20));
    assertThat(baseline.baseline("wg0", T0.plusSeconds(40)).publicKey()).isEqualTo("new-key");

    baseline.record("wg0", null, T0.plusSeconds(50));
    assertThat(baseline.baseline("wg0", T0.plusSeconds(60))).isNull();
  }
}
