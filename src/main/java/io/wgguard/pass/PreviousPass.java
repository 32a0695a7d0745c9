package io.wgguard.pass;

import io.wgguard.NameIndex;
import io.wgguard.evidence.NodeFacts;
import io.wgguard.evidence.NodeVerdict;
import io.wgguard.felix.FelixObject;
import io.wgguard.felix.IpFamily;
import io.wgguard.taints.NodePlan;
import io.wgguard.tunnels.TunnelReport.NodeTunnels;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Set;

/**
 * What a pass leaves for the next one: which families each node had on and its labels (to tell
 * departures), since when a mass taint removal waits for its confirming pass, and the per-node
 * results the next pass hands back where its own are equal ({@link Unchanged}).
 *
 * @param families per node, the families WireGuard was on for
 * @param labels per node, its labels
 * @param massRemovalSince when a mass removal was first planned and written by nobody yet; null
 *     when none waits
 * @param felix the FelixConfigurations, by name (to tell a switch-off no fresh override explains)
 * @param calicoNodeOverrides the calico-node DaemonSets' override marks, by {@code namespace/name}
 * @param indexes the pass's per-node results by name; {@link Indexes#NONE} when there are none to
 *     hand back
 */
public record PreviousPass(
    Map<String, Set<IpFamily>> families,
    Map<String, Map<String, String>> labels,
    Instant massRemovalSince,
    Map<String, FelixObject> felix,
    Map<String, SwitchOffTrace.OverrideMark> calicoNodeOverrides,
    Indexes indexes) {

  /** Before the first pass: no node known, so none departs; no removal waits. */
  public static final PreviousPass NONE = new PreviousPass(Map.of(), Map.of(), null);

  /** What a pass leaves without the objects' override marks. */
  public PreviousPass(
      Map<String, Set<IpFamily>> families,
      Map<String, Map<String, String>> labels,
      Instant massRemovalSince) {
    this(families, labels, massRemovalSince, Map.of(), Map.of());
  }

  /** What a pass leaves without per-node results to hand back. */
  public PreviousPass(
      Map<String, Set<IpFamily>> families,
      Map<String, Map<String, String>> labels,
      Instant massRemovalSince,
      Map<String, FelixObject> felix,
      Map<String, SwitchOffTrace.OverrideMark> calicoNodeOverrides) {
    this(families, labels, massRemovalSince, felix, calicoNodeOverrides, Indexes.NONE);
  }

  public PreviousPass {
    // Not copied: a pass builds these maps (or views) for this record alone, at up to 65,000
    // entries each.
    families = Collections.unmodifiableMap(families);
    labels = Collections.unmodifiableMap(labels);
    felix = Collections.unmodifiableMap(felix);
    calicoNodeOverrides = Collections.unmodifiableMap(calicoNodeOverrides);
    indexes = indexes == null ? Indexes.NONE : indexes;
  }

  /** The same, with no mass removal waiting: a pass that writes nothing confirms nothing. */
  public PreviousPass withoutWaitingRemoval() {
    return massRemovalSince == null
        ? this
        : new PreviousPass(families, labels, null, felix, calicoNodeOverrides, indexes);
  }

  /**
   * One pass's per-node results, by node name.
   *
   * @param nodes the facts the pass read
   * @param verdicts the verdicts, tunnel findings joined when enforced
   * @param tunnels the tunnel cross-check per checked node
   * @param plans the taint plan per node
   */
  public record Indexes(
      NameIndex<NodeFacts> nodes,
      NameIndex<NodeVerdict> verdicts,
      NameIndex<NodeTunnels> tunnels,
      NameIndex<NodePlan> plans) {

    /** None: nothing to hand back. */
    public static final Indexes NONE =
        new Indexes(NameIndex.empty(), NameIndex.empty(), NameIndex.empty(), NameIndex.empty());
  }
}
