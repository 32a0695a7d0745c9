package io.wgguard.evidence;

import io.wgguard.Messages;
import io.wgguard.felix.SelectorSyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A Kubernetes equality-based label selector as written in configuration, e.g. {@code
 * kubernetes.io/os=windows} or {@code node-role.kubernetes.io/edge,tier!=critical}: requirements
 * separated by commas, all of which must hold. Each is {@code key=value} (or {@code key==value}),
 * {@code key!=value} (also true when the label is absent, as in Kubernetes), {@code key} (label
 * present) or {@code !key} (label absent).
 *
 * <p>Unlike Kubernetes, where an empty selector selects everything, an empty {@code
 * EqualitySelector} selects <em>nothing</em>: an exemption that is not configured must not exempt
 * the whole cluster.
 *
 * @param requirements the parsed requirements, in the order written
 */
public record EqualitySelector(List<Requirement> requirements) {

  private static final Pattern PREFIX = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
  private static final Pattern VALUE =
      Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");

  public EqualitySelector {
    requirements = List.copyOf(requirements);
  }

  /**
   * One requirement on one label.
   *
   * @param key the label key
   * @param operator how the label is compared
   * @param value the value compared with; empty for {@link Operator#EXISTS} and {@link
   *     Operator#DOES_NOT_EXIST}
   */
  public record Requirement(String key, Operator operator, String value) {}

  /** How a requirement compares a label. */
  public enum Operator {
    /** {@code key=value}. */
    EQUALS,
    /** {@code key!=value}; holds also when the label is absent. */
    NOT_EQUALS,
    /** {@code key}. */
    EXISTS,
    /** {@code !key}. */
    DOES_NOT_EXIST
  }

  /** The selector that selects no node. */
  public static EqualitySelector none() {
    return new EqualitySelector(List.of());
  }

  /**
   * Parses a selector; blank text gives {@link #none()}.
   *
   * @throws SelectorSyntaxException naming the requirement that is not valid and where it starts
   */
  public static EqualitySelector parse(String text) {
    if (text == null || text.isBlank()) {
      return none();
    }
    List<Requirement> requirements = new ArrayList<>();
    int start = 0;
    for (String part : text.split(",", -1)) {
      requirements.add(requirement(part, start, text));
      start += part.length() + 1;
    }
    return new EqualitySelector(requirements);
  }

  private static Requirement requirement(String part, int start, String text) {
    String item = part.strip();
    if (item.isEmpty()) {
      throw new SelectorSyntaxException("empty requirement", start, text);
    }
    int at = start + part.indexOf(item);
    Requirement requirement;
    if (item.startsWith("!")) {
      requirement = new Requirement(item.substring(1).strip(), Operator.DOES_NOT_EXIST, "");
    } else if (item.contains("!=")) {
      requirement = split(item, "!=", Operator.NOT_EQUALS);
    } else if (item.contains("==")) {
      requirement = split(item, "==", Operator.EQUALS);
    } else if (item.contains("=")) {
      requirement = split(item, "=", Operator.EQUALS);
    } else {
      requirement = new Requirement(item, Operator.EXISTS, "");
    }
    if (!validKey(requirement.key())) {
      throw new SelectorSyntaxException(
          "'" + Messages.clip(requirement.key()) + "' is not a valid label key", at, text);
    }
    if (!VALUE.matcher(requirement.value()).matches() || requirement.value().length() > 63) {
      throw new SelectorSyntaxException(
          "'" + Messages.clip(requirement.value()) + "' is not a valid label value", at, text);
    }
    return requirement;
  }

  /** A Kubernetes qualified name: optional DNS-subdomain prefix and '/', then a name. */
  private static boolean validKey(String key) {
    int slash = key.indexOf('/');
    String prefix = slash < 0 ? "" : key.substring(0, slash);
    String name = key.substring(slash + 1);
    boolean prefixOk = slash < 0 || (prefix.length() <= 253 && PREFIX.matcher(prefix).matches());
    return prefixOk && name.length() <= 63 && NAME.matcher(name).matches();
  }

  private static Requirement split(String item, String op, Operator operator) {
    int index = item.indexOf(op);
    return new Requirement(
        item.substring(0, index).strip(), operator, item.substring(index + op.length()).strip());
  }

  /** True when this selector has no requirement, and so selects no node. */
  public boolean isEmpty() {
    return requirements.isEmpty();
  }

  /** True when every requirement holds for these labels; false for the empty selector. */
  public boolean matches(Map<String, String> labels) {
    if (requirements.isEmpty()) {
      return false;
    }
    for (Requirement r : requirements) {
      String actual = labels.get(r.key());
      boolean holds =
          switch (r.operator()) {
            case EQUALS -> r.value().equals(actual);
            case NOT_EQUALS -> !r.value().equals(actual);
            case EXISTS -> actual != null;
            case DOES_NOT_EXIST -> actual == null;
          };
      if (!holds) {
        return false;
      }
    }
    return true;
  }

  /** The selector in canonical text form, e.g. {@code kubernetes.io/os=windows,!edge}. */
  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    for (Requirement r : requirements) {
      parts.add(
          switch (r.operator()) {
            case EQUALS -> r.key() + "=" + r.value();
            case NOT_EQUALS -> r.key() + "!=" + r.value();
            case EXISTS -> r.key();
            case DOES_NOT_EXIST -> "!" + r.key();
          });
    }
    return String.join(",", parts);
  }
}
