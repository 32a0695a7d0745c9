package io.wgguard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Reads CPU time and memory of processes, and the machine's CPU use, from /proc. */
final class Proc {

  /** Linux USER_HZ; /proc reports CPU times in these ticks. */
  static final double TICKS_PER_SECOND = 100.0;

  private Proc() {}

  /** User plus system CPU time of a process, in seconds. */
  static double cpuSeconds(long pid) {
    String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
    // Fields after the command name, which is in parentheses and may hold spaces.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
  }

  /** Resident set size in KiB ({@code VmRSS}). */
  static long rssKib(long pid) {
    return statusKib(pid, "VmRSS:");
  }

  /** Anonymous resident memory in KiB ({@code RssAnon}): RSS less mapped files (jars, the JDK). */
  static long rssAnonKib(long pid) {
    return statusKib(pid, "RssAnon:");
  }

  /** Peak resident set size in KiB ({@code VmHWM}). */
  static long peakRssKib(long pid) {
    return statusKib(pid, "VmHWM:");
  }

  private static long statusKib(long pid, String field) {
    for (String line : read(Path.of("/proc", Long.toString(pid), "status")).split("\n")) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
      }
    }
    return -1;
  }

  /** Busy and total jiffies of all CPUs, to compute the machine's load over an interval. */
  record MachineCpu(long busy, long total) {
    static MachineCpu now() {
      String[] f = read(Path.of("/proc/stat")).split("\n")[0].trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length; i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new MachineCpu(total - idle, total);
    }

    /** Fraction of all CPUs busy since {@code earlier}, 0..1. */
    double busySince(MachineCpu earlier) {
      long t = total - earlier.total;
      return t == 0 ? 0 : (double) (busy - earlier.busy) / t;
    }
  }

  /** The 1-minute load average. */
  static String loadAverage() {
    return read(Path.of("/proc/loadavg")).split(" ")[0];
  }

  /** A child process of this JVM (at any depth) whose command ends with {@code name}. */
  static Optional<ProcessHandle> descendant(String name) {
    return ProcessHandle.current()
        .descendants()
        .filter(p -> p.info().command().map(c -> c.endsWith("/" + name)).orElse(false))
        .findFirst();
  }

  /** CPU count and model, for the record. */
  static List<String> machine() {
    String model = "";
    for (String line : read(Path.of("/proc/cpuinfo")).split("\n")) {
      if (line.startsWith("model name")) {
        model = line.substring(line.indexOf(':') + 1).trim();
        break;
      }
    }
    return List.of(Runtime.getRuntime().availableProcessors() + " CPUs", model);
  }

  private static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + path, e);
    }
  }
}
