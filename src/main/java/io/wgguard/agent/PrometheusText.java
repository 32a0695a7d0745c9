package io.wgguard.agent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Prometheus' text exposition format (version 0.0.4), as Felix serves it: {@code # HELP} and
 * {@code # TYPE} lines and other comments are skipped; each sample is {@code
 * name{label="value",...} value [timestamp]}, label values with {@code \\}, {@code \"} and {@code
 * \n} escapes, values including {@code NaN}, {@code +Inf} and {@code -Inf}.
 */
public final class PrometheusText {

  /**
   * One sample.
   *
   * @param name the metric name
   * @param labels label names to values, in the order written
   * @param value the value
   */
  public record Sample(String name, Map<String, String> labels, double value) {

    public Sample {
      labels = Map.copyOf(labels);
    }
  }

  private PrometheusText() {}

  /**
   * Parses a whole exposition.
   *
   * @throws IllegalArgumentException naming the line and what is wrong with it
   */
  public static List<Sample> parse(String text) {
    List<Sample> samples = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        samples.add(new LineReader(line).sample());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("line " + (i + 1) + ": " + e.getMessage());
      }
    }
    return samples;
  }

  private static final class LineReader {
    private final String line;
    private int pos;

    LineReader(String line) {
      this.line = line;
    }

    Sample sample() {
      String name = name("metric name");
      Map<String, String> labels = new LinkedHashMap<>();
      skipBlanks();
      if (pos < line.length() && line.charAt(pos) == '{') {
        pos++;
        labels(labels);
      }
      skipBlanks();
      String[] rest = line.substring(pos).strip().split("[ \t]+");
      if (rest.length == 0 || rest[0].isEmpty()) {
        throw new IllegalArgumentException(name + " has no value");
      }
      if (rest.length > 2) {
        throw new IllegalArgumentException(
            name
                + " has "
                + rest.length
                + " fields after the labels, expected a value and an"
                + " optional timestamp");
      }
      double value = value(name, rest[0]);
      if (rest.length == 2) {
        try {
          Long.parseLong(rest[1]);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              name + " has timestamp '" + clip(rest[1]) + "', not milliseconds since the epoch");
        }
      }
      return new Sample(name, labels, value);
    }

    private void labels(Map<String, String> labels) {
      while (true) {
        skipBlanks();
        if (pos >= line.length()) {
          throw new IllegalArgumentException("labels are not closed with '}'");
        }
        if (line.charAt(pos) == '}') {
          pos++;
          return;
        }
        String label = name("label name");
        skipBlanks();
        expect('=', "after label " + label);
        skipBlanks();
        expect('"', "to open the value of label " + label);
        StringBuilder value = new StringBuilder();
        while (true) {
          if (pos >= line.length()) {
            throw new IllegalArgumentException("the value of label " + label + " is not closed");
          }
          char c = line.charAt(pos++);
          if (c == '"') {
            break;
          }
          if (c == '\\') {
            if (pos >= line.length()) {
              throw new IllegalArgumentException("the value of label " + label + " is not closed");
            }
            char escaped = line.charAt(pos++);
            switch (escaped) {
              case '\\' -> value.append('\\');
              case '"' -> value.append('"');
              case 'n' -> value.append('\n');
              default ->
                  throw new IllegalArgumentException(
                      "the value of label " + label + " has an unknown escape \\" + escaped);
            }
          } else {
            value.append(c);
          }
        }
        if (labels.put(label, value.toString()) != null) {
          throw new IllegalArgumentException("label " + label + " is given twice");
        }
        skipBlanks();
        if (pos < line.length() && line.charAt(pos) == ',') {
          pos++;
        } else if (pos >= line.length() || line.charAt(pos) != '}') {
          throw new IllegalArgumentException("expected ',' or '}' after label " + label);
        }
      }
    }

    private String name(String what) {
      int start = pos;
      while (pos < line.length()) {
        char c = line.charAt(pos);
        boolean ok =
            c >= 'a' && c <= 'z'
                || c >= 'A' && c <= 'Z'
                || c == '_'
                || c == ':'
                || pos > start && c >= '0' && c <= '9';
        if (!ok) {
          break;
        }
        pos++;
      }
      if (pos == start) {
        throw new IllegalArgumentException("expected a " + what + " at column " + (pos + 1));
      }
      return line.substring(start, pos);
    }

    private void expect(char c, String where) {
      if (pos >= line.length() || line.charAt(pos) != c) {
        throw new IllegalArgumentException("expected '" + c + "' " + where);
      }
      pos++;
    }

    private void skipBlanks() {
      while (pos < line.length() && (line.charAt(pos) == ' ' || line.charAt(pos) == '\t')) {
        pos++;
      }
    }

    private static double value(String name, String text) {
      switch (text) {
        case "NaN":
          return Double.NaN;
        case "+Inf":
        case "Inf":
          return Double.POSITIVE_INFINITY;
        case "-Inf":
          return Double.NEGATIVE_INFINITY;
        default:
          try {
            if (text.chars().anyMatch(Character::isLetter)
                && !text.matches("[-+]?[0-9.]+[eE][-+]?[0-9]+")) {
              throw new NumberFormatException();
            }
            return Double.parseDouble(text);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                name + " has value '" + clip(text) + "', not a number");
          }
      }
    }
  }

  private static String clip(String text) {
    return text.length() > 32 ? text.substring(0, 32) + "…" : text;
  }
}
