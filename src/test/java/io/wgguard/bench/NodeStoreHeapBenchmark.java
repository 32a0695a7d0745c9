package io.wgguard.bench;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.wgguard.checker.NodeFactsMapper;
import io.wgguard.checker.VersionStore;
import io.wgguard.evidence.NodeFacts;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Retained heap of what {@code ClusterCache} keeps per node: the {@link NodeFacts} map and the Node
 * informer's cache (fabric8 {@link CacheImpl}, with its default namespace index, over a {@link
 * VersionStore} keeping name and resourceVersion), built exactly as ClusterCache builds them from
 * Nodes deserialized from JSON as an informer receives them. Used heap is read after a full GC
 * before and after each stage.
 *
 * <p>Run with {@code -XX:+UseSerialGC} so {@code System.gc()} is one full, compacting collection.
 * Arguments: node counts, e.g. {@code 5000 65000}; each count is measured in a fresh state.
 */
public final class NodeStoreHeapBenchmark {

  static final Instant HEARTBEAT = Instant.parse("2026-11-25T12:00:00Z");

  private NodeStoreHeapBenchmark() {}

  public static void main(String[] args) throws Exception {
    KubernetesSerialization serialization = new KubernetesSerialization();
    Table table =
        new Table(
            "Node store heap (facts map + reduced informer cache), after full GC",
            "nodes",
            "JSON per node",
            "NodeFacts map",
            "informer cache",
            "total",
            "bytes/node",
            "65,000 nodes at this rate");
    // Load every class on the path once, so class metadata is not counted below.
    fill(serialization, 200);
    for (String arg : args) {
      int n = Integer.parseInt(arg.replace(",", "").replace("_", ""));
      long jsonBytes = SyntheticNodes.json(serialization, 1, HEARTBEAT).length();
      long base = usedAfterGc();
      Map<String, NodeFacts> facts = new ConcurrentHashMap<>();
      for (int i = 0; i < n; i++) {
        Node node =
            serialization.unmarshal(SyntheticNodes.json(serialization, i, HEARTBEAT), Node.class);
        NodeFacts f = NodeFactsMapper.facts(node);
        facts.put(f.name(), f);
      }
      long afterFacts = usedAfterGc();
      CacheImpl<Node> cache = informerCache();
      for (int i = 0; i < n; i++) {
        cache.put(
            serialization.unmarshal(SyntheticNodes.json(serialization, i, HEARTBEAT), Node.class));
      }
      long afterCache = usedAfterGc();
      if (facts.size() != n || cache.listKeys().size() != n) {
        throw new IllegalStateException("expected " + n + " nodes in both stores");
      }
      long total = afterCache - base;
      table.row(
          String.format("%,d", n),
          jsonBytes + " B",
          Table.mib(afterFacts - base),
          Table.mib(afterCache - afterFacts),
          Table.mib(total),
          String.format("%,d", total / n),
          Table.mib((double) total / n * 65_000));
      Reference.reachabilityFence(facts);
      Reference.reachabilityFence(cache);
    }
    table.print();
  }

  /** The Node informer's cache as ClusterCache configures it. */
  static CacheImpl<Node> informerCache() {
    CacheImpl<Node> cache = new CacheImpl<>();
    cache.setItemStore(new VersionStore<>(Node::new));
    return cache;
  }

  private static void fill(KubernetesSerialization serialization, int n) {
    Map<String, NodeFacts> facts = new ConcurrentHashMap<>();
    CacheImpl<Node> cache = informerCache();
    for (int i = 0; i < n; i++) {
      Node node =
          serialization.unmarshal(SyntheticNodes.json(serialization, i, HEARTBEAT), Node.class);
      facts.put(node.getMetadata().getName(), NodeFactsMapper.facts(node));
      cache.put(node);
    }
  }

  /** Used heap after full collections, once it stops shrinking. */
  static long usedAfterGc() throws InterruptedException {
    var memory = ManagementFactory.getMemoryMXBean();
    long previous = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      Thread.sleep(50);
      long used = memory.getHeapMemoryUsage().getUsed();
      if (used >= previous - 1024) {
        return Math.min(used, previous);
      }
      previous = used;
    }
    return previous;
  }
}
