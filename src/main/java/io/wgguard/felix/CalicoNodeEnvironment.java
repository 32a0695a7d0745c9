package io.wgguard.felix;

import com.fasterxml.jackson.databind.JsonNode;
import io.wgguard.FieldPath;
import io.wgguard.Messages;
import io.wgguard.felix.EnvironmentSetting.State;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the pod template of a calico-node DaemonSet tells Felix through the environment of its
 * {@value #CONTAINER} container: the variables that may set a guarded parameter, above every
 * FelixConfiguration.
 *
 * <p>Felix's reading (projectcalico/calico {@code felix/config/env_var_loader.go} and {@code
 * config_params.go}):
 *
 * <ul>
 *   <li>a variable counts when its name, lower-cased, starts with {@code felix_}; the rest is the
 *       parameter name, matched without regard to case ({@code Felix_WireguardEnabled} counts);
 *   <li>an empty value is ignored (the next source decides); {@code none} means the zero value,
 *       false; otherwise the value is read as a boolean ({@code true, 1, yes, y, t} and {@code
 *       false, 0, no, n, f}, any case, no trimming);
 *   <li>a value Felix cannot read is logged and <em>replaced by the parameter's default</em>, which
 *       for every guarded parameter is false, still at the environment's precedence: garbage
 *       switches WireGuard off;
 *   <li>two variables that differ only in case reach Felix in an order Kubernetes does not define,
 *       so when they disagree wgguard takes off as the answer.
 * </ul>
 *
 * <p>Kubernetes builds the environment from {@code envFrom} first, then {@code env}, a later
 * variable of the same exact name replacing an earlier one. Init containers do not run Felix and
 * are not read. Values from a ConfigMap, Secret or field reference cannot be judged from the
 * DaemonSet alone: {@link #settings} resolves ConfigMaps it is given and reports the rest as {@link
 * State#UNKNOWN}.
 *
 * @param namespace the DaemonSet's namespace
 * @param name the DaemonSet's name
 * @param nodeSelector {@code spec.template.spec.nodeSelector}: the nodes the DaemonSet runs on
 *     (affinity and tolerations are not read: see the README)
 * @param hasContainer whether the template has a container named {@value #CONTAINER}
 * @param entries the environment entries that may set a guarded parameter, in Kubernetes' order
 * @param command the container's {@code command} then {@code args}, as written
 * @param configFile the volume mounted over Felix's config file, null when the image's stands
 */
public record CalicoNodeEnvironment(
    String namespace,
    String name,
    Map<String, String> nodeSelector,
    boolean hasContainer,
    List<Entry> entries,
    List<String> command,
    FelixConfigFile configFile) {

  /** Name of the container that runs Felix. */
  public static final String CONTAINER = "calico-node";

  /** Prefix of Felix's environment variables, matched without regard to case. */
  public static final String FELIX_PREFIX = "FELIX_";

  public CalicoNodeEnvironment {
    nodeSelector = Map.copyOf(nodeSelector);
    entries = List.copyOf(entries);
    command = List.copyOf(command);
  }

  /** How an environment entry gives its value. */
  public enum Kind {
    /** {@code env[].value}. */
    LITERAL("env"),
    /** {@code env[].valueFrom.configMapKeyRef}. */
    CONFIG_MAP_KEY("ConfigMap"),
    /** {@code env[].valueFrom.secretKeyRef}. */
    SECRET_KEY("Secret"),
    /** {@code env[].valueFrom.fieldRef} or {@code resourceFieldRef}. */
    FIELD("field"),
    /** {@code envFrom[].configMapRef}: every key, with the optional prefix. */
    CONFIG_MAP_ALL("ConfigMap"),
    /** {@code envFrom[].secretRef}: every key, with the optional prefix. */
    SECRET_ALL("Secret");

    private final String what;

    Kind(String what) {
      this.what = what;
    }
  }

  /**
   * One entry of the container's environment that may set a guarded parameter.
   *
   * @param kind how it gives its value
   * @param name the variable name, or the {@code envFrom} prefix (possibly empty)
   * @param value the literal value ({@link Kind#LITERAL}), else empty
   * @param reference the ConfigMap or Secret name, or the field path, else empty
   * @param key the key in the ConfigMap or Secret ({@code *_KEY} kinds), else empty
   */
  public record Entry(Kind kind, String name, String value, String reference, String key) {

    /** Whether this entry may set {@code variable} (compared lower-case). */
    boolean mayName(String lowerVariable) {
      String lower = name.toLowerCase(Locale.ROOT);
      return switch (kind) {
        case CONFIG_MAP_ALL, SECRET_ALL -> lowerVariable.startsWith(lower);
        default -> lower.equals(lowerVariable);
      };
    }

    /** Where the value comes from, for messages, e.g. {@code env FELIX_X from Secret s key k}. */
    public String describe() {
      return switch (kind) {
        case LITERAL -> "env " + name;
        case CONFIG_MAP_KEY, SECRET_KEY ->
            "env " + name + " from " + kind.what + " " + reference + " key " + key;
        case FIELD -> "env " + name + " from field " + reference;
        case CONFIG_MAP_ALL, SECRET_ALL ->
            "envFrom "
                + kind.what
                + " "
                + reference
                + (name.isEmpty() ? "" : " (prefix " + name + ")");
      };
    }
  }

  /**
   * The data of a ConfigMap, or empty when it is not known (not read, not allowed, absent). Secrets
   * are never looked up.
   */
  @FunctionalInterface
  public interface ConfigMaps {
    /** The data of ConfigMap {@code name} in {@code namespace}, if known. */
    Optional<Map<String, String>> data(String namespace, String name);

    /** Knows no ConfigMap: what admission sees. */
    static ConfigMaps none() {
      return (namespace, name) -> Optional.empty();
    }
  }

  /** {@code namespace/name}, e.g. {@code calico-system/calico-node}. */
  public String id() {
    return namespace + "/" + name;
  }

  /**
   * Reads a DaemonSet given as JSON; only the parts that may configure Felix are kept.
   *
   * @throws IllegalArgumentException when the parts read are not shaped as Kubernetes writes them;
   *     the message names the field path
   */
  public static CalicoNodeEnvironment read(JsonNode daemonSet) {
    if (daemonSet == null || !daemonSet.isObject()) {
      throw new IllegalArgumentException("is not a JSON object");
    }
    JsonNode metadata = daemonSet.path("metadata");
    String namespace = text(metadata.get("namespace"), "metadata.namespace");
    String name = text(metadata.get("name"), "metadata.name");
    JsonNode pod = daemonSet.path("spec").path("template").path("spec");
    Map<String, String> selector = new HashMap<>();
    JsonNode nodeSelector = pod.get("nodeSelector");
    if (nodeSelector != null && !nodeSelector.isNull()) {
      if (!nodeSelector.isObject()) {
        throw new IllegalArgumentException("spec.template.spec.nodeSelector is not an object");
      }
      nodeSelector
          .fields()
          .forEachRemaining(
              e ->
                  selector.put(
                      e.getKey(),
                      text(e.getValue(), "spec.template.spec.nodeSelector[" + e.getKey() + "]")));
    }
    JsonNode container = container(pod.get("containers"));
    List<Entry> entries = new ArrayList<>();
    if (container != null) {
      String path = "spec.template.spec.containers[" + CONTAINER + "]";
      for (JsonNode from : array(container.get("envFrom"), path + ".envFrom")) {
        String prefix = text(from.get("prefix"), path + ".envFrom[].prefix");
        if (!mayNameAny(prefix, true)) {
          continue;
        }
        JsonNode configMap = from.get("configMapRef");
        JsonNode secret = from.get("secretRef");
        if (configMap != null && configMap.isObject()) {
          entries.add(
              new Entry(
                  Kind.CONFIG_MAP_ALL,
                  prefix,
                  "",
                  text(configMap.get("name"), path + ".envFrom[].configMapRef.name"),
                  ""));
        } else if (secret != null && secret.isObject()) {
          entries.add(
              new Entry(
                  Kind.SECRET_ALL,
                  prefix,
                  "",
                  text(secret.get("name"), path + ".envFrom[].secretRef.name"),
                  ""));
        }
      }
      for (JsonNode env : array(container.get("env"), path + ".env")) {
        String variable = text(env.get("name"), path + ".env[].name");
        if (!mayNameAny(variable, false)) {
          continue; // most variables: no need to read further
        }
        entries.add(entry(variable, env, FieldPath.env(path, Messages.clip(variable))));
      }
    }
    List<String> command = new ArrayList<>();
    FelixConfigFile configFile = null;
    if (container != null) {
      String path = "spec.template.spec.containers[" + CONTAINER + "]";
      for (String field : List.of("command", "args")) {
        JsonNode words = container.get(field);
        if (words != null && !words.isNull()) {
          if (!words.isArray()) {
            throw new IllegalArgumentException(path + "." + field + " is not an array");
          }
          for (JsonNode word : words) {
            command.add(text(word, path + "." + field + "[]"));
          }
        }
      }
      configFile = FelixConfigFile.of(container, pod).orElse(null);
    }
    return new CalicoNodeEnvironment(
        namespace, name, selector, container != null, entries, command, configFile);
  }

  /**
   * What Felix makes of its local sources for one field, resolving ConfigMaps through {@code
   * configMaps}: the container's {@code command}/{@code args} (a shell that exports the variable
   * sets the process environment over {@code env}), then {@code env}/{@code envFrom}, then the
   * config file ({@link FelixConfigFile}) when neither sets the field.
   *
   * <p>A command is text a shell runs, which wgguard reads as far as it can be sure: a literal
   * assignment {@code FELIX_WIREGUARDENABLED=false} (name in any case, value bare or quoted, no
   * {@code $} or backquote) is read as the value; any other mention of the variable ({@code unset},
   * {@code env -u}, {@code $(...)}), and any mention of {@code felix.cfg} or {@code config-file}
   * (the command may replace the file), cannot be judged ({@link State#UNKNOWN}).
   */
  public EnvironmentSetting setting(GuardedField field, ConfigMaps configMaps) {
    EnvironmentSetting fromCommand = commandSetting(field);
    EnvironmentSetting fromEnvironment = environmentSetting(field, configMaps);
    if (fromCommand.state() == State.OFF || fromCommand.state() == State.UNKNOWN) {
      return fromCommand;
    }
    if (fromCommand.state() == State.ON) {
      // The export replaces the variable of the same name; a differently spelled one set off in
      // env still reaches Felix, and off wins.
      return fromEnvironment.state() == State.OFF ? fromEnvironment : fromCommand;
    }
    if (fromEnvironment.state() != State.UNSET || configFile == null) {
      return fromEnvironment;
    }
    return fileSetting(field, configMaps);
  }

  private static final java.util.regex.Pattern ASSIGNED_VALUE =
      java.util.regex.Pattern.compile("=('[^']*'|\"[^\"]*\"|[^\\s;&|()<>]*)");

  private EnvironmentSetting commandSetting(GuardedField field) {
    if (command.isEmpty()) {
      return EnvironmentSetting.unset(field);
    }
    String text = String.join(" ", command);
    String canonical = EnvironmentSetting.variable(field);
    String path = "spec.template.spec.containers[" + CONTAINER + "].command";
    String lowerText = text.toLowerCase(Locale.ROOT);
    if (lowerText.contains("felix.cfg") || lowerText.contains("config-file")) {
      return new EnvironmentSetting(
          field,
          State.UNKNOWN,
          canonical,
          "",
          path,
          "the command of the calico-node container on DaemonSet %s may replace Felix's config file"
              .formatted(id()));
    }
    java.util.regex.Matcher mention =
        java.util.regex.Pattern.compile(
                "(?<![A-Za-z0-9_])" + java.util.regex.Pattern.quote(canonical) + "(?![A-Za-z0-9_])",
                java.util.regex.Pattern.CASE_INSENSITIVE)
            .matcher(text);
    EnvironmentSetting on = null;
    while (mention.find()) {
      String variable = mention.group();
      java.util.regex.Matcher value =
          ASSIGNED_VALUE.matcher(text).region(mention.end(), text.length());
      if (!value.lookingAt() || value.group(1).contains("$") || value.group(1).contains("`")) {
        return new EnvironmentSetting(
            field,
            State.UNKNOWN,
            variable,
            "",
            path,
            "%s in the command of the calico-node container on DaemonSet %s is not a literal"
                    .formatted(variable, id())
                + " assignment");
      }
      String raw = value.group(1);
      if (raw.length() >= 2 && (raw.charAt(0) == '\'' || raw.charAt(0) == '"')) {
        raw = raw.substring(1, raw.length() - 1);
      }
      if (raw.isEmpty()) {
        continue;
      }
      Boolean parsed = FelixBool.parse(raw);
      if (parsed == null ? !field.felixDefault() : !parsed) {
        return new EnvironmentSetting(
            field,
            State.OFF,
            variable,
            raw,
            path,
            "the command of the calico-node container on DaemonSet %s exports %s=%s, which Felix reads as false: WireGuard off for %s on every node it runs on"
                .formatted(id(), variable, Messages.clip(raw), field.covers()));
      }
      if (on == null) {
        on =
            new EnvironmentSetting(
                field,
                State.ON,
                variable,
                raw,
                path,
                "the command of the calico-node container on DaemonSet %s exports %s=%s"
                    .formatted(id(), variable, Messages.clip(raw)));
      }
    }
    return on != null ? on : EnvironmentSetting.unset(field);
  }

  private EnvironmentSetting fileSetting(GuardedField field, ConfigMaps configMaps) {
    String variable = "felix.cfg " + field.felixParam();
    List<String> values = configFile.values(field.felixParam(), namespace, configMaps);
    if (values == null) {
      return new EnvironmentSetting(
          field,
          State.UNKNOWN,
          variable,
          "",
          configFile.describe(),
          "Felix's config file on DaemonSet %s comes from %s, which wgguard cannot read"
              .formatted(id(), configFile.describe()));
    }
    EnvironmentSetting on = null;
    for (String raw : values) {
      if (raw.isEmpty()) {
        continue; // config_params.go UpdateFrom ignores empty values
      }
      Boolean parsed = FelixBool.parse(raw);
      if (parsed == null ? !field.felixDefault() : !parsed) {
        return new EnvironmentSetting(
            field,
            State.OFF,
            variable,
            raw,
            configFile.describe(),
            "%s=%s in Felix's config file on DaemonSet %s (%s), which Felix reads as false: WireGuard off for %s on every node it runs on"
                .formatted(
                    field.felixParam(),
                    Messages.clip(raw),
                    id(),
                    configFile.describe(),
                    field.covers()));
      }
      if (on == null) {
        on =
            new EnvironmentSetting(
                field,
                State.ON,
                variable,
                raw,
                configFile.describe(),
                "%s=%s in Felix's config file on DaemonSet %s (%s)"
                    .formatted(
                        field.felixParam(), Messages.clip(raw), id(), configFile.describe()));
      }
    }
    return on != null ? on : EnvironmentSetting.unset(field);
  }

  /** What {@code env}/{@code envFrom} alone make of one field. */
  private EnvironmentSetting environmentSetting(GuardedField field, ConfigMaps configMaps) {
    String canonical = EnvironmentSetting.variable(field);
    String lower = canonical.toLowerCase(Locale.ROOT);
    // Exact variable name -> its value, as Kubernetes builds the environment: later replaces.
    Map<String, Value> variables = new java.util.LinkedHashMap<>();
    List<String> unknown = new ArrayList<>();
    for (Entry entry : entries) {
      if (!entry.mayName(lower)) {
        continue;
      }
      switch (entry.kind()) {
        case LITERAL -> variables.put(entry.name(), Value.literal(entry.value(), entry.describe()));
        case CONFIG_MAP_KEY -> {
          Optional<String> value =
              configMaps.data(namespace, entry.reference()).map(d -> d.get(entry.key()));
          variables.put(
              entry.name(),
              value
                  .map(v -> Value.literal(v, entry.describe()))
                  .orElseGet(() -> Value.unknown(entry.describe())));
        }
        case SECRET_KEY, FIELD -> variables.put(entry.name(), Value.unknown(entry.describe()));
        case CONFIG_MAP_ALL -> {
          Optional<Map<String, String>> data = configMaps.data(namespace, entry.reference());
          if (data.isEmpty()) {
            unknown.add(entry.describe());
          } else {
            data.get()
                .forEach(
                    (key, value) -> {
                      String variable = entry.name() + key;
                      if (variable.toLowerCase(Locale.ROOT).equals(lower)) {
                        variables.put(
                            variable,
                            Value.literal(
                                value, entry.describe() + " key " + key + " as " + variable));
                      }
                    });
          }
        }
        case SECRET_ALL -> unknown.add(entry.describe());
      }
    }
    EnvironmentSetting on = null;
    for (var variable : variables.entrySet()) {
      Value value = variable.getValue();
      if (value.unknown()) {
        unknown.add(value.source());
        continue;
      }
      if (value.raw().isEmpty()) {
        continue; // Felix ignores empty values
      }
      Boolean parsed = FelixBool.parse(value.raw());
      if (parsed == null ? !field.felixDefault() : !parsed) {
        String reading =
            parsed == null
                ? "which Felix cannot read as a boolean, so it uses the default, false"
                : "which Felix reads as false";
        return new EnvironmentSetting(
            field,
            State.OFF,
            variable.getKey(),
            value.raw(),
            value.source(),
            "%s=%s on DaemonSet %s, %s: WireGuard off for %s on every node it runs on"
                .formatted(
                    variable.getKey(), Messages.clip(value.raw()), id(), reading, field.covers()));
      }
      if (on == null) {
        on =
            new EnvironmentSetting(
                field,
                State.ON,
                variable.getKey(),
                value.raw(),
                value.source(),
                "%s=%s on DaemonSet %s turns WireGuard on for %s above every FelixConfiguration"
                    .formatted(
                        variable.getKey(), Messages.clip(value.raw()), id(), field.covers()));
      }
    }
    if (!unknown.isEmpty()) {
      return new EnvironmentSetting(
          field,
          State.UNKNOWN,
          canonical,
          "",
          unknown.get(0),
          "%s on DaemonSet %s may be set by %s, which wgguard cannot read"
              .formatted(canonical, id(), Messages.names(unknown)));
    }
    return on != null ? on : EnvironmentSetting.unset(field);
  }

  /** Every entry that may set this field, as text: equal texts mean a write left it alone. */
  public String fingerprint(GuardedField field) {
    String lower = EnvironmentSetting.variable(field).toLowerCase(Locale.ROOT);
    StringBuilder text = new StringBuilder(hasContainer ? "" : "no-container");
    for (Entry entry : entries) {
      if (entry.mayName(lower)) {
        text.append('|').append(entry);
      }
    }
    String commandLine = String.join(" ", command);
    String lowerCommand = commandLine.toLowerCase(Locale.ROOT);
    if (lowerCommand.contains(lower)
        || lowerCommand.contains("felix.cfg")
        || lowerCommand.contains("config-file")) {
      text.append("|command ").append(commandLine);
    }
    if (configFile != null) {
      text.append("|file ").append(configFile);
    }
    return text.toString();
  }

  private record Value(boolean unknown, String raw, String source) {
    static Value literal(String raw, String source) {
      return new Value(false, raw, source);
    }

    static Value unknown(String source) {
      return new Value(true, "", source);
    }
  }

  /** Whether a variable name (or an envFrom prefix) may name any guarded parameter. */
  private static boolean mayNameAny(String name, boolean prefix) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (GuardedField field : GuardedField.values()) {
      String variable = EnvironmentSetting.variable(field).toLowerCase(Locale.ROOT);
      if (prefix ? variable.startsWith(lower) : variable.equals(lower)) {
        return true;
      }
    }
    return false;
  }

  private static Entry entry(String variable, JsonNode env, String path) {
    JsonNode from = env.get("valueFrom");
    if (from == null || from.isNull()) {
      return new Entry(Kind.LITERAL, variable, text(env.get("value"), path + ".value"), "", "");
    }
    if (!from.isObject()) {
      throw new IllegalArgumentException(path + ".valueFrom is not an object");
    }
    JsonNode configMap = from.get("configMapKeyRef");
    if (configMap != null && configMap.isObject()) {
      return new Entry(
          Kind.CONFIG_MAP_KEY,
          variable,
          "",
          text(configMap.get("name"), path + ".valueFrom.configMapKeyRef.name"),
          text(configMap.get("key"), path + ".valueFrom.configMapKeyRef.key"));
    }
    JsonNode secret = from.get("secretKeyRef");
    if (secret != null && secret.isObject()) {
      return new Entry(
          Kind.SECRET_KEY,
          variable,
          "",
          text(secret.get("name"), path + ".valueFrom.secretKeyRef.name"),
          text(secret.get("key"), path + ".valueFrom.secretKeyRef.key"));
    }
    JsonNode field = from.get("fieldRef");
    if (field != null && field.isObject()) {
      return new Entry(
          Kind.FIELD,
          variable,
          "",
          text(field.get("fieldPath"), path + ".valueFrom.fieldRef.fieldPath"),
          "");
    }
    JsonNode resource = from.get("resourceFieldRef");
    String what =
        resource != null && resource.isObject()
            ? text(resource.get("resource"), path + ".valueFrom.resourceFieldRef.resource")
            : "valueFrom";
    return new Entry(Kind.FIELD, variable, "", what, "");
  }

  private static JsonNode container(JsonNode containers) {
    for (JsonNode container : array(containers, "spec.template.spec.containers")) {
      if (CONTAINER.equals(text(container.get("name"), "spec.template.spec.containers[].name"))) {
        return container;
      }
    }
    return null;
  }

  private static Iterable<JsonNode> array(JsonNode node, String path) {
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new IllegalArgumentException(path + " is not an array");
    }
    for (JsonNode item : node) {
      if (!item.isObject()) {
        throw new IllegalArgumentException(path + " holds a non-object");
      }
    }
    return node;
  }

  private static String text(JsonNode node, String path) {
    if (node == null || node.isNull()) {
      return "";
    }
    if (!node.isTextual()) {
      throw new IllegalArgumentException(path + " is not a string");
    }
    return node.asText();
  }
}
