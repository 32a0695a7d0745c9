package io.wgguard.bench;

import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.wgguard.agent.HostTree;
import io.wgguard.agent.KubeApi;
import io.wgguard.agent.NodeAgent;
import io.wgguard.it.KubeCluster;
import io.wgguard.it.KubeCluster.User;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;

/**
 * What the agent's cadence costs the cluster (issue 24): kube-apiserver holding {@code -Dscales}
 * synthetic nodes (default 5,000, then 65,000), a sample of {@code -Dagents} (100) real {@link
 * NodeAgent}s in this JVM, one HTTP client each, on nodes {@code 0..agents-1}, tunnel source {@code
 * device} with a stand-in {@code wg} whose peer's latest handshake moves on at every reading (a few
 * seconds before now; counters still) and a stand-in {@code ip} (the device up, MTU 1440).
 *
 * <p>Per scale: a baseline window without agents (kube-apiserver's own requests, etcd's own
 * writes), then each variant over its window after a settle:
 *
 * <ul>
 *   <li>{@code now}: the shipped cadence (report 5m, jitter 1m, Lease every 40 s for 120 s; {@code
 *       -DreportInterval} etc. shorten it for a smoke run);
 *   <li>{@code former}: report 1m, jitter 0, the Lease renewed every hour (so not within the
 *       window): the same agent standing in for the former once-a-minute heartbeat PATCH.
 * </ul>
 *
 * <p>Measured over each window, minus the baseline's rate: kube-apiserver's {@code
 * apiserver_request_total} by verb, resource and subresource; etcd's {@code
 * etcd_disk_wal_write_bytes_total} and {@code etcd_mvcc_put_total}; the events a watcher of all
 * Nodes receives (and per agent node, the spread). Per idle node per hour, and extrapolated to
 * 5,000 and 65,000 nodes.
 */
public final class CadenceBenchmark {

  private CadenceBenchmark() {}

  /** The resources a node agent reads and writes. */
  static final List<String> AGENT_RESOURCES = List.of("nodes", "leases", "felixconfigurations");

  record Variant(
      String name,
      Duration report,
      Duration jitter,
      Duration leaseInterval,
      Duration leaseDuration,
      Duration window) {}

  /** Counters at one instant. */
  record Snapshot(
      long nanos, Map<String, Double> requests, double walBytes, double puts, long events) {}

  public static void main(String[] args) {
    BenchCluster.exitAfter(CadenceBenchmark::run);
  }

  static void run() throws Exception {
    List<Integer> scales = new ArrayList<>();
    for (String s : System.getProperty("scales", "5000,65000").split(",")) {
      scales.add(Integer.parseInt(s.trim()));
    }
    int agents = Integer.getInteger("agents", 100);
    Duration settle = duration("settle", "60s");
    Duration baselineWindow = duration("baselineWindow", "45s");
    List<Variant> variants = new ArrayList<>();
    for (String name : System.getProperty("variants", "now,former").split(",")) {
      variants.add(
          switch (name.trim()) {
            case "now" ->
                new Variant(
                    "now",
                    duration("reportInterval", "5m"),
                    duration("reportJitter", "1m"),
                    duration("leaseInterval", "40s"),
                    duration("leaseDuration", "120s"),
                    duration("window", "420s"));
            case "former" ->
                new Variant(
                    "former",
                    duration("formerReportInterval", "1m"),
                    Duration.ZERO,
                    Duration.ofHours(1),
                    Duration.ofHours(2),
                    duration("formerWindow", "180s"));
            default -> throw new IllegalArgumentException("variant " + name);
          });
    }
    try (KubeCluster cluster = BenchCluster.start()) {
      KubernetesClient admin = cluster.admin();
      Path work = Files.createDirectories(Path.of("target/bench/cadence"));
      Path host = HostTree.loaded(work.resolve("host"), "wireguard.cali");
      Path ip = standInIp(work);
      URI etcd = etcdMetrics(cluster.etcdPid());
      HttpClient http = HttpClient.newHttpClient();
      System.err.println("bench: etcd metrics at " + etcd);
      Table table =
          new Table(
              String.format(
                  "Agent cadence: %d agents on synthetic nodes, device read every 10 s with moving"
                      + " handshakes; per idle node per hour, baseline subtracted",
                  agents),
              "nodes, variant (window)",
              "Node writes/h per node (agents' spread)",
              "Lease requests/h",
              "all requests/h per node (by verb)",
              "at 5,000 nodes",
              "at 65,000 nodes",
              "etcd WAL bytes/min per node; ×5,000; ×65,000",
              "etcd puts/h per node",
              "Node watch events/min (measured; ×5,000; ×65,000)");
      for (int scale : scales) {
        Duration created = BenchCluster.createNodes(admin, scale, 32);
        System.err.printf("bench: %,d nodes in kube-apiserver (%s)%n", scale, created);
        NodeWatch watch = new NodeWatch(admin);
        BenchCluster.sleep(Duration.ofSeconds(15));
        Snapshot b0 = snapshot(admin, http, etcd, watch);
        BenchCluster.sleep(baselineWindow);
        Snapshot b1 = snapshot(admin, http, etcd, watch);
        double baseSeconds = (b1.nanos() - b0.nanos()) / 1e9;
        System.err.printf(
            "bench: baseline at %,d nodes over %.0f s: requests %s, WAL %.0f bytes, puts %.0f,"
                + " events %d%n",
            scale,
            baseSeconds,
            delta(b0.requests(), b1.requests()),
            b1.walBytes() - b0.walBytes(),
            b1.puts() - b0.puts(),
            b1.events() - b0.events());
        for (Variant variant : variants) {
          List<NodeAgent> running = new ArrayList<>();
          List<Thread> threads = new ArrayList<>();
          for (int i = 0; i < agents; i++) {
            String node = SyntheticNodes.name(i);
            NodeAgent agent =
                new NodeAgent(
                    KubeApi.fromKubeconfig(cluster.kubeconfig(User.ADMIN)),
                    AgentBenchmark.settings(
                        host,
                        "/bin/sh " + standInWg(work, i),
                        "/bin/sh " + ip,
                        variant.report(),
                        variant.jitter(),
                        variant.leaseInterval(),
                        variant.leaseDuration()),
                    node,
                    "default",
                    Clock.systemUTC(),
                    new PrintStream(OutputStream.nullOutputStream()));
            running.add(agent);
            Thread t =
                new Thread(
                    () -> {
                      try {
                        agent.run();
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    },
                    "agent " + node);
            t.setDaemon(true);
            t.start();
            threads.add(t);
            // Agents of a cluster do not start in the same second.
            Thread.sleep(10_000L / agents);
          }
          BenchCluster.sleep(settle);
          Map<String, Long> perNode0 = watch.perNode();
          Snapshot s0 = snapshot(admin, http, etcd, watch);
          BenchCluster.sleep(variant.window());
          Snapshot s1 = snapshot(admin, http, etcd, watch);
          Map<String, Long> perNode1 = watch.perNode();
          running.forEach(NodeAgent::stop);
          for (Thread t : threads) {
            t.join(15_000);
          }
          double seconds = (s1.nanos() - s0.nanos()) / 1e9;
          double scaleBase = seconds / baseSeconds;
          // Per key: (window count − baseline count scaled to the window) per agent per hour.
          Map<String, Double> window = delta(s0.requests(), s1.requests());
          Map<String, Double> base = delta(b0.requests(), b1.requests());
          Map<String, Double> perHour = new TreeMap<>();
          for (var e : window.entrySet()) {
            double v =
                (e.getValue() - base.getOrDefault(e.getKey(), 0.0) * scaleBase)
                    / agents
                    * 3600
                    / seconds;
            if (Math.abs(v) >= 0.05) {
              perHour.put(e.getKey(), v);
            }
          }
          double nodeWrites = 0;
          double leases = 0;
          double all = 0;
          for (var e : perHour.entrySet()) {
            String[] verbResource = e.getKey().split(" ", 2);
            boolean write =
                List.of("PATCH", "PUT", "POST", "APPLY", "UPDATE").contains(verbResource[0]);
            if (verbResource[1].startsWith("nodes") && write) {
              nodeWrites += e.getValue();
            }
            if (verbResource[1].startsWith("leases")) {
              leases += e.getValue();
            }
            // What an agent requests; the rest (APF's config, the kubernetes Service) is
            // kube-apiserver's own, periodic beyond the baseline's reach.
            if (AGENT_RESOURCES.contains(verbResource[1].split("/")[0])) {
              all += e.getValue();
            }
          }
          List<Long> writesPerNode = new ArrayList<>();
          for (int i = 0; i < agents; i++) {
            String node = SyntheticNodes.name(i);
            writesPerNode.add(perNode1.getOrDefault(node, 0L) - perNode0.getOrDefault(node, 0L));
          }
          List<Long> sorted = writesPerNode.stream().sorted().toList();
          double wal =
              ((s1.walBytes() - s0.walBytes()) - (b1.walBytes() - b0.walBytes()) * scaleBase)
                  / agents
                  * 60
                  / seconds;
          double puts =
              ((s1.puts() - s0.puts()) - (b1.puts() - b0.puts()) * scaleBase)
                  / agents
                  * 3600
                  / seconds;
          double eventsPerMinute = (s1.events() - s0.events()) * 60 / seconds;
          double eventsPerNodeMinute = eventsPerMinute / agents;
          Map<String, Double> agentOnly = new TreeMap<>(perHour);
          agentOnly
              .keySet()
              .removeIf(k -> !AGENT_RESOURCES.contains(k.split(" ", 2)[1].split("/")[0]));
          String byVerb = perHourString(agentOnly);
          table.row(
              String.format("%,d, %s (%.0f s)", scale, variant.name(), seconds),
              String.format(
                  "**%.1f** (%d–%d writes per node in %.0f s; watcher: %.1f/h)",
                  nodeWrites,
                  sorted.get(0),
                  sorted.get(sorted.size() - 1),
                  seconds,
                  writesPerNode.stream().mapToLong(Long::longValue).sum()
                      * 3600.0
                      / seconds
                      / agents),
              String.format("%.1f", leases),
              String.format("**%.1f** (%s)", all, byVerb),
              String.format("%,.0f/s", all * 5000 / 3600),
              String.format("%,.0f/s", all * 65000 / 3600),
              String.format(
                  "%,.0f; %s; %s (window %s, baseline %s)",
                  wal,
                  mb(wal * 5000),
                  mb(wal * 65000),
                  mb((s1.walBytes() - s0.walBytes()) * 60 / seconds),
                  mb((b1.walBytes() - b0.walBytes()) * 60 / baseSeconds)),
              String.format("%.1f", puts),
              String.format(
                  "%.1f; %,.0f; %,.0f",
                  eventsPerMinute, eventsPerNodeMinute * 5000, eventsPerNodeMinute * 65000));
          System.err.printf(
              "bench: %,d nodes, %s: Node writes %.1f/h per node, all %.1f/h (%s), WAL %.0f"
                  + " bytes/min per node, events %.1f/min; writes per node %s%n",
              scale,
              variant.name(),
              nodeWrites,
              all,
              perHourString(perHour),
              wal,
              eventsPerMinute,
              sorted);
          BenchCluster.sleep(Duration.ofSeconds(5));
        }
        watch.close();
      }
      table.print();
    }
  }

  /** A watcher of every Node from now on, as the scheduler or Typha holds one. */
  static final class NodeWatch implements AutoCloseable {
    private final KubernetesClient client;
    private final AtomicLong events = new AtomicLong();
    private final Map<String, AtomicLong> perNode = new ConcurrentHashMap<>();
    private volatile String resourceVersion;
    private volatile Watch watch;
    private volatile boolean closed;

    NodeWatch(KubernetesClient client) {
      this.client = client;
      start(
          client
              .nodes()
              .list(new ListOptionsBuilder().withLimit(1L).build())
              .getMetadata()
              .getResourceVersion());
    }

    private void start(String from) {
      resourceVersion = from;
      watch =
          client
              .nodes()
              .watch(
                  new ListOptionsBuilder().withResourceVersion(from).build(),
                  new Watcher<Node>() {
                    @Override
                    public void eventReceived(Action action, Node node) {
                      resourceVersion = node.getMetadata().getResourceVersion();
                      if (action == Action.MODIFIED) {
                        events.incrementAndGet();
                        perNode
                            .computeIfAbsent(node.getMetadata().getName(), n -> new AtomicLong())
                            .incrementAndGet();
                      }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                      if (closed) {
                        return;
                      }
                      // 410 Gone: from a fresh resourceVersion (events in between are lost).
                      System.err.println(
                          "bench: node watch closed (" + cause + "), watching again");
                      start(
                          client
                              .nodes()
                              .list(new ListOptionsBuilder().withLimit(1L).build())
                              .getMetadata()
                              .getResourceVersion());
                    }
                  });
    }

    long events() {
      return events.get();
    }

    Map<String, Long> perNode() {
      Map<String, Long> copy = new TreeMap<>();
      perNode.forEach((k, v) -> copy.put(k, v.get()));
      return copy;
    }

    @Override
    public void close() {
      closed = true;
      watch.close();
    }
  }

  static Snapshot snapshot(KubernetesClient admin, HttpClient http, URI etcd, NodeWatch watch) {
    Map<String, Double> requests = requestCounts(admin.raw("/metrics"));
    String etcdMetrics = get(http, etcd);
    return new Snapshot(
        System.nanoTime(),
        requests,
        BenchCluster.metric(etcdMetrics, "etcd_disk_wal_write_bytes_total", l -> true),
        BenchCluster.metric(etcdMetrics, "etcd_mvcc_put_total", l -> true),
        watch.events());
  }

  /** kube-apiserver's request counts by "VERB resource[/subresource]", resources only. */
  static Map<String, Double> requestCounts(String exposition) {
    Map<String, Double> counts = new TreeMap<>();
    Matcher m = AgentBenchmark.REQUEST.matcher(exposition);
    while (m.find()) {
      String labels = m.group(1);
      String resource = AgentBenchmark.label(labels, "resource");
      if (resource.isEmpty()) {
        continue; // /metrics, /readyz, discovery: not an agent's
      }
      String subresource = AgentBenchmark.label(labels, "subresource");
      String key =
          AgentBenchmark.label(labels, "verb")
              + " "
              + resource
              + (subresource.isEmpty() ? "" : "/" + subresource);
      counts.merge(key, Double.parseDouble(m.group(2)), Double::sum);
    }
    return counts;
  }

  static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
    Map<String, Double> delta = new TreeMap<>();
    after.forEach(
        (k, v) -> {
          double d = v - before.getOrDefault(k, 0.0);
          if (d != 0) {
            delta.put(k, d);
          }
        });
    return delta;
  }

  static String perHourString(Map<String, Double> perHour) {
    StringBuilder out = new StringBuilder();
    perHour.forEach((k, v) -> out.append(String.format("%s %.1f; ", k, v)));
    return out.toString().replaceAll("; $", "");
  }

  static String mb(double bytes) {
    return bytes >= 1e6
        ? String.format("%.1f MB", bytes / 1e6)
        : String.format("%.0f kB", bytes / 1e3);
  }

  /** etcd's client URL, from its command line ({@code --listen-client-urls http://...}). */
  static URI etcdMetrics(long pid) throws IOException {
    String[] args = Files.readString(Path.of("/proc/" + pid + "/cmdline")).split("\u0000");
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String value = null;
      if (a.startsWith("--listen-client-urls=")) {
        value = a.substring(a.indexOf('=') + 1);
      } else if (a.equals("--listen-client-urls") && i + 1 < args.length) {
        value = args[i + 1];
      }
      if (value != null) {
        URI first = URI.create(value.split(",")[0]);
        return URI.create("http://127.0.0.1:" + first.getPort() + "/metrics");
      }
    }
    throw new IllegalStateException("etcd's client URL not found in its command line");
  }

  static String get(HttpClient http, URI uri) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofString());
      return response.body();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * {@code wg show IFACE dump} for node {@code i}: its own key, one peer whose latest handshake is
   * a few seconds before every reading (it moves on each time), counters still.
   */
  static Path standInWg(Path work, int i) throws IOException {
    Path wg = work.resolve("wg-" + i);
    if (!Files.exists(wg)) {
      Files.writeString(
          wg,
          """
          now=$(date +%%s)
          printf '+BIbGVsEU9UYemcIQFa8hfagLNxpkik/rca0gnaaums=\\t%s\\t51820\\toff\\n'
          printf '%s\\t(none)\\t192.0.2.2:51821\\t10.99.0.2/32\\t%%s\\t284\\t276\\toff\\n' $((now - 3))
          """
              .formatted(SyntheticNodes.key(i), SyntheticNodes.key(i + 1)));
    }
    return wg;
  }

  /** {@code ip}: the device up at MTU 1440, no steering rule, nothing else (AgentCadenceIT's). */
  static Path standInIp(Path work) throws IOException {
    Path ip = work.resolve("ip");
    Files.writeString(
        ip,
        """
        for a; do last=$a; done
        case "$*" in
          *"link show dev "*)
            printf '[{"ifname":"%s","flags":["POINTOPOINT","NOARP","UP","LOWER_UP"],"mtu":1440}]' "$last";;
          *) echo "[]";;
        esac
        """);
    return ip;
  }

  /** A duration property: {@code 90s}, {@code 5m}, {@code 1h}. */
  static Duration duration(String property, String fallback) {
    String value = System.getProperty(property, fallback).trim();
    long n = Long.parseLong(value.substring(0, value.length() - 1));
    return switch (value.charAt(value.length() - 1)) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      default -> throw new IllegalArgumentException(property + "=" + value + ": use s, m or h");
    };
  }
}
