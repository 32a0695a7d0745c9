package io.wgguard.taints;

/** The cluster's WireGuard posture, as the taint planner sees it. */
public enum Posture {
  /** {@code default} does not turn WireGuard on: wgguard removes its taints and adds none. */
  WIREGUARD_OFF,
  /** WireGuard is on and every non-exempt node is ready. */
  HEALTHY,
  /** Some nodes are not ready and get (or keep) the taint. */
  NODES_NOT_READY,
  /**
   * More than the safety-brake fraction of non-exempt nodes is not ready: no new taint is added,
   * existing ones may still change or go.
   */
  DEGRADED
}
