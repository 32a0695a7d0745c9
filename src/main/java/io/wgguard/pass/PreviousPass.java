package io.wgguard.pass;

import io.wgguard.felix.FelixObject;
import io.wgguard.felix.IpFamily;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Set;

/**
 * What a pass leaves for the next one: which families each node had on and its labels (to tell
 * departures), and since when a mass taint removal waits for its confirming pass.
 *
 * @param families per node, the families WireGuard was on for
 * @param labels per node, its labels
 * @param massRemovalSince when a mass removal was first planned and written by nobody yet; null
 *     when none waits
 * @param felix the FelixConfigurations, by name (to tell a switch-off no fresh override explains)
 * @param calicoNodeOverrides the calico-node DaemonSets' override marks, by {@code namespace/name}
 */
public record PreviousPass(
    Map<String, Set<IpFamily>> families,
    Map<String, Map<String, String>> labels,
    Instant massRemovalSince,
    Map<String, FelixObject> felix,
    Map<String, SwitchOffTrace.OverrideMark> calicoNodeOverrides) {

  /** Before the first pass: no node known, so none departs; no removal waits. */
  public static final PreviousPass NONE = new PreviousPass(Map.of(), Map.of(), null);

  /** What a pass leaves without the objects' override marks. */
  public PreviousPass(
      Map<String, Set<IpFamily>> families,
      Map<String, Map<String, String>> labels,
      Instant massRemovalSince) {
    this(families, labels, massRemovalSince, Map.of(), Map.of());
  }

  public PreviousPass {
    // Not copied: a pass builds these maps for this record alone, at up to 65,000 entries each.
    families = Collections.unmodifiableMap(families);
    labels = Collections.unmodifiableMap(labels);
    felix = Collections.unmodifiableMap(felix);
    calicoNodeOverrides = Collections.unmodifiableMap(calicoNodeOverrides);
  }

  /** The same, with no mass removal waiting: a pass that writes nothing confirms nothing. */
  public PreviousPass withoutWaitingRemoval() {
    return massRemovalSince == null
        ? this
        : new PreviousPass(families, labels, null, felix, calicoNodeOverrides);
  }
}
