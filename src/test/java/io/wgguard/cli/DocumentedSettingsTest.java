package io.wgguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.wgguard.config.WgguardConfig;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Walks the settings table under "## Configuration" in README.md: every documented property is one
 * of the service's, its documented default is the mapping's default and starts, and where the table
 * gives an empty or unset value a meaning, the empty value starts too. "Starts" is the service's
 * own check: the {@link WgguardConfig} mapping built by SmallRye Config with Quarkus's converters
 * (as the offline commands build it), then {@code PolicyProducer.validate}, which the service runs
 * at start-up. One {@code @QuarkusTest} per value would take minutes.
 *
 * <p>A default in backticks is a value ({@code `30s`}); one that starts with {@code $} names an
 * environment variable, and anything else ({@code unset}, {@code from FelixConfiguration}) means
 * the property has no default.
 */
class DocumentedSettingsTest {

  static final Pattern ROW =
      Pattern.compile("^\\| `(wgguard\\.[a-z0-9.-]+)` \\| (.*?) \\| (.*) \\|$");
  static final Pattern VALUE = Pattern.compile("`([^`$][^`]*)`");

  /** One row of the table. */
  record Setting(String name, String defaultCell, String meaning) {

    /** The documented default value, or null when the property has none. */
    String defaultValue() {
      Matcher m = VALUE.matcher(defaultCell);
      return m.matches() ? m.group(1) : null;
    }

    /** Whether the table gives the empty (or unset) value a meaning. */
    boolean emptyMeansSomething() {
      return defaultValue() == null || meaning.matches("(?s).*\\b(empty|unset)\\b.*");
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static List<Setting> documented() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("README.md"));
    int from = lines.indexOf("## Configuration");
    assertThat(from).as("README.md has a ## Configuration section").isNotNegative();
    List<Setting> settings = new ArrayList<>();
    for (String line : lines.subList(from + 1, lines.size())) {
      if (line.startsWith("## ")) {
        break;
      }
      Matcher m = ROW.matcher(line);
      if (m.matches()) {
        settings.add(new Setting(m.group(1), m.group(2).strip(), m.group(3)));
      }
    }
    return settings;
  }

  static Stream<Arguments> settings() throws IOException {
    return documented().stream().map(Arguments::of);
  }

  /** Builds the configuration with {@code set} and runs the service's start-up check on it. */
  static void starts(Map<String, String> set) throws BadInputException {
    OfflineSettings.of(set.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
        .validate();
  }

  @ParameterizedTest(name = "{0}: the documented default is the default and starts")
  @MethodSource("settings")
  void theDocumentedDefaultIsTheDefaultAndStarts(Setting setting) throws BadInputException {
    String raw = OfflineSettings.config(Map.of()).getConfigValue(setting.name()).getValue();

    assertThat(raw).as("default of " + setting.name()).isEqualTo(setting.defaultValue());
    if (setting.defaultValue() != null) {
      assertThatCode(() -> starts(Map.of(setting.name(), setting.defaultValue())))
          .doesNotThrowAnyException();
    }
  }

  /**
   * Guards {@code Optional<String> exemptSelector()} in {@code WgguardConfig}: as a {@code String},
   * the README's empty {@code wgguard.checker.exempt-selector} stopped wgguard (SRCFG00040:
   * SmallRye Config takes an empty value for a missing one; issue #13, defect 9).
   */
  @ParameterizedTest(name = "{0}: the empty value the table gives a meaning starts")
  @MethodSource("settings")
  void theEmptyValueStartsWhereTheTableGivesItAMeaning(Setting setting) {
    if (setting.emptyMeansSomething()) {
      assertThatCode(() -> starts(Map.of(setting.name(), ""))).doesNotThrowAnyException();
    }
  }

  @Test
  void theTableListsEveryPropertyOfTheMappingAndNoOther() throws IOException {
    Set<String> documented = new TreeSet<>();
    documented().forEach(s -> documented.add(s.name()));

    assertThat(documented).isEqualTo(properties("wgguard.", WgguardConfig.class));
  }

  @Test
  void theTableHasTheRowsThisTestReads() throws IOException {
    assertThat(documented())
        .extracting(Setting::name)
        .contains("wgguard.checker.exempt-selector", "wgguard.admission.mode");
  }

  /** The property names of a mapping interface: methods in kebab case, groups recursed into. */
  static Set<String> properties(String prefix, Class<?> group) {
    Set<String> names = new TreeSet<>();
    for (Method method : group.getDeclaredMethods()) {
      if (method.isDefault() || method.isSynthetic()) {
        continue;
      }
      String name =
          prefix + method.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
      Class<?> type = method.getReturnType();
      if (type.isInterface() && type.getEnclosingClass() == WgguardConfig.class) {
        names.addAll(properties(name + ".", type));
      } else {
        names.add(name);
      }
    }
    return names;
  }
}
