package io.wgguard.felix;

import static io.wgguard.felix.Felix.felix;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Where wgguard once read a FelixConfiguration otherwise than Felix does (issue 23), one table row
 * per input, each naming the Calico source it follows: whether IPv4 WireGuard ends up on for a node
 * {@code worker1} labelled {@code tier=edge}, with {@code default} saying nothing.
 */
class FelixConformanceTest {

  static final Map<String, String> WORKER1 =
      Map.of("kubernetes.io/hostname", "worker1", "tier", "edge");

  static final String OLD = "2026-01-01T00:00:00Z";
  static final String NEW = "2026-06-01T00:00:00Z";

  static Arguments c(String sentence, boolean on, Felix... objects) {
    return Arguments.of(sentence, List.of(objects), on);
  }

  static Felix metadata(Felix object, String json) {
    return object.annotation("projectcalico.org/metadata", json);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // Point 2: blank selectors.
        c(
            "a nodeSelector of one space is all() (tokenizer.go trimWhitespace skips it)",
            true,
            felix("pool").selector(" ").wireguard(true)),
        c("a nodeSelector of a tab is all()", true, felix("pool").selector("\t").wireguard(true)),
        c(
            "an empty nodeSelector is no scope (config_batcher.go: no selector parsed, skipped)",
            false,
            felix("pool").selector("").wireguard(true)),
        c(
            "a nodeSelector of a newline does not parse: Felix drops the object (config_batcher.go)",
            false,
            felix("pool").selector("\n").wireguard(true)),
        c(
            "a blank-selector object turning WireGuard off outranks default's true",
            false,
            felix("default").wireguard(true),
            felix("pool").selector(" ").wireguard(false)),
        // Point 3: annotation names folded by Go's strings.ToLower.
        c(
            "WİreguardEnabled (U+0130) folds to wireguardenabled in Go (config_params.go resolve)",
            false,
            felix("default")
                .wireguard(true)
                .annotation("config.projectcalico.org/W\u0130reguardEnabled", "false")),
        c(
            "WIREGUARDENABLED folds to the parameter",
            false,
            felix("default")
                .wireguard(true)
                .annotation("config.projectcalico.org/WIREGUARDENABLED", "false")),
        c(
            "the prefix is matched exactly: Config.ProjectCalico.org/ is ignored"
                + " (configurationprocessor.go strings.HasPrefix)",
            true,
            felix("default")
                .wireguard(true)
                .annotation("Config.ProjectCalico.org/WireguardEnabled", "false")),
        // Point 4: projectcalico.org/metadata read as Go's encoding/json reads it.
        c(
            "\"Annotations\" in the metadata JSON is matched without regard to case"
                + " (encoding/json; resources.go ConvertK8sResourceToCalicoResource)",
            false,
            metadata(
                felix("default").wireguard(true),
                "{\"Annotations\":{\"config.projectcalico.org/WireguardEnabled\":\"false\"}}")),
        c(
            "\"ANNOTATIONſ\" (long s, U+017F) folds to annotations in encoding/json",
            false,
            metadata(
                felix("default").wireguard(true),
                "{\"ANNOTATION\u017F\":{\"config.projectcalico.org/WireguardEnabled\":\"false\"}}")),
        c(
            "annotations in the metadata replace the object's own of the same name (resources.go)",
            false,
            metadata(
                    felix("default").wireguard(true),
                    "{\"annotations\":{\"config.projectcalico.org/WireguardEnabled\":\"false\"}}")
                .annotation("config.projectcalico.org/WireguardEnabled", "true")),
        c(
            "two annotations objects in the metadata are merged, as encoding/json reuses the map",
            false,
            metadata(
                felix("default").wireguard(true),
                "{\"annotations\":{\"config.projectcalico.org/WireguardEnabled\":\"false\"},"
                    + "\"annotations\":{\"other\":\"x\"}}")),
        c(
            "the creationTimestamp in the metadata orders selector-scoped objects"
                + " (resources.go; config_batcher.go MergeSelectorConfigs: oldest wins)",
            false,
            felix("a-on").selector("tier == 'edge'").created(OLD).wireguard(true),
            metadata(
                felix("b-off").selector("tier == 'edge'").created(NEW).wireguard(false),
                "{\"creationTimestamp\":\"2001-01-01T00:00:00Z\"}")),
        c(
            "a zero creationTimestamp in the metadata leaves the object's own",
            true,
            felix("a-on").selector("tier == 'edge'").created(OLD).wireguard(true),
            metadata(
                felix("b-off").selector("tier == 'edge'").created(NEW).wireguard(false),
                "{\"creationTimestamp\":\"0001-01-01T00:00:00Z\"}")),
        c(
            "metadata Go cannot decode ({\"generation\":\"1\"}) makes Felix drop a selector-scoped"
                + " object",
            true,
            felix("default").wireguard(true),
            metadata(felix("pool").selector("all()").wireguard(false), "{\"generation\":\"1\"}")),
        c(
            "metadata Go cannot decode drops a node.<name> object",
            true,
            felix("default").wireguard(true),
            metadata(felix("node.worker1").wireguard(false), "{\"labels\":[]}")),
        c(
            "undecodable metadata on default: Felix cannot start (daemon.go"
                + " loadConfigFromDatastore), so default reads as off",
            false,
            metadata(felix("default").wireguard(true), "{\"creationTimestamp\":\"yesterday\"}")),
        c(
            "undecodable metadata on default: no node.<name> true helps, Felix does not start",
            false,
            metadata(felix("default").wireguard(true), "{\"generation\":\"1\"}"),
            felix("node.worker1").wireguard(true)),
        // Point 6: selectors Felix cannot parse.
        c(
            "a label over 512 characters: Felix drops the object (tokenizer.go MaxLabelLength)",
            false,
            felix("pool").selector("has(" + "x".repeat(513) + ") || all()").wireguard(true)),
        c(
            "a label of 512 characters parses",
            true,
            felix("pool").selector("has(" + "x".repeat(512) + ") || all()").wireguard(true)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void readsAsFelix(String sentence, List<Felix> objects, boolean on) {
    EffectiveWireguard wireguard =
        EffectiveWireguard.of(
            objects.stream().map(Felix::object).toList(), EffectiveWireguard.Environment.NONE);

    assertThat(wireguard.forNode("worker1", WORKER1, IpFamily.V4).enabled()).isEqualTo(on);
  }

  static Stream<Arguments> metadataJson() {
    return Stream.of(
        Arguments.of("an empty object decodes", "{}", ""),
        Arguments.of("null decodes (encoding/json: no change)", "null", ""),
        Arguments.of(
            "a string for generation does not (int64)",
            "{\"generation\":\"1\"}",
            "cannot unmarshal a JSON string into generation of type int64"),
        Arguments.of(
            "a fraction for generation does not (strconv.ParseInt)",
            "{\"generation\":1.5}",
            "cannot unmarshal a JSON number into generation of type int64"),
        Arguments.of(
            "a number for name does not",
            "{\"Name\":7}",
            "cannot unmarshal a JSON number into name of type string"),
        Arguments.of(
            "a non-string label value does not",
            "{\"labels\":{\"a\":1}}",
            "cannot unmarshal a JSON number into labels[a] of type string"),
        Arguments.of(
            "a timestamp that is not RFC 3339 does not (metav1.Time)",
            "{\"creationTimestamp\":\"2026-01-01 00:00:00\"}",
            "creationTimestamp \"2026-01-01 00:00:00\" is not an RFC 3339 time"),
        Arguments.of(
            "an owner reference with a string for controller does not",
            "{\"ownerReferences\":[{\"controller\":\"yes\"}]}",
            "cannot unmarshal a JSON string into ownerReferences[].controller of type bool"),
        Arguments.of(
            "unknown members are ignored",
            "{\"whatever\":{\"deep\":[1,2,{}]},\"managedFields\":[{\"fieldsV1\":{\"f:a\":{}}}]}",
            ""),
        Arguments.of("trailing data does not", "{} {}", "data after the JSON value"),
        Arguments.of("an array does not", "[]", "a JSON array, not an object"),
        Arguments.of("broken JSON does not", "{\"labels\":", "not valid JSON"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("metadataJson")
  void decodesMetadataAsGo(String sentence, String json, String error) {
    assertThat(GoObjectMeta.decode(json).error()).isEqualTo(error);
  }

  static Stream<Arguments> times() {
    return Stream.of(
        Arguments.of("2026-01-02T03:04:05Z", Instant.parse("2026-01-02T03:04:05Z")),
        Arguments.of("2026-01-02T03:04:05.5+01:00", Instant.parse("2026-01-02T02:04:05.5Z")),
        Arguments.of("2026-01-02T3:04:05Z", Instant.parse("2026-01-02T03:04:05Z")),
        Arguments.of("2026-02-30T00:00:00Z", null),
        Arguments.of("2026-01-02t03:04:05Z", null),
        Arguments.of("2026-01-02T23:59:60Z", null),
        Arguments.of("2026-01-02T03:04:05z", null));
  }

  /** Go's time.Parse(time.RFC3339, ...) as metav1.Time uses it. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("times")
  void parsesTimesAsGo(String text, Instant expected) {
    assertThat(GoObjectMeta.rfc3339(text)).isEqualTo(expected);
  }

  static Stream<Arguments> folding() {
    return Stream.of(
        Arguments.of("W\u0130reguardEnabled", "wireguardenabled"),
        Arguments.of("WireguardEnabled", "wireguardenabled"),
        Arguments.of("\u212Aey", "key"),
        Arguments.of("\u03A3\u03A3", "\u03C3\u03C3"));
  }

  /** Go's strings.ToLower: per code point, simple mapping; Java's String.toLowerCase differs. */
  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("folding")
  void foldsAsGo(String text, String lower) {
    assertThat(GoText.toLower(text)).isEqualTo(lower);
  }
}
