package io.wgguard.felix;

import static io.wgguard.felix.Felix.felix;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EffectiveWireguardTest {

  private static final String WG = "config.projectcalico.org/WireguardEnabled";

  static final Map<String, String> WORKER1_LABELS =
      Map.of("kubernetes.io/hostname", "worker1", "tier", "edge");

  static final String OLD = "2026-01-01T00:00:00Z";
  static final String NEW = "2026-06-01T00:00:00Z";

  static final String V6_DEFAULT_OFF = "IPv6 off DEFAULT default spec.wireguardEnabledV6";
  static final String V4_DEFAULT_ON = "IPv4 on DEFAULT default spec.wireguardEnabled";

  /** Expected reading: both families on worker1, cluster-wide families, problems. */
  record Expect(String worker1, String cluster, List<String> problems) {}

  static Arguments c(String sentence, List<Felix> objects, String worker1, String cluster) {
    return Arguments.of(sentence, objects, new Expect(worker1, cluster, List.of()));
  }

  static Arguments p(
      String sentence, List<Felix> objects, String worker1, String cluster, String... problems) {
    return Arguments.of(sentence, objects, new Expect(worker1, cluster, List.of(problems)));
  }

  static List<Felix> objects(Felix... objects) {
    return List.of(objects);
  }

  static Felix on(String name) {
    return felix(name).wireguard(true);
  }

  static Felix off(String name) {
    return felix(name).wireguard(false);
  }

  static Felix selected(String name, String selector, String created) {
    return felix(name).selector(selector).created(created);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // Levels and inheritance.
        c(
            "without any FelixConfiguration WireGuard is off by the built-in default",
            objects(),
            "IPv4 off BUILT_IN | IPv6 off BUILT_IN",
            "[]"),
        c(
            "the seed's patch on default turns IPv4 on for every node",
            objects(on("default")),
            V4_DEFAULT_ON + " | " + V6_DEFAULT_OFF,
            "[IPv4]"),
        c(
            "default without the field asserts the built-in false",
            objects(felix("default").spec("logSeverityScreen", "\"Info\"")),
            "IPv4 off DEFAULT default spec.wireguardEnabled | " + V6_DEFAULT_OFF,
            "[]"),
        c(
            "node.worker1 switching IPv4 off beats default",
            objects(on("default"), off("node.worker1")),
            "IPv4 off NODE node.worker1 spec.wireguardEnabled | " + V6_DEFAULT_OFF,
            "[IPv4]"),
        c(
            "node.worker2 does not apply to worker1",
            objects(on("default"), off("node.worker2")),
            V4_DEFAULT_ON + " | " + V6_DEFAULT_OFF,
            "[IPv4]"),
        c(
            "node.worker1 switching IPv4 on beats default off, though not cluster-wide",
            objects(off("default"), on("node.worker1")),
            "IPv4 on NODE node.worker1 spec.wireguardEnabled | " + V6_DEFAULT_OFF,
            "[]"),
        c(
            "node.worker1 without the field inherits from default",
            objects(on("default"), felix("node.worker1").spec("logSeverityScreen", "\"Debug\"")),
            V4_DEFAULT_ON + " | " + V6_DEFAULT_OFF,
            "[IPv4]"),
        c(
            "a matching selector object switching IPv4 off beats default",
            objects(on("default"), selected("edge", "tier == 'edge'", OLD).wireguard(false)),
            "IPv4 off SELECTOR edge spec.wireguardEnabled | " + V6_DEFAULT_OFF,
            "[IPv4]"),
        c(
            "a selector object that does not match leaves default in charge",
            objects(on("default"), selected("core", "tier == 'core'", OLD).wireguard(false)),
            V4_DEFAULT_ON + " | " + V6_DEFAULT_OFF,
            "[IPv4]"),
        c(
            "node.worker1 beats a matching selector object",
            objects(
                off("default"),
                selected("edge", "has(tier)", OLD).wireguard(false),
                on("node.worker1")),
            "IPv4 on NODE node.worker1 spec.wireguardEnabled | " + V6_DEFAULT_OFF,
            "[]"),
        c(
            "node.worker1 asserting nothing lets the selector object decide",
            objects(
                on("default"),
                selected("edge", "has(tier)", OLD).wireguard(false),
                felix("node.worker1")),
            "IPv4 off SELECTOR edge spec.wireguardEnabled | " + V6_DEFAULT_OFF,
            "[IPv4]"),
        c(
            "a matching selector object asserting nothing lets default decide",
            objects(on("default"), selected("edge", "has(tier)", OLD)),
            V4_DEFAULT_ON + " | " + V6_DEFAULT_OFF,
            "[IPv4]"),

        // Several selector objects.
        c(
            "the oldest matching selector object wins over a younger one",
            objects(
                on("default"),
                selected("b-young", "has(tier)", NEW).wireguard(true),
                selected("a-old", "all()", OLD).wireguard(false)),
            "IPv4 off SELECTOR a-old spec.wireguardEnabled | " + V6_DEFAULT_OFF,
            "[IPv4]"),
        c(
            "a younger matching selector object is ignored even when it switches IPv4 off",
            objects(
                on("default"),
                selected("a-young", "has(tier)", NEW).wireguard(false),
                selected("b-old", "all()", OLD).wireguard(true)),
            "IPv4 on SELECTOR b-old spec.wireguardEnabled | " + V6_DEFAULT_OFF,
            "[IPv4]"),
        c(
            "between selector objects created at the same time the first name wins",
            objects(
                on("default"),
                selected("zz", "has(tier)", OLD).wireguard(true),
                selected("aa", "all()", OLD).wireguard(false)),
            "IPv4 off SELECTOR aa spec.wireguardEnabled | " + V6_DEFAULT_OFF,
            "[IPv4]"),
        c(
            "when the oldest match asserts nothing, default decides, not the younger match",
            objects(
                on("default"),
                selected("young", "has(tier)", NEW).wireguard(false),
                selected("old", "all()", OLD).spec("logSeverityScreen", "\"Info\"")),
            V4_DEFAULT_ON + " | " + V6_DEFAULT_OFF,
            "[IPv4]"),
        c(
            "an older selector object that does not match is passed over",
            objects(
                on("default"),
                selected("young", "has(tier)", NEW).wireguard(false),
                selected("old", "tier == 'core'", OLD).wireguard(true)),
            "IPv4 off SELECTOR young spec.wireguardEnabled | " + V6_DEFAULT_OFF,
            "[IPv4]"),
        c(
            "a selector object without creationTimestamp ranks after one with it",
            objects(
                on("default"),
                felix("a-undated").selector("all()").wireguard(false),
                selected("b-dated", "all()", NEW).wireguard(true)),
            "IPv4 on SELECTOR b-dated spec.wireguardEnabled | " + V6_DEFAULT_OFF,
            "[IPv4]"),

        // Annotation overrides.
        c(
            "an annotation false on default overrides spec true",
            objects(on("default").annotation(WG, "false")),
            "IPv4 off DEFAULT default metadata.annotations[" + WG + "] | " + V6_DEFAULT_OFF,
            "[]"),
        c(
            "an annotation none on node.worker1 means false and beats default",
            objects(on("default"), felix("node.worker1").annotation(WG, "none")),
            "IPv4 off NODE node.worker1 metadata.annotations[" + WG + "] | " + V6_DEFAULT_OFF,
            "[IPv4]"),
        c(
            "an annotation true on a selector object switches IPv4 on",
            objects(off("default"), selected("edge", "all()", OLD).annotation(WG, "true")),
            "IPv4 on SELECTOR edge metadata.annotations[" + WG + "] | " + V6_DEFAULT_OFF,
            "[]"),
        c(
            "an override kept in calico-apiserver's v3 metadata counts too",
            objects(
                on("default")
                    .annotation(
                        "projectcalico.org/metadata",
                        "{\"annotations\":{\"" + WG + "\":\"false\"}}")),
            "IPv4 off DEFAULT default metadata.annotations[projectcalico.org/metadata].annotations["
                + WG
                + "] | "
                + V6_DEFAULT_OFF,
            "[]"),

        // IPv6.
        c(
            "an IPv6-only cluster enables only IPv6",
            objects(felix("default").wireguardV6(true)),
            "IPv4 off DEFAULT default spec.wireguardEnabled | IPv6 on DEFAULT default"
                + " spec.wireguardEnabledV6",
            "[IPv6]"),
        c(
            "a dual-stack cluster with IPv6 switched off on worker1 keeps IPv4 there",
            objects(on("default").wireguardV6(true), felix("node.worker1").wireguardV6(false)),
            V4_DEFAULT_ON + " | IPv6 off NODE node.worker1 spec.wireguardEnabledV6",
            "[IPv4, IPv6]"),

        // Problems.
        p(
            "an unparseable selector matches no node and is reported",
            objects(on("default"), selected("edge", "tier = 'edge'", OLD).wireguard(false)),
            V4_DEFAULT_ON + " | " + V6_DEFAULT_OFF,
            "[IPv4]",
            "FelixConfiguration edge: spec.nodeSelector cannot be parsed (expected '==' at"
                + " position 5 of selector \"tier = 'edge'\"); wgguard treats it as matching no"
                + " node"),
        p(
            "a value Felix cannot read on node.worker1 asserts nothing and is reported",
            objects(on("default"), felix("node.worker1").spec("wireguardEnabled", "\"off\"")),
            V4_DEFAULT_ON + " | " + V6_DEFAULT_OFF,
            "[IPv4]",
            "FelixConfiguration node.worker1: spec.wireguardEnabled has value \"off\", not a"
                + " boolean; Felix ignores that value"),
        p(
            "an override annotation Felix cannot read is ignored and reported",
            objects(on("default").annotation(WG, "maybe")),
            V4_DEFAULT_ON + " | " + V6_DEFAULT_OFF,
            "[IPv4]",
            "FelixConfiguration default: metadata.annotations["
                + WG
                + "] has value 'maybe', which Felix does not read as a boolean (true, false,"
                + " none); Felix ignores that value"),
        p(
            "a name given twice is read once and reported",
            objects(on("default"), off("default")),
            V4_DEFAULT_ON + " | " + V6_DEFAULT_OFF,
            "[IPv4]",
            "FelixConfiguration default was given more than once; only the first copy is read"),
        c(
            "an object Felix does not read is ignored",
            objects(on("default"), off("staging")),
            V4_DEFAULT_ON + " | " + V6_DEFAULT_OFF,
            "[IPv4]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reads(String sentence, List<Felix> objects, Expect expect) {
    EffectiveWireguard wireguard =
        EffectiveWireguard.of(
            objects.stream().map(Felix::object).toList(), EffectiveWireguard.Environment.NONE);

    String worker1 =
        wireguard.forNode("worker1", WORKER1_LABELS).values().stream()
            .map(EffectiveWireguardTest::render)
            .collect(Collectors.joining(" | "));
    String cluster = wireguard.clusterFamilies().stream().map(IpFamily::label).toList().toString();
    assertThat(new Expect(worker1, cluster, wireguard.problems())).isEqualTo(expect);
    assertThat(wireguard.enabledClusterWide()).isEqualTo(!cluster.equals("[]"));
  }

  static String render(EffectiveSetting s) {
    return (s.family().label()
            + " "
            + (s.enabled() ? "on" : "off")
            + " "
            + s.level()
            + " "
            + s.object()
            + " "
            + s.source())
        .strip();
  }
}
