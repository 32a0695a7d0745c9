package io.wgguard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The packaged wgguard jar, started as a user would start it, with a test certificate. */
public final class WgguardProcess implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The committed test CA that signed the serving certificate (SAN 127.0.0.1). */
  public static final Path TEST_TLS = Path.of("src/test/resources/tls");

  private final Process process;
  private final Path log;
  private final int httpsPort;
  private final int managementPort;
  private final Launch launch;

  /** What a process was started with, so that {@link #restart()} can start it again alike. */
  private record Launch(
      String name,
      Path kubeconfig,
      Path tlsDir,
      List<String> jvmOptions,
      Map<String, String> properties,
      String health) {}

  private WgguardProcess(
      Process process, Path log, int httpsPort, int managementPort, Launch launch) {
    this.process = process;
    this.log = log;
    this.httpsPort = httpsPort;
    this.managementPort = managementPort;
    this.launch = launch;
  }

  /**
   * Starts {@code target/quarkus-app/quarkus-run.jar} against the cluster in {@code kubeconfig},
   * with extra {@code -D} properties, and waits until it is ready.
   */
  public static WgguardProcess start(String name, Path kubeconfig, Map<String, String> properties)
      throws IOException {
    return start(name, kubeconfig, TEST_TLS, properties, "/q/health/ready");
  }

  /**
   * Starts the jar with the PEM files in {@code tlsDir} (e.g. what {@code certs/generate.sh} wrote)
   * and waits until it is ready.
   */
  public static WgguardProcess start(
      String name, Path kubeconfig, Path tlsDir, Map<String, String> properties)
      throws IOException {
    return start(name, kubeconfig, tlsDir, properties, "/q/health/ready");
  }

  /**
   * Starts the jar with the PEM files in {@code tlsDir} and waits only until it is live (for tests
   * without an API server).
   */
  public static WgguardProcess startLive(
      String name, Path kubeconfig, Path tlsDir, Map<String, String> properties)
      throws IOException {
    return start(name, kubeconfig, tlsDir, properties, "/q/health/live");
  }

  private static WgguardProcess start(
      String name, Path kubeconfig, Path tlsDir, Map<String, String> properties, String health)
      throws IOException {
    WgguardProcess wgguard =
        launch(new Launch(name, kubeconfig, tlsDir, List.of(), properties, health), 0, 0);
    wgguard.await(health, Duration.ofSeconds(90));
    return wgguard;
  }

  /**
   * Starts this wgguard again after it was closed (a test stopped it): the same kubeconfig,
   * certificate, properties and ports, so a webhook registration aimed at {@link #webhookBase()}
   * stays valid; the log goes on in the same file. Waits for health as the first start did.
   */
  public WgguardProcess restart() throws IOException {
    if (process.isAlive()) {
      throw new IllegalStateException(
          "%s still runs: close it before restart()".formatted(launch.name()));
    }
    WgguardProcess again = launch(launch, httpsPort, managementPort);
    again.await(launch.health(), Duration.ofSeconds(90));
    return again;
  }

  /**
   * Starts the jar with the test certificate and JVM options placed before {@code -jar}, and
   * returns at once without waiting for health (benchmarks time the start-up themselves).
   */
  public static WgguardProcess launch(
      String name, Path kubeconfig, List<String> jvmOptions, Map<String, String> properties)
      throws IOException {
    return launch(
        new Launch(name, kubeconfig, TEST_TLS, jvmOptions, properties, "/q/health/ready"), 0, 0);
  }

  /** Launches the jar; ports 0 pick free ones, others are reused (a restart). */
  private static WgguardProcess launch(Launch launch, int httpsPort, int managementPort)
      throws IOException {
    Path jar = Path.of(System.getProperty("wgguard.jar", "target/quarkus-app/quarkus-run.jar"));
    if (!Files.exists(jar)) {
      throw new IllegalStateException(
          jar + " not found: run ./mvnw verify, which packages it first");
    }
    boolean again = httpsPort != 0;
    int https = again ? httpsPort : freePort();
    int management = again ? managementPort : freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(launch.jvmOptions());
    command.add("-Dquarkus.http.ssl-port=" + https);
    command.add("-Dquarkus.management.port=" + management);
    launch.properties().forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("-jar");
    command.add(jar.toString());
    Path logs = Path.of("target", "it-logs");
    Files.createDirectories(logs);
    Path log = logs.resolve(launch.name() + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(
                again
                    ? ProcessBuilder.Redirect.appendTo(log.toFile())
                    : ProcessBuilder.Redirect.to(log.toFile()));
    Path tlsDir = launch.tlsDir();
    builder.environment().put("KUBECONFIG", launch.kubeconfig().toString());
    builder
        .environment()
        .put("WGGUARD_TLS_CERT_FILE", tlsDir.resolve("tls.crt").toAbsolutePath().toString());
    builder
        .environment()
        .put("WGGUARD_TLS_KEY_FILE", tlsDir.resolve("tls.key").toAbsolutePath().toString());
    return new WgguardProcess(builder.start(), log, https, management, launch);
  }

  /**
   * Starts the node agent for one node as the DaemonSet does ({@code java -cp <app and library
   * jars> io.wgguard.agent.AgentMain}), with the host file system at {@code hostRoot}, probing
   * every second, plus {@code env} (e.g. {@code WGGUARD_AGENT_WG_COMMAND}). The caller destroys the
   * process.
   */
  public static Process agent(
      String name, Path kubeconfig, String node, Path hostRoot, Map<String, String> env)
      throws IOException {
    return agent(name, kubeconfig, node, hostRoot, env, List.of());
  }

  /**
   * {@link #agent(String, Path, String, Path, Map)} with JVM options before {@code -cp}, where the
   * DaemonSet's command puts {@code $JAVA_OPTS} (e.g. {@link #agentDaemonSetJvmOptions()}).
   */
  public static Process agent(
      String name,
      Path kubeconfig,
      String node,
      Path hostRoot,
      Map<String, String> env,
      List<String> jvmOptions)
      throws IOException {
    Path logs = Path.of("target", "it-logs");
    Files.createDirectories(logs);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-Xlog:class+load=info:file=" + agentClassLog(name));
    command.addAll(List.of("-cp", agentClasspath(), "io.wgguard.agent.AgentMain"));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(logs.resolve(name + ".log").toFile());
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    builder.environment().put("NODE_NAME", node);
    builder.environment().put("WGGUARD_AGENT_HOST_ROOT", hostRoot.toString());
    builder.environment().put("WGGUARD_AGENT_INTERVAL", "1s");
    builder.environment().put("WGGUARD_AGENT_HEALTH_PORT", "0");
    builder.environment().put("WGGUARD_AGENT_TUNNEL_SOURCE", "none");
    // Outside a pod there is no service account namespace; the checker reads Leases in the
    // kubeconfig's namespace, default.
    builder.environment().put("WGGUARD_AGENT_LEASE_NAMESPACE", "default");
    builder.environment().putAll(env);
    return builder.start();
  }

  /**
   * The JVM options the agent DaemonSet of {@code manifests/base/agent-daemonset.yaml} gives the
   * agent: its {@code JAVA_OPTS}, word by word ({@code -Xss256k}, {@code -Xint}, the heap flags).
   */
  public static List<String> agentDaemonSetJvmOptions() throws IOException {
    Path manifest =
        Path.of(
            System.getProperty("wgguard.basedir", "."),
            "manifests",
            "base",
            "agent-daemonset.yaml");
    JsonNode daemonSet =
        new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
            .readTree(manifest.toFile());
    for (JsonNode container :
        daemonSet.path("spec").path("template").path("spec").path("containers")) {
      for (JsonNode env : container.path("env")) {
        if ("JAVA_OPTS".equals(env.path("name").asText())) {
          return List.of(env.path("value").asText().trim().split("\\s+"));
        }
      }
    }
    throw new IllegalStateException(manifest + " gives the agent no JAVA_OPTS");
  }

  /** Where the agent {@code name} logs every class it loads (the JVM's {@code class+load} log). */
  public static Path agentClassLog(String name) {
    return Path.of("target", "it-logs", name + ".classes");
  }

  /** The classes the agent {@code name} has loaded so far, by binary name. */
  public static java.util.Set<String> agentClasses(String name) throws IOException {
    // Lines read "[0.012s][info][class,load] java.lang.Object source: shared objects file".
    java.util.regex.Pattern loaded =
        java.util.regex.Pattern.compile("\\[class,load\\] (\\S+) source:");
    java.util.Set<String> classes = new java.util.TreeSet<>();
    for (String line : Files.readAllLines(agentClassLog(name))) {
      java.util.regex.Matcher m = loaded.matcher(line);
      if (m.find()) {
        classes.add(m.group(1));
      }
    }
    return classes;
  }

  /** {@link #agent(String, Path, String, Path, Map)} without tunnels. */
  public static Process agent(String name, Path kubeconfig, String node, Path hostRoot)
      throws IOException {
    return agent(name, kubeconfig, node, hostRoot, Map.of());
  }

  /**
   * The agent's class path in the packaged application, as the DaemonSet gives it: the application
   * jar and the library jars, by wildcard.
   */
  public static String agentClasspath() {
    Path app =
        Path.of(System.getProperty("wgguard.jar", "target/quarkus-app/quarkus-run.jar"))
            .getParent();
    if (!Files.isDirectory(app.resolve("app"))) {
      throw new IllegalStateException(
          app + "/app not found: run ./mvnw verify, which packages it first");
    }
    return String.join(
        java.io.File.pathSeparator, app.resolve("app") + "/*", app.resolve("lib/main") + "/*");
  }

  /** Base URL of the webhook port, e.g. {@code https://127.0.0.1:12345}. */
  public String webhookBase() {
    return "https://127.0.0.1:" + httpsPort;
  }

  /** Base URL of the management port. */
  public String managementBase() {
    return "http://127.0.0.1:" + managementPort;
  }

  /** The operating-system process id of the JVM. */
  public long pid() {
    return process.pid();
  }

  /** True while the JVM runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** {@code GET /status}, parsed. */
  public JsonNode status() {
    return status("");
  }

  /** {@code GET /status} with a query such as {@code ?state=not-ready}, parsed. */
  public JsonNode status(String query) {
    HttpResponse<String> response = get("/status" + query);
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException("/status is not JSON: " + response.body(), e);
    }
  }

  /** The {@code /status} row of one node; fails when there is none. */
  public JsonNode statusRow(String node) {
    JsonNode status = status();
    for (JsonNode row : status.path("nodes")) {
      if (node.equals(row.path("name").asText())) {
        return row;
      }
    }
    throw new AssertionError("no /status row for " + node + ": " + status);
  }

  /**
   * The value of one series of {@code /q/metrics}, e.g. {@code
   * wgguard_taint_changes_total{action="add"}}; fails when the series is not there.
   */
  public double metric(String series) {
    String metrics = get("/q/metrics").body();
    for (String line : metrics.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    throw new AssertionError("no series %s in /q/metrics:%n%s".formatted(series, metrics));
  }

  /**
   * Waits until {@code /status} comes from a checker pass that started after {@code since}. Passes
   * run one at a time, so the writes (taints, Events) of every earlier pass are done by then.
   */
  public void awaitPassAfter(Instant since, Duration timeout) {
    KubeCluster.await(
        timeout,
        "a checker pass after %s".formatted(since),
        () -> {
          String at = status().path("generatedAt").asText("");
          return !at.isEmpty() && Instant.parse(at).isAfter(since);
        });
  }

  /** GETs a management path. */
  public HttpResponse<String> get(String path) {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create(managementBase() + path))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("GET " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The process log so far. */
  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Waits until {@code /q/health/live} answers 200; fails with the log if the JVM exits. */
  public void awaitLive(Duration timeout) {
    await("/q/health/live", timeout);
  }

  /** Waits until {@code /q/health/ready} answers 200; fails with the log if the JVM exits. */
  public void awaitReady(Duration timeout) {
    await("/q/health/ready", timeout);
  }

  private void await(String health, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "wgguard exited with " + process.exitValue() + ":\n" + log());
      }
      try {
        if (get(health).statusCode() == 200) {
          return;
        }
      } catch (IllegalStateException notYet) {
        // the port is not open yet
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("wgguard not ready after " + timeout + ":\n" + log());
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
