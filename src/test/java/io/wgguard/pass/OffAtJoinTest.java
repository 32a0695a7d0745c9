package io.wgguard.pass;

import static io.wgguard.felix.Felix.felix;
import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.evidence.NodeFacts;
import io.wgguard.felix.EffectiveWireguard;
import io.wgguard.felix.Felix;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 23 point 1: a node joining under an object written before it (node.worker9 false, a
 * selector for its pool) is named by the checker, once, at the first pass that knows it.
 */
class OffAtJoinTest {

  static NodeFacts node(String name, Map<String, String> labels) {
    return new NodeFacts(name, labels, Map.of(), null, List.of());
  }

  static final NodeFacts WORKER1 = node("worker1", Map.of("pool", "general"));
  static final NodeFacts WORKER9 = node("worker9", Map.of("pool", "m7i"));

  static Arguments c(String sentence, List<Felix> objects, Set<String> known, List<String> named) {
    return Arguments.of(sentence, objects, known, named);
  }

  static Stream<Arguments> cases() {
    Set<String> before = Set.of("worker1");
    return Stream.of(
        c(
            "a node joining under a pre-positioned node.<name> false is named",
            List.of(felix("default").wireguard(true), felix("node.worker9").wireguard(false)),
            before,
            List.of("worker9")),
        c(
            "a node joining under a selector for its pool that turns WireGuard off is named",
            List.of(
                felix("default").wireguard(true),
                felix("m7i").selector("pool == 'm7i'").wireguard(false)),
            before,
            List.of("worker9")),
        c(
            "a node known to the previous pass is not named again",
            List.of(felix("default").wireguard(true), felix("node.worker9").wireguard(false)),
            Set.of("worker1", "worker9"),
            List.of()),
        c(
            "on the first pass (wgguard was down when it joined) it is named",
            List.of(felix("default").wireguard(true), felix("node.worker9").wireguard(false)),
            Set.of(),
            List.of("worker9")),
        c(
            "a node joining with WireGuard on is not named",
            List.of(felix("default").wireguard(true)),
            before,
            List.of()),
        c(
            "with default off, a node joining off is what default says: not named",
            List.of(felix("default").wireguard(false), felix("node.worker9").wireguard(false)),
            before,
            List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void namesNodesJoiningOff(
      String sentence, List<Felix> objects, Set<String> known, List<String> named) {
    EffectiveWireguard wireguard =
        EffectiveWireguard.of(
            objects.stream().map(Felix::object).toList(), EffectiveWireguard.Environment.NONE);

    List<Departure> joined = OffAtJoin.find(known, wireguard, List.of(WORKER1, WORKER9));

    assertThat(joined).extracting(Departure::node).containsExactlyElementsOf(named);
    assertThat(joined).allMatch(d -> d.cause() == Departure.Cause.JOINED);
  }

  @org.junit.jupiter.api.Test
  void theDetailNamesTheObjectThatDecides() {
    EffectiveWireguard wireguard =
        EffectiveWireguard.of(
            List.of(
                felix("default").wireguard(true).object(),
                felix("node.worker9").wireguard(false).object()),
            EffectiveWireguard.Environment.NONE);

    assertThat(OffAtJoin.find(Set.of(), wireguard, List.of(WORKER9)).get(0).detail())
        .isEqualTo(
            "Node worker9 joined with WireGuard (IPv4) off by FelixConfiguration node.worker9"
                + " (spec.wireguardEnabled), while default turns it on: traffic to and from it is"
                + " not encrypted");
  }
}
