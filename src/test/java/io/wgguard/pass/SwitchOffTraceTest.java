package io.wgguard.pass;

import static io.wgguard.evidence.Nodes.node;
import static io.wgguard.felix.CalicoNode.calicoNode;
import static io.wgguard.felix.Felix.felix;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.wgguard.evidence.NodeFacts;
import io.wgguard.felix.CalicoNode;
import io.wgguard.felix.CalicoNodeEnvironment;
import io.wgguard.felix.EffectiveWireguard;
import io.wgguard.felix.Felix;
import io.wgguard.felix.FelixObject;
import io.wgguard.felix.IpFamily;
import io.wgguard.pass.SwitchOffTrace.ObjectsSeen;
import io.wgguard.pass.SwitchOffTrace.OverrideMark;
import io.wgguard.pass.SwitchOffTrace.Unexplained;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which switch-offs no fresh override explains. */
class SwitchOffTraceTest {

  static final Instant NOW = Instant.parse("2026-12-02T08:00:00Z");
  static final String AHEAD = "2026-12-02T12:00:00Z";
  static final String PAST = "2026-12-01T12:00:00Z";
  static final NodeFacts WORKER = node("worker1").facts();

  /** Before and after, FelixConfigurations and the calico-node DaemonSet. */
  record World(
      List<Felix> felixBefore, List<Felix> felixNow, CalicoNode dsBefore, CalicoNode dsNow) {}

  static World felixOnly(List<Felix> before, List<Felix> now) {
    return new World(before, now, null, null);
  }

  static final List<Felix> ON = List.of(felix("default").wireguard(true));

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "default switched off without a label: unexplained",
            felixOnly(ON, List.of(felix("default").wireguard(false))),
            List.of("worker1")),
        Arguments.of(
            "default switched off with a label added in this change: explained",
            felixOnly(ON, List.of(felix("default").wireguard(false).override("CHG-1"))),
            List.of()),
        Arguments.of(
            "a label left from an earlier change, no expiry: unexplained",
            felixOnly(
                List.of(felix("default").wireguard(true).override("CHG-1")),
                List.of(felix("default").wireguard(false).override("CHG-1"))),
            List.of("worker1")),
        Arguments.of(
            "a label left from an earlier change with an expiry ahead: explained",
            felixOnly(
                List.of(felix("default").wireguard(true).override("CHG-1").expires(AHEAD)),
                List.of(felix("default").wireguard(false).override("CHG-1").expires(AHEAD))),
            List.of()),
        Arguments.of(
            "a label added with an expiry that has passed: unexplained",
            felixOnly(
                ON, List.of(felix("default").wireguard(false).override("CHG-1").expires(PAST))),
            List.of("worker1")),
        Arguments.of(
            "node.worker1's true removed with a label on it: explained, default decides now",
            felixOnly(
                List.of(felix("default").wireguard(false), felix("node.worker1").wireguard(true)),
                List.of(
                    felix("default").wireguard(false),
                    felix("node.worker1").override("CHG-2").spec("logSeverityScreen", "\"Info\""))),
            List.of()),
        Arguments.of(
            "node.worker1 deleted while it carried a label: explained",
            felixOnly(
                List.of(
                    felix("default").wireguard(false),
                    felix("node.worker1").wireguard(true).override("CHG-3")),
                List.of(felix("default").wireguard(false))),
            List.of()),
        Arguments.of(
            "node.worker1 deleted without a label: unexplained",
            felixOnly(
                List.of(felix("default").wireguard(false), felix("node.worker1").wireguard(true)),
                List.of(felix("default").wireguard(false))),
            List.of("worker1")),
        Arguments.of(
            "calico-node's environment switched off without a label: unexplained",
            new World(
                ON,
                ON,
                calicoNode("calico-system"),
                calicoNode("calico-system").env("FELIX_WIREGUARDENABLED", "false")),
            List.of("worker1")),
        Arguments.of(
            "calico-node's environment switched off with a label added: explained",
            new World(
                ON,
                ON,
                calicoNode("calico-system"),
                calicoNode("calico-system")
                    .env("FELIX_WIREGUARDENABLED", "false")
                    .override("CHG-4")),
            List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void namesTheSwitchOffsNoOverrideExplains(String sentence, World world, List<String> nodes) {
    assertThat(unexplained(world)).extracting(Unexplained::node).containsExactlyElementsOf(nodes);
  }

  @Test
  void theSentenceSaysWhatDecidesAndWhatWasLookedAt() {
    List<Unexplained> found =
        unexplained(felixOnly(ON, List.of(felix("default").wireguard(false))));

    assertThat(found)
        .singleElement()
        .satisfies(
            u -> {
              assertThat(u.families()).containsExactly(IpFamily.V4);
              assertThat(u.objects()).containsExactly("FelixConfiguration default");
              assertThat(u.detail())
                  .isEqualTo(
                      "WireGuard (IPv4) went off on node worker1, now off by FelixConfiguration default"
                          + " (spec.wireguardEnabled), and no object that changed or decides"
                          + " (FelixConfiguration default) carries a fresh wgguard.io/override: a"
                          + " switch-off admission never judged (a webhook registration tampered with or"
                          + " down, a write straight to etcd, a restore from backup)");
            });
  }

  @Test
  void aDepartureByNodeLabelsIsLeftToItsOwnReport() {
    Departure byLabels =
        new Departure("worker1", Set.of(IpFamily.V4), Departure.Cause.LABELS, "relabelled");

    assertThat(
            SwitchOffTrace.unexplained(
                List.of(byLabels),
                EffectiveWireguard.of(
                    List.of(felix("default").wireguard(false).object()),
                    EffectiveWireguard.Environment.NONE),
                Map.of("worker1", WORKER),
                new ObjectsSeen(Map.of(), Map.of(), Map.of(), Map.of()),
                NOW))
        .isEmpty();
  }

  static List<Unexplained> unexplained(World world) {
    EffectiveWireguard before = wireguard(world.felixBefore(), world.dsBefore());
    EffectiveWireguard now = wireguard(world.felixNow(), world.dsNow());
    Set<IpFamily> on =
        before.forNode("worker1", WORKER.labels(), IpFamily.V4).enabled()
            ? Set.of(IpFamily.V4)
            : Set.of();
    List<Departure> departures =
        Departure.between(
            Map.of("worker1", on),
            Map.of("worker1", WORKER.labels()),
            now,
            Map.of("worker1", WORKER));
    assertThat(departures).as("the case makes worker1 leave WireGuard").hasSize(1);
    return SwitchOffTrace.unexplained(
        departures,
        now,
        Map.of("worker1", WORKER),
        new ObjectsSeen(
            byName(world.felixBefore()),
            byName(world.felixNow()),
            marks(world.dsBefore()),
            marks(world.dsNow())),
        NOW);
  }

  static EffectiveWireguard wireguard(List<Felix> felix, CalicoNode ds) {
    List<FelixObject> objects = felix.stream().map(Felix::object).toList();
    return EffectiveWireguard.of(
        objects,
        ds == null
            ? EffectiveWireguard.Environment.NONE
            : new EffectiveWireguard.Environment(
                List.of(ds.environment()), (namespace, name) -> java.util.Optional.empty()));
  }

  static Map<String, FelixObject> byName(List<Felix> felix) {
    Map<String, FelixObject> objects = new HashMap<>();
    felix.forEach(f -> objects.put(f.object().name(), f.object()));
    return objects;
  }

  static Map<String, OverrideMark> marks(CalicoNode ds) {
    if (ds == null) {
      return Map.of();
    }
    CalicoNodeEnvironment environment = ds.environment();
    JsonNode metadata = ds.json().path("metadata");
    return Map.of(
        environment.id(),
        OverrideMark.of(strings(metadata.path("labels")), strings(metadata.path("annotations"))));
  }

  static Map<String, String> strings(JsonNode object) {
    Map<String, String> map = new HashMap<>();
    object.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
    return map;
  }
}
