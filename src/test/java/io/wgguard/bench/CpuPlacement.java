package io.wgguard.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where a benchmark's processes get their CPU, as a cluster would give it, on one machine: wgguard
 * in a {@code cpu} cgroup whose CFS quota is the Deployment's CPU limit, and kube-apiserver and
 * etcd in one of the lowest weight ({@code cpu.shares} 2), so they take what wgguard and the load
 * generator leave, as if they ran on the control plane's machines. The benchmark's own JVM (the
 * load generator, and the kubectl it runs) gets a group of its own at the default weight: in the
 * root group each of its threads would weigh as much as wgguard's whole group.
 *
 * <p>cgroup v1's {@code cpu} controller (this machine mounts it at {@code /sys/fs/cgroup/cpu});
 * root only. {@link #create} is empty where it is not there, and the benchmark then says its
 * processes shared the cores.
 */
final class CpuPlacement implements AutoCloseable {

  static final Path ROOT = Path.of("/sys/fs/cgroup/cpu");
  private static final long PERIOD_US = 100_000;

  private final Path wgguard;
  private final Path apiServer;
  private final Path load;
  private final double cpus;

  private CpuPlacement(Path wgguard, Path apiServer, Path load, double cpus) {
    this.wgguard = wgguard;
    this.apiServer = apiServer;
    this.load = load;
    this.cpus = cpus;
  }

  /**
   * Three fresh groups named after {@code name}, wgguard's limited to {@code cpus} CPUs, and this
   * JVM moved into the load generator's; empty when the controller is missing or not writable.
   */
  static Optional<CpuPlacement> create(String name, double cpus) {
    if (!(cpus > 0)) {
      throw new IllegalArgumentException("a CPU limit must be positive, not " + cpus);
    }
    if (!Files.isWritable(ROOT.resolve("cgroup.procs"))) {
      return Optional.empty();
    }
    Path wgguard = ROOT.resolve(name + "-wgguard");
    Path apiServer = ROOT.resolve(name + "-apiserver");
    Path load = ROOT.resolve(name + "-load");
    try {
      Files.createDirectories(wgguard);
      Files.createDirectories(apiServer);
      Files.createDirectories(load);
      write(wgguard.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_US));
      write(wgguard.resolve("cpu.cfs_quota_us"), Long.toString(Math.round(cpus * PERIOD_US)));
      write(apiServer.resolve("cpu.shares"), "2");
      write(load.resolve("cgroup.procs"), Long.toString(ProcessHandle.current().pid()));
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.of(new CpuPlacement(wgguard, apiServer, load, cpus));
  }

  /** Moves a process (every thread of it) under wgguard's CPU limit. */
  void limit(long pid) {
    move(wgguard, pid);
  }

  /** Moves a process to the lowest weight. */
  void yieldCpu(long pid) {
    move(apiServer, pid);
  }

  /** The {@code cgroup.procs} of the lowest-weight group, for a process to write itself into. */
  Path yieldingProcs() {
    return apiServer.resolve("cgroup.procs");
  }

  /** Throttling of wgguard's group so far: periods, throttled periods, throttled time. */
  Throttling throttling() {
    long periods = 0;
    long throttled = 0;
    long nanos = 0;
    try {
      for (String line : Files.readAllLines(wgguard.resolve("cpu.stat"))) {
        String[] kv = line.split(" ");
        switch (kv[0]) {
          case "nr_periods" -> periods = Long.parseLong(kv[1]);
          case "nr_throttled" -> throttled = Long.parseLong(kv[1]);
          case "throttled_time" -> nanos = Long.parseLong(kv[1]);
          default -> {}
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Throttling(periods, throttled, nanos);
  }

  String describe() {
    return String.format(
        "wgguard under a CFS quota of %s CPU (the Deployment's limit), the load generator beside it"
            + " at the same weight, kube-apiserver and etcd at cpu.shares 2",
        cpus);
  }

  /** Moves what is left in the groups back to the root and removes them. */
  @Override
  public void close() {
    for (Path group : List.of(wgguard, apiServer, load)) {
      try {
        for (String pid : Files.readAllLines(group.resolve("cgroup.procs"))) {
          try {
            write(ROOT.resolve("cgroup.procs"), pid);
          } catch (IOException e) {
            // it exited meanwhile
          }
        }
        Files.deleteIfExists(group);
      } catch (IOException e) {
        System.err.println("bench: could not remove " + group + ": " + e);
      }
    }
  }

  private static void move(Path group, long pid) {
    try {
      write(group.resolve("cgroup.procs"), Long.toString(pid));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move process " + pid + " into " + group, e);
    }
  }

  private static void write(Path file, String value) throws IOException {
    Files.writeString(file, value);
  }

  /** A group's {@code cpu.stat} counters. */
  record Throttling(long periods, long throttledPeriods, long throttledNanos) {
    Throttling since(Throttling before) {
      return new Throttling(
          periods - before.periods,
          throttledPeriods - before.throttledPeriods,
          throttledNanos - before.throttledNanos);
    }

    @Override
    public String toString() {
      return String.format(
          "%,d of %,d periods throttled, %,.0f ms",
          throttledPeriods, periods, throttledNanos / 1e6);
    }
  }
}
