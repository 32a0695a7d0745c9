package io.wgguard.evidence;

import io.wgguard.Names;

/**
 * Whether a node is exempt from WireGuard readiness, and what grants it. Exemption is change
 * control like an override: it must not be something the node grants itself. A node's kubelet may
 * set most labels on its own Node (kubernetes.io/os, wgguard.io/..., any domain of its choosing);
 * the NodeRestriction admission plugin keeps it from those under {@code
 * node-restriction.kubernetes.io/} (kubernetes plugin/pkg/admission/noderestriction). So the
 * exemption label lives there ({@link Names#EXEMPT_LABEL}), and the service refuses at start-up an
 * exempt selector on any other label ({@code PolicyProducer}). The old label {@code
 * wgguard.io/exempt=true} is reported as a claim not honoured.
 *
 * @param granted whether the node is exempt
 * @param detail what grants it; when not granted, why a claim is not honoured, or empty
 */
public record Exemption(boolean granted, String detail) {

  static final Exemption NONE = new Exemption(false, "");

  /** The exemption of one node under an exempt selector. */
  public static Exemption of(NodeFacts node, EqualitySelector selector) {
    if ("true".equals(node.labels().get(Names.EXEMPT_LABEL))) {
      return new Exemption(true, "label %s=true".formatted(Names.EXEMPT_LABEL));
    }
    if (!selector.isEmpty() && selector.matches(node.labels())) {
      return new Exemption(
          true, "selector %s (wgguard.checker.exempt-selector)".formatted(selector));
    }
    if ("true".equals(node.labels().get(Names.SELF_ASSERTED_EXEMPT_LABEL))) {
      return new Exemption(
          false,
          ("label %s=true is not honoured: the node's own kubelet may set it; an admin labels the"
                  + " node %s=true, which the NodeRestriction admission plugin keeps from kubelets")
              .formatted(Names.SELF_ASSERTED_EXEMPT_LABEL, Names.EXEMPT_LABEL));
    }
    return NONE;
  }

  /**
   * The first key of {@code selector} a node's kubelet may set on its own Node, empty when every
   * key is under {@code node-restriction.kubernetes.io/}.
   */
  public static java.util.Optional<String> selfAssertableKey(EqualitySelector selector) {
    return selector.requirements().stream()
        .map(EqualitySelector.Requirement::key)
        .filter(key -> !key.startsWith(Names.NODE_RESTRICTION_PREFIX))
        .findFirst();
  }
}
