package io.wgguard.status;

import io.wgguard.Messages;
import io.wgguard.evidence.NodeVerdict;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code GET /status} is asked for: the rows {@link NodeFilter} lets through, a page of them
 * at a time, Kubernetes-style: {@code ?limit=N} caps the rows of a response, whose {@code continue}
 * field then holds an opaque token; {@code ?continue=TOKEN} (with the same filter) returns the next
 * page. Rows come in node-name order, and a token resumes after the last name it was given, so a
 * node added or removed between two pages neither shifts nor repeats the others. Without {@code
 * limit}, every row.
 *
 * @param filter which rows
 * @param limit most rows in one response; 0: no limit
 * @param after the node name the previous page ended with, from the {@code continue} token
 */
public record StatusQuery(NodeFilter filter, int limit, Optional<String> after) {

  /** Version prefix inside a token, so that a later format can tell old tokens apart. */
  private static final String TOKEN_PREFIX = "1/";

  private static final Comparator<NodeVerdict> BY_NAME = Comparator.comparing(NodeVerdict::name);

  /** One page of rows, and the token of the next page when there are more rows. */
  public record Page(List<NodeVerdict> rows, Optional<String> next) {}

  /**
   * Reads the query parameters: those of {@link NodeFilter} and {@code limit}, {@code continue}.
   *
   * @throws IllegalArgumentException naming the parameter and the form it takes
   */
  public static StatusQuery parse(Map<String, List<String>> query) {
    NodeFilter filter = NodeFilter.parse(query);
    int limit =
        NodeFilter.single(query, "limit")
            .map(
                value -> {
                  try {
                    int n = Integer.parseInt(value);
                    if (n > 0) {
                      return n;
                    }
                  } catch (NumberFormatException e) {
                    // refused below, with the accepted form
                  }
                  throw new IllegalArgumentException(
                      "limit '"
                          + Messages.clip(value)
                          + "' is not a whole number from 1 to 2147483647, e.g. limit=500; leave"
                          + " limit out for every row");
                })
            .orElse(0);
    Optional<String> after = NodeFilter.single(query, "continue").map(StatusQuery::decode);
    return new StatusQuery(filter, limit, after);
  }

  /**
   * The page of {@code verdicts} this query asks for. {@code verdicts} should come ordered by name
   * (a pass assesses nodes in that order); if they do not, a sorted copy is paged.
   */
  public Page page(List<NodeVerdict> verdicts) {
    List<NodeVerdict> sorted = verdicts;
    for (int i = 1; i < verdicts.size(); i++) {
      if (BY_NAME.compare(verdicts.get(i - 1), verdicts.get(i)) > 0) {
        sorted = new ArrayList<>(verdicts);
        sorted.sort(BY_NAME);
        break;
      }
    }
    int start = 0;
    if (after.isPresent()) {
      int low = 0;
      int high = sorted.size();
      while (low < high) { // the first name after the token's
        int mid = (low + high) >>> 1;
        if (sorted.get(mid).name().compareTo(after.get()) <= 0) {
          low = mid + 1;
        } else {
          high = mid;
        }
      }
      start = low;
    }
    List<NodeVerdict> rows = new ArrayList<>();
    for (int i = start; i < sorted.size(); i++) {
      NodeVerdict verdict = sorted.get(i);
      if (!filter.test(verdict)) {
        continue;
      }
      if (limit > 0 && rows.size() == limit) {
        return new Page(rows, Optional.of(token(rows.get(rows.size() - 1).name())));
      }
      rows.add(verdict);
    }
    return new Page(rows, Optional.empty());
  }

  /** The token that resumes after {@code name}. */
  static String token(String name) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((TOKEN_PREFIX + name).getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(String token) {
    String problem =
        "continue '"
            + Messages.clip(token)
            + "' is not a token /status returned: pass the continue value of the previous"
            + " response unchanged, or leave continue out for the first page";
    String text;
    try {
      text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(problem, e);
    }
    if (!text.startsWith(TOKEN_PREFIX) || text.length() == TOKEN_PREFIX.length()) {
      throw new IllegalArgumentException(problem);
    }
    return text.substring(TOKEN_PREFIX.length());
  }
}
