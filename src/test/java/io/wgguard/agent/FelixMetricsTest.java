package io.wgguard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wgguard.agent.PrometheusText.Sample;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Felix's WireGuard metrics as Calico's felix/wireguard/metrics_linux.go writes them. */
class FelixMetricsTest {

  static final String V4 = "c2v674NUleEWjJ7F7GPKlPNXVa9y8BzV9TnzuAw87yg=";
  static final String V6 = "sJJPjxDTC+XGt/HWLH2rPWNDGBw9jeJ8mljb/f8S1mY=";
  static final String PEER = "0pbwVQivMA8W4H4aCB9kAWJez0rcqKaCvI2aqN7edEc=";
  static final String IDLE = "RRb4xDp9zsdGjfEG5CwJ938HHNFqY3eJ9ZJVdz9XNiE=";

  @Test
  void readsDevicesAndTheirPeersMatchedByTheDevicesPublicKey() {
    Map<String, WgDevice> devices = FelixMetrics.devices(WgDumpTest.sample("felix-metrics.txt"));
    assertThat(devices)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "wireguard.cali",
                new WgDevice(
                    "wireguard.cali",
                    V4,
                    51820,
                    List.of(
                        new WgDevice.Peer(
                            PEER,
                            "192.0.2.2:51820",
                            Instant.ofEpochSecond(1796051737L),
                            284,
                            1048576),
                        // Go's zero time (-62135596800) is "never"; "<nil>" is no endpoint.
                        new WgDevice.Peer(IDLE, "", null, 0, 148))),
                "wg-v6.cali",
                new WgDevice("wg-v6.cali", V6, 51821, List.of())));
  }

  static Stream<Arguments> expositions() {
    return Stream.of(
        Arguments.of(
            "comments and blank lines are skipped",
            "# HELP x y\n# TYPE x gauge\n\n# any comment\nx 1\n",
            List.of(new Sample("x", Map.of(), 1))),
        Arguments.of(
            "escaped quote, backslash and newline in a label value",
            "x{a=\"say \\\"hi\\\"\",b=\"c:\\\\d\",c=\"1\\n2\"} 2\n",
            List.of(new Sample("x", Map.of("a", "say \"hi\"", "b", "c:\\d", "c", "1\n2"), 2))),
        Arguments.of(
            "a trailing comma and spaces in the labels",
            "x{ a = \"1\" , } 3",
            List.of(new Sample("x", Map.of("a", "1"), 3))),
        Arguments.of(
            "a timestamp after the value",
            "x{a=\"1\"} 4 1700000000000\n",
            List.of(new Sample("x", Map.of("a", "1"), 4))),
        Arguments.of(
            "NaN, +Inf, -Inf and exponents",
            "a NaN\nb +Inf\nc -Inf\nd 1.5e+03\n",
            List.of(
                new Sample("a", Map.of(), Double.NaN),
                new Sample("b", Map.of(), Double.POSITIVE_INFINITY),
                new Sample("c", Map.of(), Double.NEGATIVE_INFINITY),
                new Sample("d", Map.of(), 1500))),
        Arguments.of(
            "a braces character inside a quoted value",
            "x{a=\"}{,\"} 5\n",
            List.of(new Sample("x", Map.of("a", "}{,"), 5))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("expositions")
  void parsesTheTextFormat(String description, String text, List<Sample> expected) {
    // Records compare doubles with Double.compare, so NaN equals NaN there.
    assertThat(PrometheusText.parse(text))
        .usingElementComparator((a, b) -> a.equals(b) ? 0 : 1)
        .containsExactlyElementsOf(expected);
  }

  static Stream<Arguments> garbage() {
    String meta =
        "wireguard_meta{hostname=\"h\",iface=\"wg0\",listen_port=\"51820\",public_key=\"" + V4;
    return Stream.of(
        Arguments.of("an HTML error page", "<html>502</html>", "line 1: expected a metric name"),
        Arguments.of("a sample without value", "x{a=\"1\"}\n", "line 1: x has no value"),
        Arguments.of(
            "an unclosed label value",
            "ok 1\nx{a=\"1} 2\n",
            "line 2: the value of label a is not closed"),
        Arguments.of(
            "unclosed labels", "x{a=\"1\" 2\n", "line 1: expected ',' or '}' after label a"),
        Arguments.of(
            "an unquoted label value",
            "x{a=1} 2\n",
            "line 1: expected '\"' to open the value of label a"),
        Arguments.of(
            "an unknown escape",
            "x{a=\"\\t\"} 2\n",
            "line 1: the value of label a has an unknown escape \\t"),
        Arguments.of(
            "a repeated label", "x{a=\"1\",a=\"2\"} 2\n", "line 1: label a is given twice"),
        Arguments.of(
            "a value that is not a number",
            "x 12abc\n",
            "line 1: x has value '12abc', not a number"),
        Arguments.of(
            "Java's own spellings are not Prometheus'",
            "x Infinity\n",
            "line 1: x has value 'Infinity', not a number"),
        Arguments.of("a timestamp that is not one", "x 1 soon\n", "line 1: x has timestamp 'soon'"),
        Arguments.of("extra fields", "x 1 2 3\n", "line 1: x has 3 fields after the labels"),
        Arguments.of(
            "wireguard_meta without its interface label",
            "wireguard_meta{hostname=\"h\",public_key=\"" + V4 + "\"} 1\n",
            "wireguard_meta has no label iface"),
        Arguments.of(
            "a peer metric whose device key is not a key",
            "wireguard_bytes_sent{peer_endpoint=\"<nil>\",peer_key=\""
                + PEER
                + "\",public_key=\"x\"} 1\n",
            "wireguard_bytes_sent has label public_key that is not a WireGuard key"),
        Arguments.of(
            "a listen port that is not a number",
            meta.replace("51820", "any") + "\"} 1\n",
            "wireguard_meta of wg0 has listen_port 'any', not a port"),
        Arguments.of(
            "a counter that is NaN",
            "wireguard_bytes_rcvd{peer_endpoint=\"<nil>\",peer_key=\""
                + PEER
                + "\",public_key=\""
                + V4
                + "\"} NaN\n",
            "wireguard_bytes_rcvd for peer " + PEER + " is NaN, not a count"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("garbage")
  void refusesGarbageSayingWhereAndWhat(String description, String text, String error) {
    assertThatThrownBy(() -> FelixMetrics.devices(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(error);
  }
}
