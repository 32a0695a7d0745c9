package io.wgguard.felix;

import io.wgguard.Names;

/**
 * Where a FelixConfiguration applies, from its name and {@code spec.nodeSelector}.
 *
 * @param kind which level of Calico's precedence it sits at
 * @param target the node name for {@link Kind#NODE}, the selector for {@link Kind#SELECTOR}
 */
public record Scope(Kind kind, String target) {

  /**
   * Precedence level of a FelixConfiguration, highest first, as {@link EffectiveSetting.Level}
   * lists them (which adds calico-node's environment above and the built-in value below).
   */
  public enum Kind {
    /** {@code node.<nodeName>}: one node. */
    NODE,
    /** Any other name with {@code spec.nodeSelector} (Calico 3.32 and later). */
    SELECTOR,
    /** {@code default}: the whole cluster. */
    GLOBAL,
    /** A name Felix does not read and no selector: the object has no effect. */
    INERT
  }

  /**
   * Scope of an object with this name and selector. Felix reads {@code spec.nodeSelector} only on
   * objects other than {@code default} and {@code node.<name>}; an empty one means no scope (no
   * selector is parsed: {@code felix/calc/config_batcher.go} {@code selectorStr != ""}, {@code
   * MergeSelectorConfigs} skips it), but a blank one ({@code " "}, a tab) is parsed, and Calico's
   * tokenizer skips spaces and tabs, so it means {@code all()}, and is kept as {@code all()}: a
   * write from {@code all()} to {@code " "} changes nothing for Felix, nor for the scope. Other
   * selectors are kept as written.
   */
  public static Scope of(String name, String nodeSelector) {
    if (Names.FELIX_DEFAULT.equals(name)) {
      return new Scope(Kind.GLOBAL, "");
    }
    if (name != null
        && name.startsWith(Names.FELIX_NODE_PREFIX)
        && name.length() > Names.FELIX_NODE_PREFIX.length()) {
      return new Scope(Kind.NODE, name.substring(Names.FELIX_NODE_PREFIX.length()));
    }
    if (nodeSelector != null && !nodeSelector.isEmpty()) {
      return new Scope(Kind.SELECTOR, blank(nodeSelector) ? ALL : nodeSelector);
    }
    return new Scope(Kind.INERT, "");
  }

  /** Human description, e.g. {@code cluster-wide} or {@code on node worker1}. */
  public String describe() {
    return switch (kind) {
      case GLOBAL -> "cluster-wide";
      case NODE -> "on node " + target;
      case SELECTOR -> "on nodes matching selector '" + target + "'";
      case INERT -> "nowhere (not default, not node.<name>, no spec.nodeSelector)";
    };
  }

  /** Short form for audit annotations and logs, e.g. {@code cluster}, {@code node:worker1}. */
  public String code() {
    return switch (kind) {
      case GLOBAL -> "cluster";
      case NODE -> "node:" + target;
      case SELECTOR -> "selector:" + target;
      case INERT -> "none";
    };
  }

  private static final String ALL = "all()";

  /** Only spaces and tabs, Calico's whitespace ({@code tokenizer.go} {@code trimWhitespace}). */
  private static boolean blank(String selector) {
    for (int i = 0; i < selector.length(); i++) {
      char c = selector.charAt(i);
      if (c != ' ' && c != '\t') {
        return false;
      }
    }
    return true;
  }
}
