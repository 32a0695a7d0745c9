package io.wgguard.evidence;

import java.time.Duration;
import java.time.Instant;

/**
 * What the checker keeps of a node agent's Lease ({@code coordination.k8s.io/v1}, named {@code
 * io.wgguard.Names#agentLeaseName} in wgguard's namespace): whose it is and until when it holds.
 * The agent renews it every {@code wgguard.agent.lease-interval}; a Lease not renewed for its
 * duration means the agent is gone ({@link NotReadyReason#AGENT_SILENT}), whatever its last
 * condition and tunnel summary on the Node say.
 *
 * @param node the node, from {@code spec.holderIdentity} (a Lease whose name is not the one derived
 *     from its holder is not read)
 * @param renewTime {@code spec.renewTime}, null when the Lease has none
 * @param duration {@code spec.leaseDurationSeconds}
 */
public record AgentLease(String node, Instant renewTime, Duration duration) {

  /** When the Lease runs out; null when it was never renewed. */
  public Instant expiresAt() {
    return renewTime == null ? null : renewTime.plus(duration);
  }

  /** True when the Lease was never renewed or its duration has passed since the last renewal. */
  public boolean expired(Instant now) {
    Instant expires = expiresAt();
    return expires == null || expires.isBefore(now);
  }
}
