package io.wgguard.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The little of PromQL and of Prometheus' text format the dashboard test needs: which metrics a
 * query names, and which samples an exposition has.
 */
public final class PromQl {

  private static final Set<String> KEYWORDS =
      Set.of(
          "and",
          "or",
          "unless",
          "bool",
          "offset",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "inf",
          "nan",
          "atan2");
  private static final Pattern STRING =
      Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{[^}]*\\}|\\$\\w+");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*\\}");
  private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*\\]");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern NUMBER =
      Pattern.compile("(?<![\\w:])\\d+(\\.\\d+)?(e[+-]?\\d+)?([smhdwy]|ms)?(?![\\w:])");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  private PromQl() {}

  /** The metric names a PromQL expression selects, in order of appearance. */
  public static Set<String> metricNames(String expression) {
    String rest = STRING.matcher(expression).replaceAll(" ");
    rest = VARIABLE.matcher(rest).replaceAll(" ");
    rest = MATCHERS.matcher(rest).replaceAll(" ");
    rest = RANGE.matcher(rest).replaceAll(" ");
    rest = GROUPING.matcher(rest).replaceAll(" ");
    rest = NUMBER.matcher(rest).replaceAll(" ");
    Set<String> names = new LinkedHashSet<>();
    Matcher m = IDENTIFIER.matcher(rest);
    while (m.find()) {
      String name = m.group();
      int next = m.end();
      while (next < rest.length() && Character.isWhitespace(rest.charAt(next))) {
        next++;
      }
      boolean function = next < rest.length() && rest.charAt(next) == '(';
      if (!function && !KEYWORDS.contains(name)) {
        names.add(name);
      }
    }
    return names;
  }

  /** Every {@code expr} of a Grafana dashboard's panels (rows and nested panels included). */
  public static List<String> expressions(JsonNode dashboard) {
    List<String> found = new ArrayList<>();
    collect(dashboard, found);
    return found;
  }

  private static void collect(JsonNode node, List<String> found) {
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              field -> {
                if (field.getKey().equals("expr") && field.getValue().isTextual()) {
                  found.add(field.getValue().asText());
                } else {
                  collect(field.getValue(), found);
                }
              });
    } else if (node.isArray()) {
      node.forEach(child -> collect(child, found));
    }
  }

  /** The sample names of a Prometheus text exposition ({@code name{labels} value}). */
  public static Set<String> sampleNames(String exposition) {
    Set<String> names = new TreeSet<>();
    for (String line : exposition.split("\n")) {
      String sample = line.strip();
      if (sample.isEmpty() || sample.startsWith("#")) {
        continue;
      }
      Matcher m = IDENTIFIER.matcher(sample);
      if (m.lookingAt()) {
        names.add(m.group());
      }
    }
    return names;
  }
}
