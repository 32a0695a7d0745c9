package io.wgguard.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real kube-apiserver and etcd (io.fabric8:kube-api-test) with three token users besides the
 * certificate admin, Calico's FelixConfiguration CRDs, and kubectl to act as a user would.
 */
public final class KubeCluster implements AutoCloseable {

  /** Token users: token, user name, groups. */
  public enum User {
    ADMIN("admin-token", "admin", "system:masters"),
    APPROVER("approver-token", "alice", "wgguard-approvers"),
    EDITOR("editor-token", "bob", "platform-editors"),
    CALICO_NODE(
        "calico-node-token",
        "system:serviceaccount:calico-system:calico-node",
        "system:serviceaccounts"),
    /**
     * worker2's kubelet identity. It may do nothing unless the cluster runs the Node authorizer
     * ({@link #startWithNodeRestriction()}).
     */
    NODE_WORKER2("node-worker2-token", "system:node:worker2", "system:nodes");

    final String token;
    final String name;
    final String group;

    User(String token, String name, String group) {
      this.token = token;
      this.name = name;
      this.group = group;
    }
  }

  /** What kubectl printed and returned. */
  public record Result(int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr;
    }
  }

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final KubeAPIServer server;
  private final Path dir;
  private final KubernetesClient admin;
  private final Path kubectl;
  private final String masterUrl;
  private final Path caFile;
  private final java.util.Set<Long> frozen = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final Map<String, Process> relaunched = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile Path relaunchInto;

  private KubeCluster(KubeAPIServer server, Path dir, String kubeconfigYaml) throws IOException {
    this.server = server;
    this.dir = dir;
    Path adminKubeconfig = dir.resolve("admin.kubeconfig");
    Files.writeString(adminKubeconfig, kubeconfigYaml);
    Config config = Config.fromKubeconfig(kubeconfigYaml);
    this.admin = new KubernetesClientBuilder().withConfig(config).build();
    this.masterUrl = config.getMasterUrl();
    this.caFile = dir.resolve("apiserver-ca.crt");
    if (config.getCaCertData() != null) {
      Files.write(caFile, Base64.getDecoder().decode(config.getCaCertData()));
    } else {
      Files.copy(Path.of(config.getCaCertFile()), caFile);
    }
    this.kubectl = findKubectl();
    for (User user : User.values()) {
      Files.writeString(kubeconfig(user), userKubeconfig(user));
    }
  }

  /** Starts the API server; binaries come from scripts/kube-binaries.sh or kube-api-test. */
  public static KubeCluster start() throws IOException {
    return start(Map.of());
  }

  /**
   * The seed cluster ({@link #startSeedCluster()}) on an API server that authorizes kubelets as a
   * real cluster does: the Node authorizer lets {@code system:node:<name>} write its own Node, and
   * the NodeRestriction admission plugin keeps it from labels under {@code
   * node-restriction.kubernetes.io/}.
   */
  public static KubeCluster startWithNodeRestriction() throws IOException {
    // kube-api-test passes --authorization-mode RBAC; the flag is a list, so this adds Node to it.
    KubeCluster cluster =
        start(
            Map.of(
                "--authorization-mode", "Node",
                "--enable-admission-plugins", "NodeRestriction"));
    try {
      cluster.installCalicoCrds();
      cluster.applyDefaultFelixConfiguration(true);
      SeedNodes.create(cluster.admin());
      return cluster;
    } catch (RuntimeException | IOException e) {
      cluster.close();
      throw e;
    }
  }

  /** Starts the API server with extra flags (list flags add to kube-api-test's own). */
  private static KubeCluster start(Map<String, String> flags) throws IOException {
    Path dir = Files.createTempDirectory("wgguard-it-");
    StringBuilder tokens = new StringBuilder();
    for (User user : User.values()) {
      tokens
          .append(user.token)
          .append(',')
          .append(user.name)
          .append(',')
          .append(user.name)
          .append(",\"")
          .append(user.group)
          .append("\"\n");
    }
    Path tokenFile = dir.resolve("tokens.csv");
    Files.writeString(tokenFile, tokens);
    KubeAPIServerConfigBuilder builder =
        KubeAPIServerConfigBuilder.anAPIServerConfig()
            .withApiServerFlag("--token-auth-file", tokenFile.toString())
            .withStartupTimeout(180_000);
    flags.forEach(builder::withApiServerFlag);
    KubeAPIServer server = new KubeAPIServer(builder.build());
    server.start();
    return new KubeCluster(server, dir, server.getKubeConfigYaml());
  }

  /**
   * The API server with Calico's FelixConfiguration CRDs and {@code default} switching WireGuard
   * on, as the seed leaves it after its first step.
   */
  public static KubeCluster startWithWireguardOn() throws IOException {
    KubeCluster cluster = start();
    try {
      cluster.installCalicoCrds();
      cluster.applyDefaultFelixConfiguration(true);
      return cluster;
    } catch (RuntimeException | IOException e) {
      cluster.close();
      throw e;
    }
  }

  /** {@link #startWithWireguardOn()} plus the seed's three nodes with their keys and addresses. */
  public static KubeCluster startSeedCluster() throws IOException {
    KubeCluster cluster = startWithWireguardOn();
    try {
      SeedNodes.create(cluster.admin());
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** Calico's CRDs as the repository keeps them: {@code src/test/resources/calico}. */
  public static Path calicoFixtures() {
    return Path.of(
        System.getProperty("wgguard.basedir", "."), "src", "test", "resources", "calico");
  }

  /** A client authenticated as the certificate admin (system:masters). */
  public KubernetesClient admin() {
    return admin;
  }

  /** The kubeconfig a token user would have. */
  public Path kubeconfig(User user) {
    return dir.resolve(user.name().toLowerCase() + ".kubeconfig");
  }

  /** Directory for files the test writes. */
  public Path dir() {
    return dir;
  }

  /** Runs kubectl as a user, with optional standard input. */
  public Result kubectlWithInput(User user, String stdin, String... args) {
    return kubectlWith(kubeconfig(user), stdin, args);
  }

  /** Runs kubectl with a kubeconfig of the test's own, e.g. {@link #tokenKubeconfig}. */
  public Result kubectlWith(Path kubeconfig, String stdin, String... args) {
    List<String> command = new ArrayList<>();
    command.add(kubectl.toString());
    command.add("--kubeconfig=" + kubeconfig);
    command.addAll(List.of(args));
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectOutput(dir.resolve("kubectl.out").toFile())
              .redirectError(dir.resolve("kubectl.err").toFile())
              .start();
      if (stdin != null) {
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      process.getOutputStream().close();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("kubectl timed out: " + command);
      }
      return new Result(
          process.exitValue(),
          Files.readString(dir.resolve("kubectl.out")),
          Files.readString(dir.resolve("kubectl.err")));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes a kubeconfig that authenticates with a bearer token (a service account's, say) and
   * defaults to {@code namespace}, as the in-cluster configuration of a pod in it would.
   */
  public Path tokenKubeconfig(String name, String token, String namespace) throws IOException {
    Path file = dir.resolve(name + ".kubeconfig");
    Files.writeString(file, kubeconfigYaml(name, token, namespace));
    return file;
  }

  /** kubectl without standard input. */
  public Result kubectl(User user, String... args) {
    return kubectlWithInput(user, null, args);
  }

  /**
   * Installs Calico's CRDs (FelixConfiguration in both groups, BlockAffinity, IPAMBlock) from
   * {@link #calicoFixtures()}, without the {@code x-kubernetes-validations} that API servers before
   * 1.25 do not know.
   */
  public void installCalicoCrds() throws IOException {
    Path fixtures = calicoFixtures();
    for (String file :
        List.of(
            "crd.projectcalico.org_felixconfigurations.yaml",
            "projectcalico.org_felixconfigurations.yaml",
            "crd.projectcalico.org_blockaffinities.yaml",
            "crd.projectcalico.org_ipamblocks.yaml")) {
      Object tree = YAML.readValue(fixtures.resolve(file).toFile(), Object.class);
      stripValidations(tree);
      CustomResourceDefinition crd =
          admin.getKubernetesSerialization().convertValue(tree, CustomResourceDefinition.class);
      admin.apiextensions().v1().customResourceDefinitions().resource(crd).serverSideApply();
      admin
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .withName(crd.getMetadata().getName())
          .waitUntilCondition(
              c ->
                  c != null
                      && c.getStatus() != null
                      && c.getStatus().getConditions() != null
                      && c.getStatus().getConditions().stream()
                          .anyMatch(
                              k ->
                                  "Established".equals(k.getType())
                                      && "True".equals(k.getStatus())),
              60,
              TimeUnit.SECONDS);
    }
  }

  /** Closes each resource that was opened, in order: a test's wgguard before its cluster. */
  public static void closeAll(AutoCloseable... resources) {
    for (AutoCloseable resource : resources) {
      if (resource != null) {
        try {
          resource.close();
        } catch (Exception e) {
          System.err.println("cannot close " + resource + ": " + e.getMessage());
        }
      }
    }
  }

  /** Applies FelixConfiguration {@code default} with {@code spec.wireguardEnabled} as given. */
  /**
   * Lets the approvers, the platform editors and calico-node's service account write
   * FelixConfigurations in both groups: wgguard, not RBAC, is what stands between them and
   * switching WireGuard off.
   */
  public void grantFelixConfigurationWriters() {
    apply(
        """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: felixconfiguration-editor
        rules:
        - apiGroups: ["crd.projectcalico.org", "projectcalico.org"]
          resources: ["felixconfigurations"]
          verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: felixconfiguration-editors
        roleRef:
          apiGroup: rbac.authorization.k8s.io
          kind: ClusterRole
          name: felixconfiguration-editor
        subjects:
        - {kind: Group, name: wgguard-approvers, apiGroup: rbac.authorization.k8s.io}
        - {kind: Group, name: platform-editors, apiGroup: rbac.authorization.k8s.io}
        - {kind: User, name: "system:serviceaccount:calico-system:calico-node", apiGroup: rbac.authorization.k8s.io}
        """);
  }

  public void applyDefaultFelixConfiguration(boolean wireguardEnabled) {
    apply(
        """
        apiVersion: crd.projectcalico.org/v1
        kind: FelixConfiguration
        metadata:
          name: default
        spec:
          wireguardEnabled: %s
        """
            .formatted(wireguardEnabled));
  }

  /** Applies YAML as the admin, failing loudly. */
  public void apply(String yaml) {
    Result result = kubectlWithInput(User.ADMIN, yaml, "apply", "-f", "-");
    if (result.exitCode() != 0) {
      throw new IllegalStateException("kubectl apply failed: " + result);
    }
  }

  /** The API server's URL. */
  public String masterUrl() {
    return masterUrl;
  }

  /** Waits for a condition, polling. */
  public static void await(Duration timeout, String what, java.util.function.BooleanSupplier done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** The operating-system process id of this cluster's kube-apiserver. */
  public long apiServerPid() {
    Process again = relaunched.get("kubeApiServerProcess");
    return again != null ? again.pid() : process("kubeApiServerProcess", "apiServerProcess").pid();
  }

  /** The operating-system process id of this cluster's etcd. */
  public long etcdPid() {
    Process again = relaunched.get("etcdProcess");
    return again != null ? again.pid() : process("etcdProcess", "etcdProcess").pid();
  }

  /**
   * Has a relaunched etcd or kube-apiserver ({@link #restartApiServer()}, {@link #stopEtcdFor})
   * write its own pid into {@code cgroupProcs} before it runs, so it starts where the benchmark put
   * the first one (a cgroup's {@code cgroup.procs}).
   */
  public void relaunchInto(Path cgroupProcs) {
    relaunchInto = cgroupProcs;
  }

  /**
   * Stops this cluster's kube-apiserver (SIGTERM, as a rolling restart would) and starts it again
   * with the same command line: same port, certificates and etcd. Returns once it answers again.
   */
  public void restartApiServer() throws IOException {
    relaunch("kubeApiServerProcess", apiServerPid(), Duration.ZERO);
    await(Duration.ofMinutes(3), "kube-apiserver to answer again", this::answers);
  }

  /**
   * Stops this cluster's etcd (SIGTERM), keeps it down for {@code down}, and starts it again with
   * the same command line and data directory. Returns once kube-apiserver answers again.
   */
  public void stopEtcdFor(Duration down) throws IOException {
    relaunch("etcdProcess", etcdPid(), down);
    await(Duration.ofMinutes(3), "kube-apiserver to answer again", this::answers);
  }

  private void relaunch(String holder, long pid, Duration down) throws IOException {
    List<String> command =
        List.of(Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).split("\u0000"));
    // kube-api-test stops the whole cluster when a process it started exits unexpectedly.
    markStopped(holder);
    ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
    handle.destroy();
    handle.onExit().orTimeout(60, TimeUnit.SECONDS).join();
    try {
      Thread.sleep(down.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    Path into = relaunchInto;
    if (into != null) {
      List<String> placed = new ArrayList<>(List.of("sh", "-c", "echo $$ > \"$0\" && exec \"$@\""));
      placed.add(into.toString());
      placed.addAll(command);
      command = placed;
    }
    relaunched.put(
        holder,
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(holder + "-relaunched.log").toFile())
            .start());
  }

  /** Freezes a process (SIGSTOP): it holds its connections and answers nothing. */
  public void freeze(long pid) {
    signal("STOP", pid);
    frozen.add(pid);
  }

  /** Lets a frozen process run again (SIGCONT). */
  public void thaw(long pid) {
    signal("CONT", pid);
    frozen.remove(pid);
  }

  /** True when kube-apiserver answers {@code /readyz}. */
  public boolean answers() {
    // kubectl, not the fabric8 client: that one retries a refused connection for a long while.
    Result readyz = kubectl(User.ADMIN, "get", "--raw", "/readyz", "--request-timeout=5s");
    return readyz.exitCode() == 0 && readyz.stdout().strip().equals("ok");
  }

  private static void signal(String signal, long pid) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
      if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private Process process(String holder, String field) {
    try {
      Object owner = field(server, holder);
      return (Process) field(owner, field);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("kube-api-test changed: no " + holder + "." + field, e);
    }
  }

  private void markStopped(String holder) {
    try {
      Object owner = field(server, holder);
      java.lang.reflect.Field stopped = owner.getClass().getDeclaredField("stopped");
      stopped.setAccessible(true);
      stopped.setBoolean(owner, true);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("kube-api-test changed: no " + holder + ".stopped", e);
    }
  }

  private static Object field(Object owner, String name) throws ReflectiveOperationException {
    java.lang.reflect.Field field = owner.getClass().getDeclaredField(name);
    field.setAccessible(true);
    return field.get(owner);
  }

  @Override
  public void close() {
    List.copyOf(frozen).forEach(this::thaw);
    admin.close();
    for (Process process : relaunched.values()) {
      process.destroy();
      try {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    server.stop();
  }

  @SuppressWarnings("unchecked")
  private static void stripValidations(Object node) {
    if (node instanceof Map<?, ?> map) {
      map.remove("x-kubernetes-validations");
      ((Map<String, Object>) map).values().forEach(KubeCluster::stripValidations);
    } else if (node instanceof List<?> list) {
      for (Iterator<?> it = list.iterator(); it.hasNext(); ) {
        stripValidations(it.next());
      }
    }
  }

  private String userKubeconfig(User user) {
    return kubeconfigYaml(user.name().toLowerCase(), user.token, null);
  }

  private String kubeconfigYaml(String name, String token, String namespace) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: it
          cluster:
            server: %s
            certificate-authority: %s
        users:
        - name: %s
          user:
            token: %s
        contexts:
        - name: it
          context:
            cluster: it
            user: %s
        %s
        current-context: it
        """
        .formatted(
            masterUrl,
            caFile,
            name,
            token,
            name,
            namespace == null ? "" : "    namespace: " + namespace);
  }

  /** The kubectl binary: the one provisioned next to kube-apiserver, else kubectl on the PATH. */
  public static Path kubectlBinary() {
    try {
      return findKubectl();
    } catch (IOException e) {
      throw new IllegalStateException("cannot look for kubectl", e);
    }
  }

  private static Path findKubectl() throws IOException {
    String base =
        Optional.ofNullable(System.getenv("KUBE_API_TEST_DIR"))
            .orElse(Path.of(System.getProperty("user.home"), ".kubeapitest").toString());
    Path k8s = Path.of(base, "k8s");
    if (Files.isDirectory(k8s)) {
      try (Stream<Path> dirs = Files.list(k8s)) {
        Optional<Path> found =
            dirs.map(d -> d.resolve("kubectl")).filter(Files::isExecutable).sorted().findFirst();
        if (found.isPresent()) {
          return found.get();
        }
      }
    }
    return Path.of("kubectl");
  }
}
