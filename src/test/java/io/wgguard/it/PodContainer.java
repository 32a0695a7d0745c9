package io.wgguard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One container of a rendered Deployment or DaemonSet ({@code kubectl kustomize manifests/base}),
 * run with podman as the kubelet would run it: the image the manifest names (built by {@code
 * scripts/images.sh}, never pulled), its command and arguments, its environment ({@code fieldRef}s
 * and {@code $(VAR)} references resolved), the pod's and the container's user, group and fsGroup,
 * read-only root file system, no privilege escalation, capabilities, memory and CPU limits, its
 * {@code emptyDir}s as tmpfs of their size limit, its Secret volumes as directories with the
 * Secret's mode and the fsGroup as group, its {@code hostPath}s from directories the test gives,
 * and the service account's token, CA and namespace where the kubelet mounts them.
 *
 * <p>What differs from a kubelet, because this is one shared machine: the network is the host's or
 * a namespace the test made (not a pod network), so a service on the host network is given free
 * ports by environment; and the test may add mounts and variables, which it names.
 *
 * <p>Containers are named {@code wgguard-it-<pid>-<name>}, so parallel runs never collide; {@link
 * #start} first removes containers of runs whose process is gone. Podman reads {@code
 * scripts/podman/containers.conf}. Needs root (CI runs as root).
 */
public final class PodContainer implements AutoCloseable {

  static final String PREFIX = "wgguard-it-";
  static final String SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  private final String name;
  private final Process process;
  private final Path log;
  private final List<Path> projected;

  private PodContainer(String name, Process process, Path log, List<Path> projected) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.projected = projected;
  }

  /** What a podman command printed and returned. */
  public record Result(int exit, String out, String err) {
    public boolean ok() {
      return exit == 0;
    }
  }

  /** The repository root (the build's base directory). */
  static Path basedir() {
    return Path.of(System.getProperty("wgguard.basedir", ".")).toAbsolutePath().normalize();
  }

  /** Renders a kustomization of the repository, e.g. {@code manifests/base}, as its objects. */
  public static List<JsonNode> render(String dir) throws IOException {
    Result yaml =
        run(
            List.of(
                KubeCluster.kubectlBinary().toString(),
                "kustomize",
                basedir().resolve(dir).toString()));
    if (!yaml.ok()) {
      throw new IllegalStateException("kubectl kustomize " + dir + " failed: " + yaml.err());
    }
    List<JsonNode> objects = new ArrayList<>();
    try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(yaml.out())) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc != null && !doc.isEmpty()) {
          objects.add(doc);
        }
      }
    }
    return objects;
  }

  /** The rendered object of a kind and name; fails when there is none. */
  public static JsonNode object(List<JsonNode> objects, String kind, String name) {
    return objects.stream()
        .filter(
            o ->
                kind.equals(o.path("kind").asText())
                    && name.equals(o.path("metadata").path("name").asText()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " rendered"));
  }

  /**
   * Root, podman, and the images of the rendered workloads, or an error saying what to run.
   *
   * @param images the image references the manifests name
   */
  public static void requirements(List<String> images) {
    Result id = run(List.of("id", "-u"));
    if (!"0".equals(id.out().strip())) {
      throw new AssertionError(
          "the image tests run rootful podman and need root (uid 0); CI runs them as root");
    }
    if (!run(List.of("sh", "-c", "command -v podman")).ok()) {
      throw new AssertionError("the image tests need podman: run scripts/test-deps.sh (as root)");
    }
    for (String image : images) {
      if (!podman("image", "exists", image).ok()) {
        throw new AssertionError(
            "image "
                + image
                + " not found in podman's storage: run scripts/images.sh (./mvnw verify runs it"
                + " before the ITs)");
      }
    }
  }

  /** Starts building a run of {@code workload}'s first container, named {@code name}. */
  public static Builder of(String name, JsonNode workload) {
    return new Builder(name, workload);
  }

  /** Runs {@code podman} with the repository's containers.conf, bounded. */
  public static Result podman(String... args) {
    List<String> command = new ArrayList<>(List.of("podman"));
    command.addAll(List.of(args));
    return run(command);
  }

  /** Runs a command inside the container. */
  public Result exec(String... command) {
    List<String> args = new ArrayList<>(List.of("exec", name));
    args.addAll(List.of(command));
    return podman(args.toArray(String[]::new));
  }

  /** True while the container's process runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** The container's output so far. */
  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** The container's name in podman. */
  public String name() {
    return name;
  }

  /** Stops the container (SIGTERM, then SIGKILL after 10 s) and removes it. Never throws. */
  @Override
  public void close() {
    podman("stop", "-t", "10", name);
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    podman("rm", "-f", "--ignore", name);
    for (Path dir : projected) {
      run(List.of("rm", "-rf", dir.toString()));
    }
  }

  /** Removes containers of earlier runs whose process no longer runs. */
  static void removeLeftovers() {
    Result list = podman("ps", "-a", "--format", "{{.Names}}");
    for (String line : list.out().split("\n")) {
      String container = line.strip();
      if (!container.startsWith(PREFIX)) {
        continue;
      }
      String pid = container.substring(PREFIX.length()).split("-")[0];
      try {
        if (ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
          podman("rm", "-f", "--ignore", container);
        }
      } catch (NumberFormatException e) {
        // not one of ours
      }
    }
  }

  /** How to run one container of a workload. */
  public static final class Builder {
    private final String name;
    private final JsonNode pod;
    private final JsonNode container;
    private String network = "host";
    private final Map<String, String> fieldRefs = new LinkedHashMap<>();
    private final Map<String, Path> hostPaths = new LinkedHashMap<>();
    private final Map<String, Path> secrets = new LinkedHashMap<>();
    private final Map<String, String> extraEnv = new LinkedHashMap<>();
    private final List<String> extraMounts = new ArrayList<>();
    private Path serviceAccount;
    private boolean cpuLimit = true;
    private final List<Path> projected = new ArrayList<>();

    private Builder(String name, JsonNode workload) {
      this.name = PREFIX + ProcessHandle.current().pid() + "-" + name;
      this.pod = workload.path("spec").path("template").path("spec");
      this.container = pod.path("containers").get(0);
      if (container == null) {
        throw new IllegalArgumentException("no container in " + workload.path("metadata"));
      }
    }

    /** Podman's {@code --network}: {@code host} (the default) or {@code ns:/run/netns/<name>}. */
    public Builder network(String mode) {
      this.network = mode;
      return this;
    }

    /** The value of a {@code fieldRef} such as {@code spec.nodeName}. */
    public Builder field(String path, String value) {
      fieldRefs.put(path, value);
      return this;
    }

    /** What stands for the host path {@code path} (e.g. {@code /sys}) of a hostPath volume. */
    public Builder hostPath(String path, Path substitute) {
      hostPaths.put(path, substitute);
      return this;
    }

    /** The files of the Secret {@code secretName}, as the kubelet would project them. */
    public Builder secret(String secretName, Path files) {
      secrets.put(secretName, files);
      return this;
    }

    /** The service account's {@code token}, {@code ca.crt} and {@code namespace}. */
    public Builder serviceAccount(Path dir) {
      this.serviceAccount = dir;
      return this;
    }

    /** A variable the manifest does not set, or a value that replaces the manifest's. */
    public Builder env(String key, String value) {
      extraEnv.put(key, value);
      return this;
    }

    /** Leaves the manifest's CPU limit out (benchmarks compare with and without it). */
    public Builder withoutCpuLimit() {
      this.cpuLimit = false;
      return this;
    }

    /** A bind mount the manifest does not have. */
    public Builder mount(Path host, String target, boolean readOnly) {
      extraMounts.add(bind(host, target, readOnly));
      return this;
    }

    /** The podman arguments, without {@code podman run}; for tests of the mapping. */
    List<String> arguments() throws IOException {
      List<String> args = new ArrayList<>(List.of("--rm", "--name", name, "--pull=never"));
      args.add("--network=" + network);
      JsonNode podSecurity = pod.path("securityContext");
      JsonNode security = container.path("securityContext");
      long user = security.path("runAsUser").asLong(podSecurity.path("runAsUser").asLong(0));
      boolean nonRoot =
          security.path("runAsNonRoot").asBoolean(podSecurity.path("runAsNonRoot").asBoolean());
      if (nonRoot && user == 0) {
        throw new IllegalStateException(
            name + ": runAsNonRoot with user 0, which the kubelet refuses to start");
      }
      JsonNode group =
          security.has("runAsGroup") ? security.get("runAsGroup") : podSecurity.get("runAsGroup");
      args.add("--user=" + user + (group == null ? "" : ":" + group.asLong()));
      if (podSecurity.has("fsGroup")) {
        args.add("--group-add=" + podSecurity.get("fsGroup").asLong());
      }
      if (security.path("readOnlyRootFilesystem").asBoolean()) {
        // Only what the manifest mounts is writable, as under a kubelet: no tmpfs of podman's own.
        args.add("--read-only");
        args.add("--read-only-tmpfs=false");
      }
      if (security.path("allowPrivilegeEscalation").isBoolean()
          && !security.path("allowPrivilegeEscalation").asBoolean()) {
        args.add("--security-opt=no-new-privileges");
      }
      if (security.path("privileged").asBoolean()) {
        args.add("--privileged");
      }
      security.path("capabilities").path("drop").forEach(c -> args.add("--cap-drop=" + c.asText()));
      security.path("capabilities").path("add").forEach(c -> args.add("--cap-add=" + c.asText()));
      JsonNode limits = container.path("resources").path("limits");
      if (limits.has("memory")) {
        args.add("--memory=" + bytes(limits.get("memory").asText()));
      }
      if (cpuLimit && limits.has("cpu")) {
        args.add("--cpus=" + cpus(limits.get("cpu").asText()));
      }
      environment().forEach((k, v) -> args.add("--env=" + k + "=" + v));
      for (JsonNode mount : container.path("volumeMounts")) {
        args.addAll(volume(mount));
      }
      if (serviceAccount != null) {
        args.add(bind(serviceAccount, SERVICE_ACCOUNT, true));
      }
      args.addAll(extraMounts);
      if (container.has("command")) {
        args.add("--entrypoint=" + new ObjectMapper().writeValueAsString(container.get("command")));
      }
      args.add(container.path("image").asText());
      container.path("args").forEach(a -> args.add(a.asText()));
      return args;
    }

    /**
     * Removes what crashed earlier runs left, starts the container and returns at once; its output
     * goes to target/it-logs/.
     */
    public PodContainer start() throws IOException {
      removeLeftovers();
      return launch();
    }

    /** Starts the container and returns at once (benchmarks time this). */
    public PodContainer launch() throws IOException {
      List<String> command = new ArrayList<>(List.of("podman", "run"));
      command.addAll(arguments());
      Path logs = Path.of("target", "it-logs");
      Files.createDirectories(logs);
      Path log = logs.resolve(name.substring(PREFIX.length()) + ".log");
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().put("CONTAINERS_CONF", containersConf());
      return new PodContainer(name, builder.start(), log, List.copyOf(projected));
    }

    private Map<String, String> environment() {
      Map<String, String> env = new LinkedHashMap<>();
      for (JsonNode variable : container.path("env")) {
        String key = variable.path("name").asText();
        if (variable.has("value")) {
          env.put(key, expand(variable.get("value").asText(), env));
        } else if (variable.path("valueFrom").has("fieldRef")) {
          String path = variable.path("valueFrom").path("fieldRef").path("fieldPath").asText();
          String value = fieldRefs.get(path);
          if (value == null) {
            throw new IllegalStateException(name + ": no value given for fieldRef " + path);
          }
          env.put(key, value);
        } else {
          throw new IllegalStateException(name + ": cannot resolve variable " + variable);
        }
      }
      env.putAll(extraEnv);
      return env;
    }

    /** Kubernetes' {@code $(VAR)}: a variable defined before, else the text stays as it is. */
    private static String expand(String value, Map<String, String> defined) {
      Matcher m = REFERENCE.matcher(value);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String replacement = defined.getOrDefault(m.group(1), m.group());
        m.appendReplacement(out, Matcher.quoteReplacement(replacement));
      }
      m.appendTail(out);
      return out.toString();
    }

    private List<String> volume(JsonNode mount) throws IOException {
      String volumeName = mount.path("name").asText();
      String target = mount.path("mountPath").asText();
      boolean readOnly = mount.path("readOnly").asBoolean();
      JsonNode volume = null;
      for (JsonNode v : pod.path("volumes")) {
        if (volumeName.equals(v.path("name").asText())) {
          volume = v;
        }
      }
      if (volume == null) {
        throw new IllegalStateException(name + ": no volume " + volumeName);
      }
      if (volume.has("emptyDir")) {
        String size = volume.path("emptyDir").path("sizeLimit").asText("");
        return List.of(
            "--tmpfs=" + target + ":rw,mode=1777" + (size.isEmpty() ? "" : ",size=" + bytes(size)));
      }
      if (volume.has("hostPath")) {
        String path = volume.path("hostPath").path("path").asText();
        Path substitute = hostPaths.get(path);
        if (substitute == null) {
          throw new IllegalStateException(name + ": no directory given for hostPath " + path);
        }
        return List.of(bind(substitute, target, readOnly));
      }
      if (volume.has("secret")) {
        String secretName = volume.path("secret").path("secretName").asText();
        Path files = secrets.get(secretName);
        if (files == null) {
          throw new IllegalStateException(name + ": no files given for Secret " + secretName);
        }
        int mode = volume.path("secret").path("defaultMode").asInt(0644);
        return List.of(bind(project(files, mode), target, readOnly));
      }
      throw new IllegalStateException(name + ": cannot mount volume " + volume);
    }

    /** A copy of the Secret's files with its mode, owned by root and the pod's fsGroup. */
    private Path project(Path files, int mode) throws IOException {
      Path dir = Files.createTempDirectory("wgguard-secret-");
      projected.add(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      String group = pod.path("securityContext").path("fsGroup").asText("0");
      try (var list = Files.list(files)) {
        for (Path file : list.toList()) {
          Path copy = dir.resolve(file.getFileName());
          Files.copy(file, copy);
          Result chown = run(List.of("chown", "0:" + group, copy.toString()));
          if (!chown.ok()) {
            throw new IllegalStateException("chown " + copy + ": " + chown.err());
          }
          Result chmod = run(List.of("chmod", Integer.toOctalString(mode), copy.toString()));
          if (!chmod.ok()) {
            throw new IllegalStateException("chmod " + copy + ": " + chmod.err());
          }
        }
      }
      return dir;
    }
  }

  private static String bind(Path host, String target, boolean readOnly) {
    return "--mount=type=bind,src="
        + host.toAbsolutePath()
        + ",dst="
        + target
        + (readOnly ? ",ro=true" : "");
  }

  /** A Kubernetes quantity of bytes (e.g. {@code 384Mi}, {@code 64Mi}, {@code 1Gi}) in bytes. */
  static long bytes(String quantity) {
    Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi)?").matcher(quantity);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a byte quantity: " + quantity);
    }
    long value = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2);
    return switch (unit) {
      case "Ki" -> value << 10;
      case "Mi" -> value << 20;
      case "Gi" -> value << 30;
      default -> value;
    };
  }

  /** A Kubernetes CPU quantity ({@code 1}, {@code 200m}) as podman's {@code --cpus}. */
  static String cpus(String quantity) {
    if (quantity.endsWith("m")) {
      return String.valueOf(Long.parseLong(quantity.substring(0, quantity.length() - 1)) / 1000.0);
    }
    return quantity;
  }

  static String containersConf() {
    return basedir().resolve("scripts/podman/containers.conf").toString();
  }

  /** Runs a command with a timeout, podman with the repository's containers.conf. */
  static Result run(List<String> command) {
    try {
      Path out = Files.createTempFile("wgguard-podman-", ".out");
      Path err = Files.createTempFile("wgguard-podman-", ".err");
      try {
        ProcessBuilder builder =
            new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().put("CONTAINERS_CONF", containersConf());
        Process process = builder.start();
        if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new IllegalStateException(String.join(" ", command) + " timed out");
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(String.join(" ", command) + " interrupted", e);
    }
  }
}
