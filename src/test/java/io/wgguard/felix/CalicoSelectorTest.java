package io.wgguard.felix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CalicoSelectorTest {

  static final Map<String, String> EDGE =
      Map.of(
          "kubernetes.io/hostname", "edge-1",
          "kubernetes.io/os", "linux",
          "topology.kubernetes.io/zone", "eu-west-1a",
          "tier", "edge",
          "wg", "on");
  static final Map<String, String> CORE =
      Map.of("kubernetes.io/hostname", "core-7", "kubernetes.io/os", "linux", "tier", "core");

  static Arguments c(String sentence, String selector, boolean edge, boolean core) {
    return Arguments.of(sentence, selector, edge, core);
  }

  static Stream<Arguments> matching() {
    return Stream.of(
        c("all() selects every node", "all()", true, true),
        c("all() may hold blanks inside the parentheses", "all( )", true, true),
        c("an empty selector means all(), as in Calico", "", true, true),
        c("a blank selector means all()", " \t ", true, true),
        c("global() evaluates true, as Calico does", "global()", true, true),
        c("has(k) selects nodes with the label", "has(wg)", true, false),
        c("has( k ) may hold blanks", "has( wg )", true, false),
        c("!has(k) selects nodes without the label", "!has(wg)", false, true),
        c("== compares with a single-quoted value", "tier == 'edge'", true, false),
        c("== compares with a double-quoted value", "tier == \"core\"", false, true),
        c("== needs no blanks around it", "tier=='edge'", true, false),
        c("== on a missing label is false", "missing == 'x'", false, false),
        c("!= selects other values", "tier != 'edge'", false, true),
        c("!= also selects nodes without the label", "wg != 'off'", true, true),
        c("in selects any listed value", "tier in {'edge', \"gpu\"}", true, false),
        c("in with an empty set selects nothing", "tier in {}", false, false),
        c("in accepts a trailing comma, as Calico does", "tier in {'core',}", false, true),
        c("in on a missing label is false", "missing in {'x'}", false, false),
        c("not in selects other values", "tier not in {'edge'}", false, true),
        c("not in also selects nodes without the label", "wg not in {'off'}", true, true),
        c("contains looks inside the value", "kubernetes.io/hostname contains 'ge-'", true, false),
        c(
            "starts with checks the prefix",
            "kubernetes.io/hostname starts with 'core'",
            false,
            true),
        c("ends with checks the suffix", "topology.kubernetes.io/zone ends with '1a'", true, false),
        c("contains on a missing label is false", "missing contains ''", false, false),
        c("&& needs both sides", "has(wg) && tier == 'edge'", true, false),
        c("|| needs either side", "tier == 'core' || wg == 'on'", true, true),
        c("&& binds tighter than ||", "tier == 'core' || has(wg) && tier == 'gpu'", false, true),
        c("parentheses regroup", "(tier == 'core' || has(wg)) && tier == 'gpu'", false, false),
        c("! negates a comparison", "!tier == 'edge'", false, true),
        c("! negates a parenthesised selector", "!(has(wg) || tier == 'core')", false, false),
        c("!! cancels out", "!!has(wg)", true, false),
        c(
            "keys may hold dots, slashes, dashes, underscores",
            "has(a_b.c/d-e) || all()",
            true,
            true),
        c(
            "string values are taken literally, quotes of the other kind included",
            "tier != \"it's\"",
            true,
            true),
        c(
            "not in may be written notin (tokenizer.go cutMultiWordPrefixCheckBreak)",
            "tier notin {'edge'}",
            false,
            true),
        c(
            "a label of 512 characters is Calico's longest (tokenizer.go MaxLabelLength)",
            "has(" + "a".repeat(512) + ") || tier == 'edge'",
            true,
            false),
        c(
            "a realistic selector from a selector-scoped FelixConfiguration",
            "kubernetes.io/os == 'linux' && tier in {'edge'} && !has(node-role.kubernetes.io/control-plane)",
            true,
            false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("matching")
  void selects(String sentence, String selector, boolean edge, boolean core) {
    CalicoSelector parsed = CalicoSelector.parse(selector);

    assertThat(new boolean[] {parsed.matches(EDGE), parsed.matches(CORE)})
        .containsExactly(edge, core);
    assertThat(parsed.text()).isEqualTo(selector);
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of(
            "a bare label is not a selector",
            "tier",
            "expected an operator (==, !=, in, not in, contains, starts with, ends with) after"
                + " label 'tier' at position 4 of selector \"tier\"",
            4),
        Arguments.of(
            "a single = is refused",
            "tier = 'edge'",
            "expected '==' at position 5 of selector \"tier = 'edge'\"",
            5),
        Arguments.of(
            "an unquoted value is refused",
            "tier == edge",
            "expected a quoted string after '==' at position 8 of selector \"tier == edge\"",
            8),
        Arguments.of(
            "an unterminated string is refused where it opens",
            "tier == 'edge",
            "unterminated string at position 8 of selector \"tier == 'edge\"",
            8),
        Arguments.of(
            "a missing closing parenthesis is refused at the end",
            "(has(wg) || all()",
            "expected ')' at position 17 of selector \"(has(wg) || all()\"",
            17),
        Arguments.of(
            "a dangling && is refused",
            "has(wg) &&",
            "unexpected the end, expected a label, has(...), all() or '(' at position 10 of"
                + " selector \"has(wg) &&\"",
            10),
        Arguments.of(
            "a single & is refused",
            "has(a) & has(b)",
            "expected '&&' at position 7 of selector \"has(a) & has(b)\"",
            7),
        Arguments.of(
            "a single | is refused",
            "has(a) | has(b)",
            "expected '||' at position 7 of selector \"has(a) | has(b)\"",
            7),
        Arguments.of(
            "has() without a label is refused",
            "has()",
            "expected a label name in has(...) at position 4 of selector \"has()\"",
            4),
        Arguments.of(
            "has( without ) is refused",
            "has(wg",
            "expected ')' to close has( at position 6 of selector \"has(wg\"",
            6),
        Arguments.of(
            "all( without ) is refused",
            "all(x)",
            "expected ')' to close all( at position 4 of selector \"all(x)\"",
            4),
        Arguments.of(
            "two selectors side by side are refused",
            "has(a) has(b)",
            "unexpected 'has(...)', expected '&&', '||' or the end at position 7 of selector"
                + " \"has(a) has(b)\"",
            7),
        Arguments.of(
            "in without a set is refused",
            "tier in 'edge'",
            "expected '{' after 'in' at position 8 of selector \"tier in 'edge'\"",
            8),
        Arguments.of(
            "an unclosed set is refused",
            "tier in {'edge'",
            "expected a quoted string or '}' in the set at position 15 of selector"
                + " \"tier in {'edge'\"",
            15),
        Arguments.of(
            "not without in is refused",
            "tier not 'edge'",
            "expected 'in' after 'not' at position 9 of selector \"tier not 'edge'\"",
            9),
        Arguments.of(
            "starts without with is refused",
            "tier starts 'e'",
            "expected 'with' after 'starts' at position 12 of selector \"tier starts 'e'\"",
            12),
        Arguments.of(
            "a character outside the grammar is refused",
            "tier == 'a' ; has(b)",
            "unexpected character ';' at position 12 of selector \"tier == 'a' ; has(b)\"",
            12),
        Arguments.of(
            "a newline is not whitespace to Calico",
            "has(a)\n&& has(b)",
            "unexpected character '?' at position 6 of selector \"has(a)?&& has(b)\"",
            6),
        Arguments.of(
            "a label longer than 512 characters is refused (tokenizer.go MaxLabelLength)",
            "a".repeat(513) + " == 'x'",
            "label of 513 characters, longer than Calico's limit of 512 at position 0 of selector \""
                + "a".repeat(64)
                + "...\"",
            0),
        Arguments.of(
            "a label longer than 512 characters in has() is refused too",
            "has(" + "b".repeat(600) + ")",
            "label of 600 characters, longer than Calico's limit of 512 at position 4 of selector"
                + " \"has("
                + "b".repeat(60)
                + "...\"",
            4),
        Arguments.of(
            "in must end at a word boundary (tokenizer.go isWordBoundary)",
            "tier inx {'a'}",
            "expected an operator (==, !=, in, not in, contains, starts with, ends with) after"
                + " label 'tier' at position 5 of selector \"tier inx {'a'}\"",
            5),
        Arguments.of(
            "contains must end at a word boundary",
            "tier containsx 'a'",
            "expected an operator (==, !=, in, not in, contains, starts with, ends with) after"
                + " label 'tier' at position 5 of selector \"tier containsx 'a'\"",
            5),
        Arguments.of(
            "an unclosed parenthesis deep inside is refused, not overflowed",
            "(".repeat(50_000) + "has(a)" + ")".repeat(49_999),
            "expected ')' at position 100005 of selector \"" + "(".repeat(64) + "...\"",
            100_005),
        Arguments.of(
            "a stray closing parenthesis is refused",
            "has(a))",
            "unexpected ')', expected '&&', '||' or the end at position 6 of selector"
                + " \"has(a))\"",
            6));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errors")
  void refuses(String sentence, String selector, String message, int position) {
    SelectorSyntaxException e =
        catchThrowableOfType(() -> CalicoSelector.parse(selector), SelectorSyntaxException.class);

    assertThat(e).isNotNull();
    assertThat(e.getMessage()).isEqualTo(message);
    assertThat(e.position()).isEqualTo(position);
  }

  static Stream<Arguments> deep() {
    int n = 200_000;
    return Stream.of(
        c(
            "parentheses nested 200,000 deep",
            "(".repeat(n) + "has(wg)" + ")".repeat(n),
            true,
            false),
        c(
            "negated parentheses nested 200,000 deep (an even count of !)",
            "!(".repeat(n) + "has(wg)" + ")".repeat(n),
            true,
            false),
        c(
            "200,000 alternating && and || groups",
            "(has(wg) && (tier == 'core' || ".repeat(n / 10) + "all()" + "))".repeat(n / 10),
            true,
            false),
        c("a chain of 200,000 &&", "has(wg)" + " && tier != 'x'".repeat(n), true, false));
  }

  /**
   * Felix parses any nesting (Go's stacks grow); the agent runs with -Xss256k
   * (manifests/base/agent-daemonset.yaml), so parsing and matching must not recurse: run on a
   * thread with a 256 KiB stack, a recursive parser overflows at a few thousand levels.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("deep")
  void parsesAndMatchesAnyNestingWithoutRecursion(
      String sentence, String selector, boolean edge, boolean core) throws InterruptedException {
    boolean[] results = new boolean[2];
    Throwable[] failure = new Throwable[1];
    Thread thread =
        new Thread(
            null,
            () -> {
              try {
                CalicoSelector parsed = CalicoSelector.parse(selector);
                results[0] = parsed.matches(EDGE);
                results[1] = parsed.matches(CORE);
              } catch (Throwable t) {
                failure[0] = t;
              }
            },
            "small-stack",
            256 * 1024);
    thread.start();
    thread.join();

    assertThat(failure[0]).isNull();
    assertThat(results).containsExactly(edge, core);
  }
}
