package io.wgguard.pass;

import static io.wgguard.felix.Felix.felix;
import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.felix.Felix;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StandingOverrideTest {

  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "a label covering a switch-off in force is active",
            felix("default").wireguard(false).override("CHG-1"),
            "default CHG-1 active: the object switches IPv4 WireGuard off cluster-wide under this"
                + " ticket"),
        Arguments.of(
            "a label left after WireGuard came back on is stale",
            felix("default").wireguard(true).override("CHG-1"),
            "default CHG-1 stale: the object no longer switches WireGuard off; remove the label"),
        Arguments.of(
            "a label whose expiry passed is stale, even while WireGuard is still off",
            felix("node.worker1")
                .wireguard(false)
                .override("CHG-2")
                .expires("2026-11-25T11:00:00Z"),
            "node.worker1 CHG-2 stale: the override expired at 2026-11-25T11:00:00Z; remove the"
                + " label"),
        Arguments.of(
            "a label with a future expiry and WireGuard off is active",
            felix("node.worker1")
                .wireguard(false)
                .override("CHG-2")
                .expires("2026-11-25T18:00:00Z"),
            "node.worker1 CHG-2 active: the object switches IPv4 WireGuard off on node worker1"
                + " under this ticket"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reportsEveryOverrideLabelAndWhetherItIsStale(String sentence, Felix object, String row) {
    assertThat(StandingOverride.of(List.of(object.object(), felix("other").object()), NOW))
        .extracting(
            o ->
                o.object()
                    + " "
                    + o.ticket()
                    + " "
                    + (o.stale() ? "stale" : "active")
                    + ": "
                    + o.why())
        .containsExactly(row);
  }
}
