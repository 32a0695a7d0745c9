package io.wgguard.evidence;

import io.wgguard.felix.IpFamily;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The readiness verdict on one node.
 *
 * @param name the node name
 * @param ready true when exempt or every family on for the node is proven
 * @param exempt true when exempt by label or selector (then also ready, with no findings)
 * @param reason the taint value to use, picked from the findings in {@link NotReadyReason} order;
 *     null when ready
 * @param findings everything found wrong, key problems first
 * @param families the IP families with WireGuard on for this node
 * @param keyFingerprints per family with a key annotation, its first 8 characters and {@code …}
 * @param taints wgguard's taints currently on the node
 * @param exemption when exempt, what grants it ({@code label
 *     node-restriction.kubernetes.io/wgguard-exempt=true}, {@code selector ...}); when not, why a
 *     claim to exemption is not honoured, or empty when there is none
 */
public record NodeVerdict(
    String name,
    boolean ready,
    boolean exempt,
    NotReadyReason reason,
    List<Finding> findings,
    Set<IpFamily> families,
    Map<IpFamily, String> keyFingerprints,
    List<Taint> taints,
    String exemption) {

  /** A verdict with no exemption and no claim to one. */
  public NodeVerdict(
      String name,
      boolean ready,
      boolean exempt,
      NotReadyReason reason,
      List<Finding> findings,
      Set<IpFamily> families,
      Map<IpFamily, String> keyFingerprints,
      List<Taint> taints) {
    this(name, ready, exempt, reason, findings, families, keyFingerprints, taints, "");
  }

  public NodeVerdict {
    findings = List.copyOf(findings);
    families =
        Collections.unmodifiableSet(
            families.isEmpty() ? EnumSet.noneOf(IpFamily.class) : EnumSet.copyOf(families));
    keyFingerprints =
        Collections.unmodifiableMap(
            keyFingerprints.isEmpty()
                ? new EnumMap<>(IpFamily.class)
                : new EnumMap<>(keyFingerprints));
    taints = List.copyOf(taints);
  }

  /** {@link NodeState#EXEMPT}, {@link NodeState#READY} or {@link NodeState#NOT_READY}. */
  public NodeState state() {
    if (exempt) {
      return NodeState.EXEMPT;
    }
    return ready ? NodeState.READY : NodeState.NOT_READY;
  }

  /** True when the node carries at least one of wgguard's taints. */
  public boolean tainted() {
    return !taints.isEmpty();
  }
}
