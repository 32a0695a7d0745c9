package io.wgguard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Markdown table printed to standard output and appended to {@code target/bench/results.md}, so a
 * run's figures can be pasted into BENCHMARKS.md as they are.
 */
final class Table {

  private final String title;
  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  Table(String title, String... header) {
    this.title = title;
    this.header = List.of(header);
  }

  Table row(Object... cells) {
    List<String> row = new ArrayList<>();
    for (Object cell : cells) {
      row.add(String.valueOf(cell));
    }
    rows.add(row);
    return this;
  }

  /** Prints the table and appends it to the results file. */
  void print() {
    StringBuilder out = new StringBuilder("\n### ").append(title).append("\n\n");
    line(out, header);
    out.append('|');
    header.forEach(h -> out.append("---|"));
    out.append('\n');
    rows.forEach(r -> line(out, r));
    System.out.print(out);
    System.out.flush();
    try {
      Path file = Path.of("target", "bench", "results.md");
      Files.createDirectories(file.getParent());
      Files.writeString(file, out.toString(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.err.println("cannot append to target/bench/results.md: " + e.getMessage());
    }
  }

  private static void line(StringBuilder out, List<String> cells) {
    out.append("| ").append(String.join(" | ", cells)).append(" |\n");
  }

  /** A duration in milliseconds with sensible precision. */
  static String ms(double millis) {
    if (millis < 1) {
      return String.format(Locale.ROOT, "%.3f ms", millis);
    }
    if (millis < 100) {
      return String.format(Locale.ROOT, "%.1f ms", millis);
    }
    return String.format(Locale.ROOT, "%.0f ms", millis);
  }

  /** Nanoseconds as milliseconds. */
  static String nanos(long nanos) {
    return ms(nanos / 1e6);
  }

  /** Bytes as MiB. */
  static String mib(double bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }

  /** A plain number with a fixed number of decimals. */
  static String num(double value, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", value);
  }

  /** Status words for a target. */
  static String verdict(boolean met) {
    return met ? "met" : "MISSED";
  }
}
