package io.wgguard.pass;

import static io.wgguard.evidence.Nodes.node;
import static io.wgguard.felix.Felix.felix;
import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.evidence.NodeFacts;
import io.wgguard.evidence.Nodes;
import io.wgguard.felix.EffectiveWireguard;
import io.wgguard.felix.Felix;
import io.wgguard.felix.IpFamily;
import io.wgguard.pass.Departure.Cause;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DepartureTest {

  static final Map<String, String> ZONE_A = Map.of("zone", "a");
  static final Map<String, String> ZONE_B = Map.of("zone", "b");

  /** Default off, zone b on by a selector-scoped object. */
  static List<Felix> zoneBOn() {
    return List.of(
        felix("default").wireguard(false), felix("zone-b").selector("zone == 'b'").wireguard(true));
  }

  static final Set<IpFamily> ON = Set.of(IpFamily.V4);
  static final Set<IpFamily> OFF = Set.of();

  static Arguments c(
      String sentence,
      List<Felix> felix,
      Set<IpFamily> familiesBefore,
      Map<String, String> labelsBefore,
      Map<String, String> labelsNow,
      List<String> expected) {
    return Arguments.of(sentence, felix, familiesBefore, labelsBefore, labelsNow, expected);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        c(
            "a node relabelled out of the selector that turns WireGuard on left by its labels",
            zoneBOn(),
            ON,
            ZONE_B,
            ZONE_A,
            List.of("worker1 LABELS [V4]")),
        c(
            "a node relabelled under a selector object that turns WireGuard off left by its labels",
            List.of(
                felix("default").wireguard(true),
                felix("quarantine").selector("zone == 'a'").wireguard(false)),
            ON,
            ZONE_B,
            ZONE_A,
            List.of("worker1 LABELS [V4]")),
        c(
            "a node whose FelixConfigurations turned WireGuard off left by configuration",
            List.of(felix("default").wireguard(false)),
            ON,
            ZONE_B,
            ZONE_B,
            List.of("worker1 FELIX_CONFIGURATION [V4]")),
        c(
            "a node relabelled within the selector stays on and is no departure",
            zoneBOn(),
            ON,
            ZONE_B,
            Map.of("zone", "b", "rack", "r1"),
            List.of()),
        c(
            "a node relabelled where WireGuard was never on is no departure",
            List.of(felix("default").wireguard(false)),
            OFF,
            ZONE_A,
            ZONE_B,
            List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void tellsWhoLeftWireGuardAndWhy(
      String sentence,
      List<Felix> felix,
      Set<IpFamily> familiesBefore,
      Map<String, String> labelsBefore,
      Map<String, String> labelsNow,
      List<String> expected) {
    NodeFacts now = labels(node("worker1"), labelsNow).facts();

    List<Departure> departures =
        Departure.between(
            Map.of("worker1", familiesBefore),
            Map.of("worker1", labelsBefore),
            EffectiveWireguard.of(
                felix.stream().map(Felix::object).toList(), EffectiveWireguard.Environment.NONE),
            Map.of("worker1", now));

    assertThat(departures)
        .extracting(d -> d.node() + " " + d.cause() + " " + d.families())
        .containsExactlyElementsOf(expected);
  }

  @org.junit.jupiter.api.Test
  void theEventSaysNoWriteDidItAndWhatDecidesNow() {
    List<Departure> departures =
        Departure.between(
            Map.of("worker1", Set.of(IpFamily.V4)),
            Map.of("worker1", ZONE_B),
            EffectiveWireguard.of(
                zoneBOn().stream().map(Felix::object).toList(),
                EffectiveWireguard.Environment.NONE),
            Map.of("worker1", labels(node("worker1"), ZONE_A).facts()));

    assertThat(departures).singleElement().extracting(Departure::cause).isEqualTo(Cause.LABELS);
    assertThat(departures.get(0).detail())
        .isEqualTo(
            "WireGuard (IPv4) is off on node worker1 since its labels changed: now off by"
                + " FelixConfiguration default (spec.wireguardEnabled). No FelixConfiguration write"
                + " did this, so admission could not refuse it; traffic to and from the node is no"
                + " longer encrypted");
  }

  private static Nodes.NodeBuilder labels(Nodes.NodeBuilder node, Map<String, String> labels) {
    labels.forEach(node::label);
    return node;
  }
}
