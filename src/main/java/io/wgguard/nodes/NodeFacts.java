package io.wgguard.nodes;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the readiness check reads of one Kubernetes Node.
 *
 * @param name {@code metadata.name}
 * @param labels every label (FelixConfiguration selectors and the exempt selector may name any)
 * @param annotations the node's annotations; only {@link #READ_ANNOTATIONS} are kept
 * @param condition the {@code WireGuardModuleReady} condition, or null when the node has none
 * @param taints every taint with key {@code wgguard.io/wireguard-not-ready} (normally none or one;
 *     Kubernetes allows one per effect)
 */
public record NodeFacts(
    String name,
    Map<String, String> labels,
    Map<String, String> annotations,
    ModuleCondition condition,
    List<Taint> taints) {

  /** The annotations Felix writes that the check reads: keys and interface addresses. */
  public static final Set<String> READ_ANNOTATIONS =
      Set.of(
          IpFamily.V4.keyAnnotation(),
          IpFamily.V6.keyAnnotation(),
          IpFamily.V4.addressAnnotation(),
          IpFamily.V6.addressAnnotation());

  public NodeFacts {
    labels = Map.copyOf(labels);
    annotations =
        annotations.entrySet().stream()
            .filter(e -> READ_ANNOTATIONS.contains(e.getKey()) && e.getValue() != null)
            .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
    taints = List.copyOf(taints);
  }

  /**
   * The node condition {@code WireGuardModuleReady}.
   *
   * @param status {@code True}, {@code False} or {@code Unknown}
   * @param lastHeartbeatTime when the writer last confirmed it, null when absent
   * @param reason the condition's reason, empty when absent
   * @param message the condition's message, empty when absent
   */
  public record ModuleCondition(
      String status, Instant lastHeartbeatTime, String reason, String message) {

    public ModuleCondition {
      status = status == null ? "" : status;
      reason = reason == null ? "" : reason;
      message = message == null ? "" : message;
    }
  }
}
