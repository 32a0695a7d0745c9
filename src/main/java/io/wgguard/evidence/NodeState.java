package io.wgguard.evidence;

/** Where a node stands in the readiness check; also the {@code state} tag of node metrics. */
public enum NodeState {
  /** Every family on for the node is proven (or none is on). */
  READY,
  /** Exempt by label {@code wgguard.io/exempt=true} or the configured exempt selector. */
  EXEMPT,
  /** At least one finding. */
  NOT_READY
}
