package io.wgguard.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.wgguard.Names;
import io.wgguard.checker.NodeFactsMapper;
import io.wgguard.evidence.NodeFacts;
import io.wgguard.felix.FelixObject;
import io.wgguard.felix.FelixObjects;
import io.wgguard.pass.CheckerPass;
import io.wgguard.pass.ClusterSnapshot;
import io.wgguard.pass.PassResult;
import io.wgguard.pass.PassSettings;
import io.wgguard.pass.PreviousPass;
import io.wgguard.taints.TaintPlan;
import io.wgguard.tunnels.BlockAffinities;
import io.wgguard.tunnels.ClusterAssessment;
import io.wgguard.tunnels.summary.PeerDigest;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Time of one full checker pass, the pure part the reconciler runs on every trigger: {@link
 * CheckerPass#run} (evidence, tunnels, taint plan, removal guard, departures, standing overrides),
 * fed the previous pass's result as the reconciler feeds it, over a stable cluster (WireGuard on in
 * {@code default}, every node ready). Warm-up runs first, then the measured runs; reports median,
 * p99 and max, and the bytes one pass allocates. The snapshot the reconciler takes first ({@code
 * List.copyOf} of the facts map) is timed apart. Then what a pass keeps until the next one (its
 * result and the status published from it), and how much of that is new, i.e. not kept by the
 * previous pass already: what a generational collector promotes per pass.
 *
 * <p>With {@code -Dtunnels=true} every node also carries the node agent's tunnel summary ({@code
 * wgguard.io/tunnels}, every tunnel proven), so the pass includes the tunnel cross-check ({@link
 * io.wgguard.tunnels.TunnelPolicy}) over n × (n - 1) pairs.
 *
 * <p>With {@code -Dpath=true} as well, each summary also carries its device's path (the steering
 * rule, the WireGuard table's and the allowed-ips' digests, as Felix programs them) and the
 * snapshot holds every node's BlockAffinity, so the pass also proves the path ({@link
 * io.wgguard.tunnels.PathPolicy}). The table gives the size of one node's summary.
 *
 * <p>Arguments: node counts; {@code -Druns=100 -Dwarmup=30} set the repetitions.
 */
public final class FullPassBenchmark {

  private FullPassBenchmark() {}

  public static void main(String[] args) throws Exception {
    int runs = Integer.getInteger("runs", 100);
    int warmup = Integer.getInteger("warmup", 30);
    boolean path = Boolean.getBoolean("path");
    boolean tunnels = path || Boolean.getBoolean("tunnels");
    KubernetesSerialization serialization = new KubernetesSerialization();
    FelixObject felix =
        FelixObjects.read(
            new ObjectMapper()
                .readTree(
                    "{\"apiVersion\":\"crd.projectcalico.org/v1\",\"kind\":\"FelixConfiguration\","
                        + "\"metadata\":{\"name\":\"default\"},\"spec\":{\"wireguardEnabled\":true}}"));
    PassSettings settings = PassSettings.defaults();
    Table table =
        new Table(
            "Full pass (CheckerPass.run"
                + (path
                    ? ", with tunnel and path evidence on every node"
                    : tunnels ? ", with tunnel evidence on every node" : "")
                + "), "
                + runs
                + " runs after "
                + warmup
                + " warm-up runs; JVM `"
                + java.lang.management.ManagementFactory.getRuntimeMXBean()
                    .getInputArguments()
                    .stream()
                    .filter(a -> a.startsWith("-XX"))
                    .collect(java.util.stream.Collectors.joining(" "))
                + "`",
            "nodes",
            "median",
            "p99",
            "max",
            "CPU median",
            "snapshot median",
            "allocated per pass",
            "kept until the next pass",
            "of it new",
            "summary per node");
    for (String arg : args) {
      int n = Integer.parseInt(arg.replace(",", "").replace("_", ""));
      Instant heartbeat = Instant.parse("2026-11-25T12:00:00Z");
      Instant now = heartbeat.plus(Duration.ofSeconds(30));
      Map<String, NodeFacts> cache = new ConcurrentHashMap<>();
      PeerDigest all = tunnels ? SyntheticNodes.allKeys(n) : null;
      SyntheticNodes.PathSums paths = path ? SyntheticNodes.allPaths(n) : null;
      BlockAffinities affinities =
          path ? SyntheticNodes.affinities(n, heartbeat) : BlockAffinities.UNKNOWN;
      int summaryBytes = 0;
      for (int i = 0; i < n; i++) {
        Node node =
            serialization.unmarshal(SyntheticNodes.json(serialization, i, heartbeat), Node.class);
        if (tunnels) {
          String summary =
              path
                  ? SyntheticNodes.tunnelsWithPath(i, n, all, paths, heartbeat)
                  : SyntheticNodes.tunnels(i, n, all, heartbeat);
          summaryBytes = Math.max(summaryBytes, summary.length());
          node.getMetadata().getAnnotations().put(Names.TUNNELS_ANNOTATION, summary);
        }
        NodeFacts facts = NodeFactsMapper.facts(node);
        cache.put(facts.name(), facts);
      }
      List<FelixObject> felixConfigurations = List.of(felix);
      long[] total = new long[runs];
      long[] snapshot = new long[runs];
      long[] cpu = new long[runs];
      long allocated = 0;
      var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long self = Thread.currentThread().getId();
      long sink = 0;
      PreviousPass previous = PreviousPass.NONE;
      for (int r = -warmup; r < runs; r++) {
        long a0 = threads.getThreadAllocatedBytes(self);
        long c0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        Collection<NodeFacts> nodes = List.copyOf(cache.values());
        long t1 = System.nanoTime();
        PassResult result =
            CheckerPass.run(
                new ClusterSnapshot(
                    felixConfigurations,
                    List.of(),
                    (namespace, name) -> java.util.Optional.empty(),
                    nodes,
                    "crd.projectcalico.org/v1",
                    Map.of(),
                    List.of(),
                    affinities),
                previous,
                settings,
                now);
        previous = result.next(true);
        ClusterAssessment assessment = result.assessment();
        TaintPlan taintPlan = result.plan();
        long t3 = System.nanoTime();
        long c1 = threads.getCurrentThreadCpuTime();
        long a1 = threads.getThreadAllocatedBytes(self);
        if (taintPlan.nodes().size() != n
            || !taintPlan.noChange()
            || !result.departures().isEmpty()) {
          throw new IllegalStateException("expected a stable plan over " + n + " nodes");
        }
        long pairs = (long) n * (n - 1);
        if (tunnels
            && (assessment.tunnels().healthyPairs() != pairs
                || assessment.tunnels().expectedPairs() != pairs)) {
          throw new IllegalStateException(
              "expected "
                  + pairs
                  + " proven pairs, got "
                  + assessment.tunnels().healthyPairs()
                  + " of "
                  + assessment.tunnels().expectedPairs());
        }
        sink += taintPlan.summary().length();
        if (r >= 0) {
          snapshot[r] = t1 - t0;
          total[r] = t3 - t1;
          cpu[r] = c1 - c0;
          allocated += a1 - a0;
        }
      }
      // What a pass keeps until the next one (its result and the status published from it), and how
      // much of that the previous pass did not already keep: what the collector promotes a pass.
      ClusterSnapshot again =
          new ClusterSnapshot(
              felixConfigurations,
              List.of(),
              (namespace, name) -> java.util.Optional.empty(),
              List.copyOf(cache.values()),
              "crd.projectcalico.org/v1",
              Map.of(),
              List.of(),
              affinities);
      // Handed over by the static array, so that no frame keeps the timed passes' last result.
      HELD[6] = previous;
      previous = null;
      long[] kept = kept(cache, again, settings, now);
      table.row(
          String.format("%,d", n),
          Table.nanos(percentile(total, 50)),
          Table.nanos(percentile(total, 99)),
          Table.nanos(percentile(total, 100)),
          Table.nanos(percentile(cpu, 50)),
          Table.nanos(percentile(snapshot, 50)),
          Table.mib((double) allocated / runs),
          Table.mib(kept[0]),
          Table.mib(kept[1]),
          tunnels ? summaryBytes + " B" : "-");
      if (sink == 42) {
        System.out.println();
      }
    }
    table.print();
  }

  // Static, so that the JIT's liveness of locals cannot free what a measurement holds early.
  private static final Object[] HELD = new Object[7];

  /**
   * What one pass keeps until the next (its result and the status published from it) and how much
   * of that is new since the pass before it, in bytes, the timed passes' last result in {@code
   * HELD[6]}: the heap in use after full collections with both passes held, with the later one
   * only, and with neither (the cache and the snapshot held throughout, as the checker holds them).
   */
  private static long[] kept(
      Map<String, NodeFacts> cache, ClusterSnapshot snapshot, PassSettings settings, Instant now) {
    HELD[4] = cache;
    HELD[5] = snapshot;
    PreviousPass previous = (PreviousPass) HELD[6];
    HELD[6] = null;
    PassResult older = CheckerPass.run(snapshot, previous, settings, now.plusSeconds(30));
    previous = null;
    HELD[0] = older;
    HELD[1] = io.wgguard.status.CheckerStatus.of(older, true, false);
    HELD[2] = CheckerPass.run(snapshot, older.next(true), settings, now.plusSeconds(60));
    HELD[3] = io.wgguard.status.CheckerStatus.of((PassResult) HELD[2], true, false);
    older = null;
    long both = usedAfterGc();
    HELD[0] = null;
    HELD[1] = null;
    long one = usedAfterGc();
    HELD[2] = null;
    HELD[3] = null;
    long none = usedAfterGc();
    java.util.Arrays.fill(HELD, null);
    return new long[] {one - none, both - one};
  }

  /** Heap in use after full collections (the benchmark's JVM runs nothing else meanwhile). */
  private static long usedAfterGc() {
    var memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  /** The value at or below which {@code p} percent of the samples fall (nearest rank). */
  static long percentile(long[] samples, double p) {
    long[] sorted = samples.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
