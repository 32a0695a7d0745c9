package io.wgguard.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wgguard.evidence.NodeVerdict;
import io.wgguard.evidence.NotReadyReason;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code GET /status} query parameters: which rows each shows, and what bad ones are told. */
class NodeFilterTest {

  static final List<NodeVerdict> NODES =
      List.of(
          verdict("control1", true, false, null),
          verdict("worker1", false, false, NotReadyReason.NO_PUBLIC_KEY),
          verdict("worker2", false, false, NotReadyReason.DUPLICATE_PUBLIC_KEY),
          verdict("win1", true, true, null));

  static NodeVerdict verdict(String name, boolean ready, boolean exempt, NotReadyReason reason) {
    return new NodeVerdict(name, ready, exempt, reason, List.of(), Set.of(), Map.of(), List.of());
  }

  static Map<String, List<String>> query(String query) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    if (query == null || query.isEmpty()) {
      return params;
    }
    for (String pair : query.split("&")) {
      String[] kv = pair.split("=", 2);
      params.computeIfAbsent(kv[0], k -> new ArrayList<>()).add(kv[1]);
    }
    return params;
  }

  @ParameterizedTest(name = "?{0} shows {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "                                     | control1 worker1 worker2 win1",
        "state=not-ready                      | worker1 worker2",
        "state=ready                          | control1",
        "state=exempt                         | win1",
        "reason=duplicate-public-key          | worker2",
        "node=worker1                         | worker1",
        "node=worker1&state=ready             | ''",
        "state=not-ready&reason=no-public-key | worker1",
        "node=gone                            | ''",
      })
  void showsTheRowsAskedFor(String query, String shown) {
    NodeFilter filter = NodeFilter.parse(query(query));

    assertThat(NODES.stream().filter(filter).map(NodeVerdict::name))
        .containsExactlyElementsOf(
            shown == null || shown.isEmpty() ? List.of() : List.of(shown.split(" ")));
  }

  @ParameterizedTest(name = "?{0} is refused: {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "state=broken    | state 'broken' is not one of ready, exempt, not-ready",
        "state=NOT_READY | state 'NOT_READY' is not one of ready, exempt, not-ready",
        "reason=no-key   | reason 'no-key' is not one of no-public-key, invalid-public-key,",
        "nodes=worker1   | unknown query parameter 'nodes'; /status takes node, state, reason,"
            + " limit and continue",
        "node=a&node=b   | query parameter 'node' is given more than once",
      })
  void badParametersAreNamed(String query, String message) {
    assertThatThrownBy(() -> NodeFilter.parse(query(query)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message);
  }
}
