package io.wgguard.bench;

import static io.wgguard.felix.Felix.felix;
import static io.wgguard.felix.Felix.update;

import io.wgguard.felix.ClusterView;
import io.wgguard.felix.FelixObject;
import io.wgguard.policy.AdmissionInput;
import io.wgguard.policy.Decision;
import io.wgguard.policy.FelixConfigurationPolicy;
import io.wgguard.policy.PolicySettings;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cost of judging one FelixConfiguration write in process, with the effect on nodes computed
 * from a view of N nodes, against the same write judged by the object alone (what admission did
 * before writes were judged by their effect). No HTTP, no JSON: what the effect computation adds to
 * a request.
 *
 * <p>Arguments: node counts; {@code -Druns=20000 -Dwarmup=20000} set the repetitions.
 */
public final class JudgeBenchmark {

  private JudgeBenchmark() {}

  public static void main(String[] args) {
    int runs = Integer.getInteger("runs", 20_000);
    int warmup = Integer.getInteger("warmup", 20_000);
    Instant now = Instant.parse("2026-11-25T12:00:00Z");
    FelixConfigurationPolicy policy = new FelixConfigurationPolicy(PolicySettings.defaults());
    Table table =
        new Table(
            "Judging one FelixConfiguration write in process, "
                + runs
                + " runs after "
                + warmup
                + " warm-up runs; JVM `"
                + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())
                + "`",
            "nodes",
            "write",
            "by effect: median",
            "p99",
            "allocated",
            "object alone: median",
            "p99",
            "allocated");
    for (String arg : args) {
      int n = Integer.parseInt(arg.replace(",", "").replace("_", ""));
      Map<String, Map<String, String>> nodes = new HashMap<>();
      for (int i = 0; i < n; i++) {
        nodes.put(
            "node-" + i,
            Map.of("zone", "z" + (i % 3), "kubernetes.io/os", "linux", "rack", "r" + (i % 40)));
      }
      List<FelixObject> cluster =
          List.of(
              felix("default").wireguard(true).object(),
              felix("node.node-7").wireguard(true).object(),
              felix("zone-1").selector("zone == 'z1'").wireguard(true).object());
      ClusterView view = ClusterView.of(true, cluster, nodes);
      Map<String, AdmissionInput> writes = new LinkedHashMap<>();
      writes.put(
          "calico-node writes another field of default",
          update(
                  felix("default").wireguard(true).spec("logSeverityScreen", "\"Info\""),
                  felix("default").wireguard(true).spec("logSeverityScreen", "\"Debug\""))
              .input());
      writes.put(
          "default switched off (refused)",
          update(felix("default").wireguard(true), felix("default").wireguard(false)).input());
      writes.put(
          "node.node-7's true removed (allowed: default enables it)",
          update(felix("node.node-7").wireguard(true), felix("node.node-7")).input());
      writes.put(
          "zone-1's selector narrowed (allowed: default enables it)",
          update(
                  felix("zone-1").selector("zone == 'z1'").wireguard(true),
                  felix("zone-1").selector("zone == 'z1' && rack == 'r1'").wireguard(true))
              .input());
      for (Map.Entry<String, AdmissionInput> write : writes.entrySet()) {
        long[] effect = new long[runs];
        long[] alone = new long[runs];
        long effectBytes = measure(policy, write.getValue(), view, now, warmup, effect);
        long aloneBytes = measure(policy, write.getValue(), ClusterView.NONE, now, warmup, alone);
        table.row(
            String.format("%,d", n),
            write.getKey(),
            Table.nanos(FullPassBenchmark.percentile(effect, 50)),
            Table.nanos(FullPassBenchmark.percentile(effect, 99)),
            String.format("%,d B", effectBytes / runs),
            Table.nanos(FullPassBenchmark.percentile(alone, 50)),
            Table.nanos(FullPassBenchmark.percentile(alone, 99)),
            String.format("%,d B", aloneBytes / runs));
      }
    }
    table.print();
  }

  /** Fills {@code samples} with nanoseconds per decision; returns the bytes allocated in all. */
  private static long measure(
      FelixConfigurationPolicy policy,
      AdmissionInput input,
      ClusterView view,
      Instant now,
      int warmup,
      long[] samples) {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long self = Thread.currentThread().getId();
    long allocated = 0;
    int sink = 0;
    for (int r = -warmup; r < samples.length; r++) {
      long a0 = threads.getThreadAllocatedBytes(self);
      long t0 = System.nanoTime();
      Decision decision = policy.decide(input, view, now);
      long t1 = System.nanoTime();
      long a1 = threads.getThreadAllocatedBytes(self);
      sink += decision.message().length();
      if (r >= 0) {
        samples[r] = t1 - t0;
        allocated += a1 - a0;
      }
    }
    if (sink == 42) {
      System.out.println();
    }
    return allocated;
  }
}
