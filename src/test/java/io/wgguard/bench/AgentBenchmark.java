package io.wgguard.bench;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.wgguard.agent.HostTree;
import io.wgguard.agent.KubeApi;
import io.wgguard.agent.NodeAgent;
import io.wgguard.config.TunnelSource;
import io.wgguard.config.WgguardConfig;
import io.wgguard.it.KubeCluster;
import io.wgguard.it.KubeCluster.User;
import io.wgguard.it.WgguardProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The node agent's footprint against a real kube-apiserver.
 *
 * <ul>
 *   <li>{@code mode=rss}: one agent process per run, started as the DaemonSet starts it (its {@code
 *       command} and {@code JAVA_OPTS}, given by {@code bench/agent.sh}), and for comparison
 *       through Quarkus' launcher ({@code java -jar quarkus-run.jar agent}) with the DaemonSet's
 *       former flags; RSS and anonymous RSS sampled once a second after it settles.
 *   <li>{@code mode=requests}: {@code agents} agents against as many nodes, in this JVM, each with
 *       its own HTTP client (its own connection, as on a node), reading a device every 10 s with
 *       the default 60 s heartbeat; the requests kube-apiserver counts over a window ({@code
 *       apiserver_request_total}), per agent, extrapolated to 5,000 and 65,000 nodes. "Before" is
 *       main's former loop replayed: GET the Node every round, GET two FelixConfigurations every 5
 *       minutes, PATCH the condition when the heartbeat is due.
 * </ul>
 */
public final class AgentBenchmark {

  static final Path WG_SAMPLE = Path.of("src/test/resources/agent/wg-dump-handshake.txt");

  public static void main(String[] args) {
    BenchCluster.exitAfter(() -> run(args));
  }

  static void run(String[] args) throws Exception {
    String mode = System.getProperty("mode", "rss");
    try (KubeCluster cluster = BenchCluster.start()) {
      Path work = Files.createDirectories(Path.of("target/bench/agent"));
      Path host = HostTree.loaded(work.resolve("host"), "wireguard.cali");
      Path wg = fakeWg(work);
      if (mode.equals("rss")) {
        rss(cluster, host, wg);
      } else {
        requests(cluster, host, wg);
      }
    }
  }

  // The admin kubeconfig as JSON, which the agent reads without loading a YAML parser, as it
  // reads its service account on a node.
  static Path jsonKubeconfig(KubeCluster cluster) throws IOException {
    var yaml =
        new com.fasterxml.jackson.databind.ObjectMapper(
            new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    Path json = Path.of("target/bench/agent/kubeconfig.json");
    Files.writeString(
        json,
        new com.fasterxml.jackson.databind.ObjectMapper()
            .writeValueAsString(yaml.readTree(cluster.kubeconfig(User.ADMIN).toFile())));
    return json;
  }

  // `wg show IFACE dump` printing a real dump: the agent spawns it every round as on a node.
  static Path fakeWg(Path work) throws IOException {
    Path wg = work.resolve("wg");
    Files.writeString(wg, "cat " + WG_SAMPLE.toAbsolutePath() + "\n");
    return wg;
  }

  static void rss(KubeCluster cluster, Path host, Path wg) throws Exception {
    int runs = Integer.getInteger("runs", 5);
    int settle = Integer.getInteger("settleSeconds", 40);
    int samples = Integer.getInteger("samples", 15);
    List<String> daemonSetOpts = split(System.getProperty("agentJavaOpts", ""));
    List<String> formerOpts = split(System.getProperty("formerJavaOpts", ""));
    KubernetesClient admin = cluster.admin();
    admin.nodes().resource(SyntheticNodes.node(0, Instant.now())).create();
    String node = SyntheticNodes.name(0);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path jar = Path.of(System.getProperty("wgguard.jar", "target/quarkus-app/quarkus-run.jar"));
    Map<String, List<String>> variants = new java.util.LinkedHashMap<>();
    List<String> main = new ArrayList<>(List.of(java));
    main.addAll(daemonSetOpts);
    if (Boolean.getBoolean("nmt")) {
      main.add("-XX:NativeMemoryTracking=summary");
    }
    main.addAll(List.of("-cp", WgguardProcess.agentClasspath(), "io.wgguard.agent.AgentMain"));
    variants.put("AgentMain, DaemonSet flags", main);
    // Other JVM flags to compare, separated by '|' (BENCH_CANDIDATES in bench/agent.sh).
    for (String candidate : System.getProperty("candidateOpts", "").split("\\|")) {
      if (!candidate.isBlank()) {
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(split(candidate));
        command.addAll(
            List.of("-cp", WgguardProcess.agentClasspath(), "io.wgguard.agent.AgentMain"));
        variants.put("AgentMain, " + candidate.strip(), command);
      }
    }
    List<String> launcher = new ArrayList<>(List.of(java));
    launcher.addAll(formerOpts);
    launcher.addAll(List.of("-jar", jar.toString(), "agent"));
    if (!Boolean.getBoolean("nmt") && !Boolean.getBoolean("skipLauncher")) {
      variants.put("quarkus-run.jar agent, former flags", launcher);
    }
    Table table =
        new Table(
            "Agent idle memory, "
                + runs
                + " runs, sampled "
                + samples
                + " s after "
                + settle
                + " s",
            "launch",
            "RSS MiB median (min–max)",
            "anonymous RSS MiB median (min–max)",
            "CPU ms per minute idle, median (min–max)");
    for (var variant : variants.entrySet()) {
      List<Double> rss = new ArrayList<>();
      List<Double> anon = new ArrayList<>();
      List<Double> cpu = new ArrayList<>();
      for (int run = 0; run < runs; run++) {
        Path log = Path.of("target/it-logs/bench-agent-" + run + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder builder =
            new ProcessBuilder(variant.getValue())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("KUBECONFIG", jsonKubeconfig(cluster).toString());
        env.put("NODE_NAME", node);
        env.put("WGGUARD_AGENT_HOST_ROOT", host.toString());
        env.put("WGGUARD_AGENT_TUNNEL_SOURCE", "device");
        env.put("WGGUARD_AGENT_WG_COMMAND", "/bin/sh " + wg);
        // On a node the namespace comes from the mounted service account; here, default.
        env.put("WGGUARD_AGENT_LEASE_NAMESPACE", "default");
        daemonSetEnv().forEach(env::put);
        // /healthz served, as in the DaemonSet, on a free port (benchmarks may run side by side).
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
          env.put("WGGUARD_AGENT_HEALTH_PORT", Integer.toString(socket.getLocalPort()));
        }
        Process process = builder.start();
        try {
          BenchCluster.sleep(Duration.ofSeconds(settle));
          if (!process.isAlive()) {
            throw new IllegalStateException(variant.getKey() + " exited: " + Files.readString(log));
          }
          double cpuBefore = Proc.cpuSeconds(process.pid());
          long sampleStart = System.nanoTime();
          List<Double> r = new ArrayList<>();
          List<Double> a = new ArrayList<>();
          for (int i = 0; i < samples; i++) {
            r.add(Proc.rssKib(process.pid()) / 1024.0);
            a.add(Proc.rssAnonKib(process.pid()) / 1024.0);
            BenchCluster.sleep(Duration.ofSeconds(1));
          }
          cpu.add(
              (Proc.cpuSeconds(process.pid()) - cpuBefore)
                  * 1000
                  / ((System.nanoTime() - sampleStart) / 60e9));
          rss.add(median(r));
          anon.add(median(a));
          System.err.printf(
              "bench: %s run %d: RSS %.1f MiB, anonymous %.1f MiB%n",
              variant.getKey(), run + 1, median(r), median(a));
          if (Boolean.getBoolean("nmt")) {
            Process jcmd =
                new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(process.pid()),
                        "VM.native_memory",
                        "summary")
                    .redirectErrorStream(true)
                    .start();
            System.err.println(new String(jcmd.getInputStream().readAllBytes()));
            jcmd.waitFor();
            for (List<String> more :
                List.of(
                    List.of("GC.class_histogram"),
                    List.of("GC.heap_info"),
                    List.of("Thread.print"),
                    List.of("VM.metaspace"))) {
              List<String> command =
                  new ArrayList<>(
                      List.of(
                          Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                          Long.toString(process.pid())));
              command.addAll(more);
              Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
              Files.write(
                  Path.of("target/bench/agent-" + more.get(0) + ".txt"),
                  p.getInputStream().readAllBytes());
              p.waitFor();
            }
            Files.writeString(
                Path.of("target/bench/agent-smaps.txt"),
                Files.readString(Path.of("/proc/" + process.pid() + "/smaps")));
          }
        } finally {
          process.destroy();
          process.waitFor();
        }
      }
      table.row(variant.getKey(), spread(rss), spread(anon), spread(cpu));
    }
    table.print();
  }

  static void requests(KubeCluster cluster, Path host, Path wg) throws Exception {
    int agents = Integer.getInteger("agents", 50);
    int window = Integer.getInteger("windowSeconds", 180);
    int settle = Integer.getInteger("settleSeconds", 30);
    KubernetesClient admin = cluster.admin();
    BenchCluster.createNodes(admin, agents, 8);
    Table table =
        new Table(
            "Agent requests to kube-apiserver: "
                + agents
                + " agents, "
                + window
                + " s window, interval 10 s, Lease every 40 s, report every 5-6 min",
            "agent",
            "requests/s per agent (by verb)",
            "at 5,000 nodes",
            "at 65,000 nodes",
            "open watches per agent");
    for (String variant : List.of("before", "after")) {
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> threads = new ArrayList<>();
      List<NodeAgent> running = new ArrayList<>();
      for (int i = 0; i < agents; i++) {
        String node = SyntheticNodes.name(i);
        Thread t;
        if (variant.equals("before")) {
          KubernetesClient client = cluster.admin();
          t = new Thread(() -> formerLoop(client, node, stop), "former " + node);
        } else {
          NodeAgent agent =
              new NodeAgent(
                  KubeApi.fromKubeconfig(cluster.kubeconfig(User.ADMIN)),
                  settings(host, wg),
                  node,
                  "default",
                  Clock.systemUTC(),
                  new PrintStream(OutputStream.nullOutputStream()));
          running.add(agent);
          t =
              new Thread(
                  () -> {
                    try {
                      agent.run();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  },
                  "agent " + node);
        }
        t.setDaemon(true);
        t.start();
        threads.add(t);
        // Agents of a cluster do not start in the same second.
        Thread.sleep(10_000L / agents);
      }
      BenchCluster.sleep(Duration.ofSeconds(settle));
      Map<String, Double> before = counts(admin.raw("/metrics"));
      long start = System.nanoTime();
      BenchCluster.sleep(Duration.ofSeconds(window));
      String exposition = admin.raw("/metrics");
      Map<String, Double> after = counts(exposition);
      double seconds = (System.nanoTime() - start) / 1e9;
      double watches = longRunningWatches(exposition) / agents;
      stop.set(true);
      running.forEach(NodeAgent::stop);
      for (Thread t : threads) {
        t.join(15_000);
      }
      StringBuilder byVerb = new StringBuilder();
      double total = 0;
      for (var e : after.entrySet()) {
        double rate = (e.getValue() - before.getOrDefault(e.getKey(), 0.0)) / seconds / agents;
        if (rate > 0) {
          byVerb.append(String.format("%s %.4f; ", e.getKey(), rate));
          total += rate;
        }
      }
      table.row(
          variant,
          String.format("%.4f (%s)", total, byVerb.toString().replaceAll("; $", "")),
          String.format("%,.0f/s", total * 5000),
          String.format("%,.0f/s", total * 65000),
          String.format("%.1f", watches));
      BenchCluster.sleep(Duration.ofSeconds(5));
    }
    table.print();
  }

  // main's NodeAgent loop before this change, request for request.
  static void formerLoop(KubernetesClient client, String node, AtomicBoolean stop) {
    Instant felixReadAt = Instant.EPOCH;
    Instant beat = Instant.EPOCH;
    while (!stop.get()) {
      try {
        Instant now = Instant.now();
        if (now.isAfter(felixReadAt.plus(Duration.ofMinutes(5)))) {
          for (String name : List.of("default", "node." + node)) {
            client
                .genericKubernetesResources("crd.projectcalico.org/v1", "FelixConfiguration")
                .withName(name)
                .get();
          }
          felixReadAt = now;
        }
        Node current = client.nodes().withName(node).get();
        if (current != null && !beat.plus(Duration.ofSeconds(60)).isAfter(now)) {
          String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
          client
              .nodes()
              .withName(node)
              .subresource("status")
              .patch(
                  PatchContext.of(PatchType.STRATEGIC_MERGE),
                  "{\"status\":{\"conditions\":[{\"type\":\"WireGuardModuleReady\",\"status\":\"True\","
                      + "\"reason\":\"ModuleLoaded\",\"message\":\"ok\",\"lastHeartbeatTime\":\""
                      + time
                      + "\",\"lastTransitionTime\":\""
                      + time
                      + "\"}]}}");
          beat = now;
        }
      } catch (RuntimeException e) {
        System.err.println("bench: former loop: " + e.getMessage());
      }
      BenchCluster.sleep(Duration.ofSeconds(10));
    }
  }

  static final Pattern REQUEST =
      Pattern.compile("^apiserver_request_total\\{([^}]*)\\}\\s+(\\S+)", Pattern.MULTILINE);

  // Requests on what agents read and write (nodes, nodes/status, FelixConfigurations), by verb and
  // resource: kube-apiserver's own controllers' requests (endpoints, leases, ...) are not theirs.
  static Map<String, Double> counts(String exposition) {
    Map<String, Double> counts = new TreeMap<>();
    Matcher m = REQUEST.matcher(exposition);
    while (m.find()) {
      String labels = m.group(1);
      String resource = label(labels, "resource");
      String subresource = label(labels, "subresource");
      if (!resource.equals("nodes") && !resource.equals("felixconfigurations")) {
        continue;
      }
      String key =
          label(labels, "verb") + " " + resource + (subresource.isEmpty() ? "" : "/" + subresource);
      counts.merge(key, Double.parseDouble(m.group(2)), Double::sum);
    }
    return counts;
  }

  static double longRunningWatches(String exposition) {
    double sum = 0;
    for (String name : List.of("apiserver_longrunning_gauge", "apiserver_longrunning_requests")) {
      sum +=
          BenchCluster.metric(
              exposition,
              name,
              l ->
                  l.contains("verb=\"WATCH\"")
                      && (l.contains("resource=\"nodes\"")
                          || l.contains("resource=\"felixconfigurations\"")));
    }
    return sum;
  }

  static String label(String labels, String name) {
    Matcher m = Pattern.compile("(?:^|,)" + name + "=\"([^\"]*)\"").matcher(labels);
    return m.find() ? m.group(1) : "";
  }

  static WgguardConfig.Agent settings(Path host, Path wg) {
    return settings(
        host,
        "/bin/sh " + wg,
        "ip",
        Duration.ofMinutes(5),
        Duration.ofMinutes(1),
        Duration.ofSeconds(40),
        Duration.ofSeconds(120));
  }

  /**
   * The agent's settings for a benchmark: device read every 10 s, tunnel source {@code device}, the
   * Lease in {@code default}, no health port; the cadence as given.
   */
  static WgguardConfig.Agent settings(
      Path host,
      String wgCommand,
      String ipCommand,
      Duration report,
      Duration jitter,
      Duration leaseInterval,
      Duration leaseDuration) {
    return new WgguardConfig.Agent() {
      @Override
      public Optional<String> nodeName() {
        return Optional.empty();
      }

      @Override
      public String hostRoot() {
        return host.toString();
      }

      @Override
      public Duration interval() {
        return Duration.ofSeconds(10);
      }

      @Override
      public Duration reportInterval() {
        return report;
      }

      @Override
      public Duration reportJitter() {
        return jitter;
      }

      @Override
      public Duration changeSpread() {
        // The shipped 60 s, or less for a cadence shortened below it (at most the report).
        return report.compareTo(Duration.ofSeconds(60)) < 0 ? report : Duration.ofSeconds(60);
      }

      @Override
      public Duration leaseInterval() {
        return leaseInterval;
      }

      @Override
      public Duration leaseDuration() {
        return leaseDuration;
      }

      @Override
      public Optional<String> leaseNamespace() {
        return Optional.of("default");
      }

      @Override
      public Optional<String> interfaceName() {
        return Optional.empty();
      }

      @Override
      public TunnelSource tunnelSource() {
        return TunnelSource.DEVICE;
      }

      @Override
      public String wgCommand() {
        return wgCommand;
      }

      @Override
      public String ipCommand() {
        return ipCommand;
      }

      @Override
      public String felixMetricsUrl() {
        return "http://localhost:9091/metrics";
      }

      @Override
      public int healthPort() {
        return 0;
      }
    };
  }

  // Environment variables the DaemonSet sets besides JAVA_OPTS and the agent's own settings.
  static Map<String, String> daemonSetEnv() {
    Map<String, String> env = new TreeMap<>();
    for (String pair : split(System.getProperty("agentEnv", ""))) {
      int eq = pair.indexOf('=');
      env.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return env;
  }

  static List<String> split(String opts) {
    return opts.isBlank() ? List.of() : Arrays.asList(opts.trim().split("\\s+"));
  }

  static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static String spread(List<Double> values) {
    return String.format(
        "%.1f (%.1f–%.1f)",
        median(values),
        values.stream().mapToDouble(Double::doubleValue).min().orElse(0),
        values.stream().mapToDouble(Double::doubleValue).max().orElse(0));
  }
}
