package io.wgguard.agent;

import io.smallrye.config.WithDefault;
import io.wgguard.config.WgguardConfig;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link WgguardConfig.Agent}, the one definition of the agent's settings, read without SmallRye
 * Config: {@code wgguard.agent.<name>} system properties, then {@code WGGUARD_AGENT_<NAME>}
 * environment variables, then the interface's own {@code @WithDefault}s, as SmallRye maps them.
 * SmallRye's standalone mapping generates classes with ASM and scans jars: some 200 classes a node
 * agent would carry for nine settings. {@code AgentSettingsTest} holds the two readers to the same
 * answers.
 */
final class AgentSettings {

  private static final String PREFIX = "wgguard.agent.";
  private static final Pattern UNITS = Pattern.compile("(\\d+)(ms|d|h|m|s)");

  private AgentSettings() {}

  /**
   * Reads and checks every setting now, so that a bad value fails at start-up.
   *
   * @throws IllegalArgumentException naming every bad setting, its variable and its value
   */
  static WgguardConfig.Agent read(Map<String, String> env, Map<String, String> properties) {
    Map<String, Object> values = new HashMap<>();
    List<String> problems = new ArrayList<>();
    for (Method method : WgguardConfig.Agent.class.getMethods()) {
      String name = PREFIX + kebab(method.getName());
      String variable = name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
      String raw = properties.get(name);
      if (raw == null) {
        raw = env.get(variable);
      }
      WithDefault fallback = method.getAnnotation(WithDefault.class);
      if (raw == null && fallback != null) {
        raw = fallback.value();
      }
      try {
        values.put(method.getName(), convert(method, raw));
      } catch (IllegalArgumentException e) {
        problems.add(name + " (" + variable + "): " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return (WgguardConfig.Agent)
        Proxy.newProxyInstance(
            WgguardConfig.Agent.class.getClassLoader(),
            new Class<?>[] {WgguardConfig.Agent.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "toString" -> "AgentSettings" + values;
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  default -> values.get(method.getName());
                });
  }

  /**
   * The settings given that the agent does not read, one sentence each: a retired one (said what
   * replaced it) or a misspelt one. The agent starts anyway and logs these, so that an upgrade
   * under an old manifest does not stop it, and a typo does not go unnoticed.
   */
  static List<String> unread(Map<String, String> env, Map<String, String> properties) {
    java.util.Set<String> known = new java.util.HashSet<>();
    for (Method method : WgguardConfig.Agent.class.getMethods()) {
      known.add(kebab(method.getName()));
    }
    java.util.SortedMap<String, String> given = new java.util.TreeMap<>();
    properties.keySet().stream()
        .filter(k -> k.startsWith(PREFIX))
        .forEach(k -> given.put(k.substring(PREFIX.length()), k));
    String envPrefix = PREFIX.toUpperCase(Locale.ROOT).replace('.', '_');
    env.keySet().stream()
        .filter(k -> k.startsWith(envPrefix))
        .forEach(
            k ->
                given.putIfAbsent(
                    k.substring(envPrefix.length()).toLowerCase(Locale.ROOT).replace('_', '-'), k));
    List<String> unread = new ArrayList<>();
    given.forEach(
        (setting, as) -> {
          if (known.contains(setting)) {
            return;
          }
          unread.add(
              setting.equals("heartbeat")
                  ? ("%s is no longer read: the agent renews a Lease every lease-interval and"
                          + " writes its Node on change and by the forced report every"
                          + " report-interval (WGGUARD_AGENT_REPORT_INTERVAL)")
                      .formatted(as)
                  : "%s is not a setting of the agent; it is ignored".formatted(as));
        });
    return unread;
  }

  private static Object convert(Method method, String raw) {
    Class<?> type = method.getReturnType();
    if (type == Optional.class) {
      Class<?> inner =
          (Class<?>)
              ((ParameterizedType) method.getGenericReturnType()).getActualTypeArguments()[0];
      return raw == null || raw.isEmpty() ? Optional.empty() : Optional.of(convert(inner, raw));
    }
    if (raw == null || raw.isEmpty()) {
      throw new IllegalArgumentException("is required");
    }
    return convert(type, raw);
  }

  private static Object convert(Class<?> type, String raw) {
    String value = raw.strip();
    if (type == String.class) {
      return value;
    }
    if (type == int.class || type == Integer.class) {
      try {
        return Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + value + "' is not a whole number");
      }
    }
    if (type == Duration.class) {
      return duration(value);
    }
    if (type.isEnum()) {
      String wanted = value.replace('-', '_');
      for (Object constant : type.getEnumConstants()) {
        if (((Enum<?>) constant).name().equalsIgnoreCase(wanted)) {
          return constant;
        }
      }
      List<String> allowed = new ArrayList<>();
      for (Object constant : type.getEnumConstants()) {
        allowed.add(((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-'));
      }
      throw new IllegalArgumentException(
          "'" + value + "' is not one of " + String.join(", ", allowed));
    }
    throw new IllegalStateException("no reader for settings of type " + type.getName());
  }

  /**
   * A duration as Quarkus reads one: a bare number of seconds, a number with a unit ({@code 500ms},
   * {@code 10s}, {@code 2m}, {@code 1h}, {@code 1d}) or a sequence of them ({@code 1m30s}), or
   * ISO-8601 ({@code PT10S}).
   */
  static Duration duration(String value) {
    if (value.matches("\\d+")) {
      return Duration.ofSeconds(Long.parseLong(value));
    }
    if (value.startsWith("P") || value.startsWith("p") || value.startsWith("-P")) {
      try {
        return Duration.parse(value);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "'" + value + "' is not a duration (e.g. 10s, 2m, PT10S)");
      }
    }
    Matcher m = UNITS.matcher(value);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
              });
      end = m.end();
    }
    if (end == 0 || end != value.length()) {
      throw new IllegalArgumentException("'" + value + "' is not a duration (e.g. 10s, 2m, PT10S)");
    }
    return total;
  }

  private static String kebab(String camel) {
    StringBuilder out = new StringBuilder();
    for (char c : camel.toCharArray()) {
      if (Character.isUpperCase(c)) {
        out.append('-').append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
