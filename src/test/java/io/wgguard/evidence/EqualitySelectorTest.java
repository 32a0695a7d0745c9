package io.wgguard.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.wgguard.felix.SelectorSyntaxException;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EqualitySelectorTest {

  static final Map<String, String> WINDOWS =
      Map.of("kubernetes.io/os", "windows", "pool", "win", "gpu", "");
  static final Map<String, String> LINUX = Map.of("kubernetes.io/os", "linux", "pool", "general");

  static Arguments c(String sentence, String selector, String canonical, boolean win, boolean lin) {
    return Arguments.of(sentence, selector, canonical, win, lin);
  }

  static Stream<Arguments> matching() {
    return Stream.of(
        c("an empty selector exempts nothing", "", "", false, false),
        c("a blank selector exempts nothing", "  ", "", false, false),
        c(
            "key=value selects that value",
            "kubernetes.io/os=windows",
            "kubernetes.io/os=windows",
            true,
            false),
        c(
            "key==value is the same as key=value",
            "kubernetes.io/os==windows",
            "kubernetes.io/os=windows",
            true,
            false),
        c("key!=value selects other values", "pool!=win", "pool!=win", false, true),
        c("key!=value selects nodes without the label", "gpu!=x", "gpu!=x", true, true),
        c("a bare key selects nodes with the label", "gpu", "gpu", true, false),
        c("!key selects nodes without the label", "!gpu", "!gpu", false, true),
        c("key= selects an empty value", "gpu=", "gpu=", true, false),
        c(
            "commas AND requirements",
            "kubernetes.io/os=windows, pool=general",
            "kubernetes.io/os=windows,pool=general",
            false,
            false),
        c(
            "blanks around requirements are ignored",
            " pool = win ,gpu ",
            "pool=win,gpu",
            true,
            false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("matching")
  void selects(String sentence, String text, String canonical, boolean win, boolean lin) {
    EqualitySelector selector = EqualitySelector.parse(text);

    assertThat(
            new Object[] {selector.toString(), selector.matches(WINDOWS), selector.matches(LINUX)})
        .containsExactly(canonical, win, lin);
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of(
            "an empty requirement between commas is refused",
            "a=b,,c",
            "empty requirement at position 4 of selector \"a=b,,c\""),
        Arguments.of(
            "a key with a blank is refused",
            "os type=windows",
            "'os type' is not a valid label key at position 0 of selector \"os type=windows\""),
        Arguments.of(
            "a value with a slash is refused, at the start of its requirement",
            "a=b, os=win/dows",
            "'win/dows' is not a valid label value at position 5 of selector \"a=b, os=win/dows\""),
        Arguments.of(
            "set-based syntax is not supported",
            "os in (windows)",
            "'os in (windows)' is not a valid label key at position 0 of selector"
                + " \"os in (windows)\""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errors")
  void refuses(String sentence, String text, String message) {
    SelectorSyntaxException e =
        catchThrowableOfType(() -> EqualitySelector.parse(text), SelectorSyntaxException.class);

    assertThat(e).isNotNull();
    assertThat(e.getMessage()).isEqualTo(message);
  }
}
