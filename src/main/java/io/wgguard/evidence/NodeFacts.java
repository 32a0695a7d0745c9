package io.wgguard.evidence;

import io.wgguard.Names;
import io.wgguard.felix.CalicoNodeLabels;
import io.wgguard.felix.IpFamily;
import io.wgguard.tunnels.summary.PeerDigest;
import io.wgguard.tunnels.summary.TunnelSummary;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the readiness check reads of one Kubernetes Node.
 *
 * @param name {@code metadata.name}
 * @param labels every label (FelixConfiguration selectors and the exempt selector may name any)
 * @param annotations the node's annotations; only {@link #READ_ANNOTATIONS} are kept
 * @param condition the {@code WireGuardModuleReady} condition, or null when the node has none
 * @param taints every taint with key {@code wgguard.io/wireguard-not-ready} (normally none or one;
 *     Kubernetes allows one per effect)
 * @param keyProblems per family whose key annotation is present but not a WireGuard public key,
 *     why; derived from {@code annotations} when the node is read, so that a pass over every node
 *     does not check each unchanged key again
 * @param keyDigests per family whose key annotation holds a valid key, its {@link PeerDigest};
 *     derived when the node is read, for the same reason
 * @param tunnels the node agent's tunnel summary (annotation {@code wgguard.io/tunnels}), read when
 *     the node is read; null when absent or unreadable
 * @param tunnelsProblem why that annotation could not be read, null when it was read or is absent
 * @param felixLabels the labels Felix matches FelixConfiguration selectors against: {@code labels}
 *     over those of the annotation {@code projectcalico.org/labels} ({@link CalicoNodeLabels});
 *     derived when the node is read. The exempt selector reads {@code labels} only: a node's own
 *     annotations must not exempt it.
 */
public record NodeFacts(
    String name,
    Map<String, String> labels,
    Map<String, String> annotations,
    ModuleCondition condition,
    List<Taint> taints,
    Map<IpFamily, String> keyProblems,
    Map<IpFamily, PeerDigest> keyDigests,
    TunnelSummary tunnels,
    String tunnelsProblem,
    Map<String, String> felixLabels) {

  /**
   * The annotations Felix writes that the check reads: keys and interface addresses. The tunnel
   * summary is read into {@link #tunnels} and not kept as text.
   */
  public static final Set<String> READ_ANNOTATIONS;

  private static final List<String> READ_ORDER =
      List.of(
          IpFamily.V4.keyAnnotation(),
          IpFamily.V6.keyAnnotation(),
          IpFamily.V4.addressAnnotation(),
          IpFamily.V6.addressAnnotation());

  static {
    READ_ANNOTATIONS = Set.copyOf(READ_ORDER);
  }

  public NodeFacts {
    String summary = annotations.get(Names.TUNNELS_ANNOTATION);
    tunnels = null;
    tunnelsProblem = null;
    if (summary != null) {
      try {
        tunnels = TunnelSummary.parse(summary);
      } catch (IllegalArgumentException e) {
        tunnelsProblem = e.getMessage();
      }
    }
    labels = interned(labels);
    felixLabels = CalicoNodeLabels.of(labels, annotations);
    annotations = readAnnotations(annotations);
    taints = List.copyOf(taints);
    keyProblems = keyProblems(annotations);
    keyDigests = keyDigests(annotations, keyProblems);
  }

  /**
   * The facts of a node; {@link #keyProblems}, {@link #keyDigests} and {@link #tunnels} are derived
   * from {@code annotations}.
   */
  public NodeFacts(
      String name,
      Map<String, String> labels,
      Map<String, String> annotations,
      ModuleCondition condition,
      List<Taint> taints) {
    this(name, labels, annotations, condition, taints, Map.of(), Map.of(), null, null, Map.of());
  }

  private static Map<IpFamily, PeerDigest> keyDigests(
      Map<String, String> annotations, Map<IpFamily, String> problems) {
    Map<IpFamily, PeerDigest> digests = null;
    for (IpFamily family : IpFamily.values()) {
      String key = annotations.get(family.keyAnnotation());
      if (key != null && !key.isEmpty() && !problems.containsKey(family)) {
        if (digests == null) {
          digests = new EnumMap<>(IpFamily.class);
        }
        digests.put(family, PeerDigest.of(key));
      }
    }
    return digests == null ? Map.of() : Map.copyOf(digests);
  }

  private static Map<IpFamily, String> keyProblems(Map<String, String> annotations) {
    Map<IpFamily, String> problems = null;
    for (IpFamily family : IpFamily.values()) {
      String key = annotations.get(family.keyAnnotation());
      String problem = key == null || key.isEmpty() ? null : WireguardEvidence.keyProblem(key);
      if (problem != null) {
        if (problems == null) {
          problems = new EnumMap<>(IpFamily.class);
        }
        problems.put(family, problem);
      }
    }
    return problems == null ? Map.of() : Map.copyOf(problems);
  }

  /**
   * The labels with keys and values interned: the same few keys and values recur on every node (os,
   * zone, instance type), so a cluster's nodes share one copy of each, and the checker's lookups by
   * constant keys end at the identity check instead of comparing characters.
   */
  private static Map<String, String> interned(Map<String, String> labels) {
    if (labels.isEmpty()) {
      return Map.of();
    }
    Map<String, String> copy = new HashMap<>(labels.size() * 2);
    labels.forEach(
        (key, value) -> {
          if (key != null && value != null) {
            copy.put(key.intern(), value.intern());
          }
        });
    return Map.copyOf(copy);
  }

  /** Only {@link #READ_ANNOTATIONS}, keyed by the constants themselves. */
  private static Map<String, String> readAnnotations(Map<String, String> annotations) {
    Map<String, String> read = new HashMap<>(8);
    for (String key : READ_ORDER) {
      String value = annotations.get(key);
      if (value != null) {
        read.put(key, value);
      }
    }
    return read.isEmpty() ? Map.of() : Map.copyOf(read);
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
