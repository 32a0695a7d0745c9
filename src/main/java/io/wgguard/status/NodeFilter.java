package io.wgguard.status;

import io.wgguard.Names;
import io.wgguard.evidence.NodeState;
import io.wgguard.evidence.NodeVerdict;
import io.wgguard.evidence.NotReadyReason;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Which node rows {@code GET /status} shows: {@code ?node=<name>}, {@code
 * ?state=ready|exempt|not-ready} and {@code ?reason=<taint value>}, all optional and combined with
 * "and". At 65,000 nodes the whole document is 16 MB; on call, one usually wants the few that are
 * not ready. Paging ({@code limit}, {@code continue}) is {@link StatusQuery}'s.
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
      if (!List.of("node", "state", "reason", "limit", "continue").contains(name)) {
        throw new IllegalArgumentException(
            "unknown query parameter '"
                + name
                + "'; /status takes node, state, reason, limit and continue");
      }
    }
    return new NodeFilter(
        single(query, "node"),
        choice(query, "state", NodeState.values(), Names::label),
        choice(query, "reason", NotReadyReason.values(), NotReadyReason::wire));
  }

  /** The constant whose label is the parameter's value. */
  private static <T> Optional<T> choice(
      Map<String, List<String>> query, String name, T[] constants, Function<T, String> label) {
    return single(query, name)
        .map(
            value ->
                Arrays.stream(constants)
                    .filter(c -> label.apply(c).equals(value))
                    .findFirst()
                    .orElseThrow(
                        () ->
                            new IllegalArgumentException(
                                name
                                    + " '"
                                    + value
                                    + "' is not one of "
                                    + Arrays.stream(constants)
                                        .map(label)
                                        .collect(Collectors.joining(", ")))));
  }

  @Override
  public boolean test(NodeVerdict verdict) {
    return node.map(verdict.name()::equals).orElse(true)
        && state.map(s -> s == verdict.state()).orElse(true)
        && reason.map(r -> r == verdict.reason()).orElse(true);
  }

  /** The one value of a parameter, if given. */
  static Optional<String> single(Map<String, List<String>> query, String name) {
    List<String> values = query.getOrDefault(name, List.of());
    if (values.size() > 1) {
      throw new IllegalArgumentException("query parameter '" + name + "' is given more than once");
    }
    return values.stream().findFirst();
  }
}
