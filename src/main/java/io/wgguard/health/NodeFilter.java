package io.wgguard.health;

import io.wgguard.nodes.NodeState;
import io.wgguard.nodes.NodeVerdict;
import io.wgguard.nodes.NotReadyReason;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Which node rows {@code GET /status} shows: {@code ?node=<name>}, {@code
 * ?state=ready|exempt|not-ready} and {@code ?reason=<taint value>}, all optional and combined with
 * "and". At 65,000 nodes the whole document is 16 MB; on call, one usually wants the few that are
 * not ready.
 *
 * @param node exact node name
 * @param state the node's state
 * @param reason the node's not-ready reason
 */
public record NodeFilter(
    Optional<String> node, Optional<NodeState> state, Optional<NotReadyReason> reason)
    implements Predicate<NodeVerdict> {

  /**
   * Reads the query parameters.
   *
   * @throws IllegalArgumentException naming the parameter and the values it takes, for an unknown
   *     parameter, a repeated one or a value that is none of those
   */
  public static NodeFilter parse(Map<String, List<String>> query) {
    for (String name : query.keySet()) {
      if (!List.of("node", "state", "reason").contains(name)) {
        throw new IllegalArgumentException(
            "unknown query parameter '" + name + "'; /status takes node, state and reason");
      }
    }
    Optional<String> node = single(query, "node");
    Optional<NodeState> state =
        single(query, "state")
            .map(
                value ->
                    Arrays.stream(NodeState.values())
                        .filter(s -> label(s).equals(value))
                        .findFirst()
                        .orElseThrow(
                            () ->
                                new IllegalArgumentException(
                                    "state '"
                                        + value
                                        + "' is not one of "
                                        + Arrays.stream(NodeState.values())
                                            .map(NodeFilter::label)
                                            .collect(Collectors.joining(", ")))));
    Optional<NotReadyReason> reason =
        single(query, "reason")
            .map(
                value ->
                    Optional.ofNullable(NotReadyReason.fromWire(value))
                        .orElseThrow(
                            () ->
                                new IllegalArgumentException(
                                    "reason '"
                                        + value
                                        + "' is not one of "
                                        + Arrays.stream(NotReadyReason.values())
                                            .map(NotReadyReason::wire)
                                            .collect(Collectors.joining(", ")))));
    return new NodeFilter(node, state, reason);
  }

  @Override
  public boolean test(NodeVerdict verdict) {
    return node.map(verdict.name()::equals).orElse(true)
        && state.map(s -> s == verdict.state()).orElse(true)
        && reason.map(r -> r == verdict.reason()).orElse(true);
  }

  /** The state as {@code /status}, metrics and this filter spell it: {@code not-ready}. */
  static String label(NodeState state) {
    return state.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static Optional<String> single(Map<String, List<String>> query, String name) {
    List<String> values = query.getOrDefault(name, List.of());
    if (values.size() > 1) {
      throw new IllegalArgumentException("query parameter '" + name + "' is given more than once");
    }
    return values.stream().findFirst();
  }
}
