package io.wgguard.status;

import static io.wgguard.status.NodeFilterTest.query;
import static io.wgguard.status.NodeFilterTest.verdict;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wgguard.evidence.NodeVerdict;
import io.wgguard.evidence.NotReadyReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code GET /status} paging: pages in name order, tokens, and what bad values are told. */
class StatusQueryTest {

  /** Five nodes, in name order as a pass assesses them; worker1 and worker3 are not ready. */
  static final List<NodeVerdict> NODES =
      List.of(
          verdict("control1", true, false, null),
          verdict("worker1", false, false, NotReadyReason.NO_PUBLIC_KEY),
          verdict("worker2", true, false, null),
          verdict("worker3", false, false, NotReadyReason.NO_PUBLIC_KEY),
          verdict("worker4", true, false, null));

  /** Every page of {@code query}, following the tokens, each as its names joined by spaces. */
  static List<String> walk(String query, List<NodeVerdict> nodes) {
    List<String> pages = new ArrayList<>();
    Optional<String> token = Optional.empty();
    do {
      String q = query + token.map(t -> "&continue=" + t).orElse("");
      StatusQuery.Page page = StatusQuery.parse(query(q)).page(nodes);
      pages.add(String.join(" ", page.rows().stream().map(NodeVerdict::name).toList()));
      token = page.next();
    } while (token.isPresent() && pages.size() < 1_000);
    return pages;
  }

  @ParameterizedTest(name = "?{0} pages as [{1}]")
  @CsvSource(
      delimiter = '|',
      value = {
        "state=ready                  | control1 worker2 worker4",
        "limit=2                      | control1 worker1, worker2 worker3, worker4",
        "limit=5                      | control1 worker1 worker2 worker3 worker4",
        "limit=4                      | control1 worker1 worker2 worker3, worker4",
        "limit=1&state=not-ready      | worker1, worker3",
        "limit=2&state=not-ready      | worker1 worker3",
        "limit=2&node=worker3         | worker3",
        "limit=3&reason=no-public-key | worker1 worker3",
        "limit=2&node=gone            | ''",
      })
  void pagesWalkTheRowsOnceInNameOrder(String query, String pages) {
    assertThat(walk(query, NODES))
        .containsExactlyElementsOf(pages == null ? List.of("") : List.of(pages.split(", ")));
  }

  @Test
  void aPageThatEndsTheRowsHasNoToken() {
    assertThat(StatusQuery.parse(query("limit=5")).page(NODES).next()).isEmpty();
    assertThat(StatusQuery.parse(query("")).page(NODES).next()).isEmpty();
  }

  @Test
  void aTokenResumesAfterItsNodeEvenWhenThatNodeIsGone() {
    String token = StatusQuery.parse(query("limit=2")).page(NODES).next().orElseThrow();
    List<NodeVerdict> withoutWorker1 =
        NODES.stream().filter(v -> !v.name().equals("worker1")).toList();

    StatusQuery.Page next =
        StatusQuery.parse(query("limit=2&continue=" + token)).page(withoutWorker1);

    assertThat(next.rows()).extracting(NodeVerdict::name).containsExactly("worker2", "worker3");
  }

  @Test
  void rowsOutOfOrderArePagedInNameOrder() {
    List<NodeVerdict> shuffled = List.of(NODES.get(3), NODES.get(0), NODES.get(4), NODES.get(1));

    assertThat(walk("limit=3", shuffled)).containsExactly("control1 worker1 worker3", "worker4");
  }

  @Test
  void sixtyFiveThousandNodesInPagesOf500AreEachShownOnce() {
    List<NodeVerdict> nodes =
        IntStream.range(0, 65_000)
            .mapToObj(i -> verdict("node-%05d".formatted(i), true, false, null))
            .toList();

    List<String> pages = walk("limit=500", nodes);

    assertThat(pages.size()).isEqualTo(130);
    assertThat(Set.of(String.join(" ", pages).split(" ")).size()).isEqualTo(65_000);
  }

  @ParameterizedTest(name = "?{0} is refused: {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "limit=0           | limit '0' is not a whole number from 1 to 2147483647, e.g. limit=500;"
            + " leave limit out for every row",
        "limit=-3          | limit '-3' is not a whole number from 1 to 2147483647",
        "limit=ten         | limit 'ten' is not a whole number from 1 to 2147483647",
        "limit=99999999999 | limit '99999999999' is not a whole number from 1 to 2147483647",
        "limit=1&limit=2   | query parameter 'limit' is given more than once",
        "continue=%%%      | continue '%%%' is not a token /status returned: pass the continue"
            + " value of the previous response unchanged, or leave continue out for the first page",
        "continue=d29ya2VyMQ | continue 'd29ya2VyMQ' is not a token /status returned",
        "continue=MS8      | continue 'MS8' is not a token /status returned",
        "cursor=abc        | unknown query parameter 'cursor'; /status takes node, state, reason,"
            + " limit and continue",
      })
  void badPagingParametersAreNamed(String query, String message) {
    assertThatThrownBy(() -> StatusQuery.parse(query(query)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message);
  }
}
