package io.wgguard.taints;

import io.wgguard.evidence.Taint;
import java.util.List;

/**
 * The one write the reconciler must make to one node's taints: the node's wgguard taints become
 * exactly {@code to} (or none), in one patch. Kubernetes allows one wgguard taint per effect, so a
 * node may carry several; one change per node means a taint that should stay is never removed along
 * with another one.
 *
 * @param node the node name
 * @param action what to do
 * @param from every wgguard taint there now; empty for {@link Action#ADD}
 * @param to the taint wanted; null for {@link Action#REMOVE}
 */
public record TaintChange(String node, Action action, List<Taint> from, Taint to) {

  public TaintChange {
    from = List.copyOf(from);
  }

  /** Kinds of change; also the {@code action} tag of the taint-change metric. */
  public enum Action {
    /** Put the taint on a node that has none of ours. */
    ADD,
    /** Replace our taints with the one wanted (another value or effect, or extra taints gone). */
    UPDATE,
    /** Take all our taints off. */
    REMOVE
  }

  /** A sentence for Events and logs, e.g. {@code add ...=no-public-key:NoSchedule to worker2}. */
  public String describe() {
    return switch (action) {
      case ADD -> "add " + to.describe() + " to " + node;
      case UPDATE -> "replace " + describe(from) + " with " + to.describe() + " on " + node;
      case REMOVE -> "remove " + describe(from) + " from " + node;
    };
  }

  /** The taints, comma-separated. */
  public static String describe(List<Taint> taints) {
    return String.join(", ", taints.stream().map(Taint::describe).toList());
  }
}
