package io.wgguard.tunnels;

import io.wgguard.evidence.Finding;
import io.wgguard.evidence.NotReadyReason;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The tunnel cross-check of a pass ({@link TunnelPolicy}): per checked node what was found, and the
 * mesh coverage.
 *
 * @param collected false when no node publishes a tunnel summary and the evidence is only reported:
 *     the node agents do not read devices, so there is nothing to judge and nothing is listed
 * @param nodes per node checked (not exempt, WireGuard on for a family), by name
 * @param expectedPairs directed node pairs (node, peer) that should have a working tunnel: per
 *     checked node and family, the other nodes publishing a usable key
 * @param healthyPairs of those, the pairs the summaries prove: right device key, the peer present,
 *     no stale handshake
 * @param notReady per tunnel reason, the nodes with such a finding, in name order
 */
public record TunnelReport(
    boolean collected,
    Map<String, NodeTunnels> nodes,
    long expectedPairs,
    long healthyPairs,
    Map<NotReadyReason, List<String>> notReady) {

  /** No evidence collected and none expected. */
  public static final TunnelReport NONE = new TunnelReport(false, Map.of(), 0, 0, Map.of());

  public TunnelReport {
    // The policy hands over a map it built for this report alone: wrapped, not copied (65,000
    // entries a pass).
    nodes = Collections.unmodifiableMap(nodes);
    Map<NotReadyReason, List<String>> lists = new EnumMap<>(NotReadyReason.class);
    notReady.forEach((reason, names) -> lists.put(reason, List.copyOf(names)));
    notReady = Collections.unmodifiableMap(lists);
  }

  /** Healthy pairs over expected pairs; 1 when no pair is expected. */
  public double coverage() {
    return expectedPairs == 0 ? 1.0 : (double) healthyPairs / expectedPairs;
  }

  /** The findings on one node, empty when it was not checked or all is well. */
  public List<Finding> findings(String node) {
    NodeTunnels tunnels = nodes.get(node);
    return tunnels == null ? List.of() : tunnels.findings();
  }

  /**
   * What the cross-check found on one node.
   *
   * @param node the node name
   * @param findings tunnel findings, in reason and family order; empty when the tunnels are proven
   * @param expectedPairs peers the node's devices should have, over its families
   * @param healthyPairs of those, the ones its summary proves
   * @param source where the agent read the devices ({@code device}, {@code felix-metrics}), empty
   *     without a summary
   * @param at when the agent read them, null without a summary
   */
  public record NodeTunnels(
      String node,
      List<Finding> findings,
      long expectedPairs,
      long healthyPairs,
      String source,
      Instant at) {

    public NodeTunnels {
      findings = List.copyOf(findings);
      source = source == null ? "" : source;
    }
  }
}
