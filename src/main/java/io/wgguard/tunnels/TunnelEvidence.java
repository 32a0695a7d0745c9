package io.wgguard.tunnels;

/**
 * What the checker does with the tunnel cross-check ({@link TunnelPolicy}): the readiness source
 * {@code tunnels}.
 */
public enum TunnelEvidence {
  /** Tunnel findings are reported ({@code /status}, health data, metrics, audit), never tainted. */
  REPORT,
  /** Tunnel findings also make the node not ready, so the checker taints it. */
  ENFORCE
}
