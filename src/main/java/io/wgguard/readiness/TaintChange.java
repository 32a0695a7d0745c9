package io.wgguard.readiness;

/**
 * One write the reconciler must make to one node's taints.
 *
 * @param node the node name
 * @param action what to do
 * @param from the taint there now; null for {@link Action#ADD}
 * @param to the taint wanted; null for {@link Action#REMOVE}
 */
public record TaintChange(String node, Action action, Taint from, Taint to) {

  /** Kinds of change; also the {@code action} tag of the taint-change metric. */
  public enum Action {
    /** Put the taint on a node that has none of ours. */
    ADD,
    /** Replace our taint's value or effect. */
    UPDATE,
    /** Take our taint off. */
    REMOVE
  }

  /** A sentence for Events and logs, e.g. {@code add ...=no-public-key:NoSchedule to worker2}. */
  public String describe() {
    return switch (action) {
      case ADD -> "add " + to.describe() + " to " + node;
      case UPDATE -> "replace " + from.describe() + " with " + to.describe() + " on " + node;
      case REMOVE -> "remove " + from.describe() + " from " + node;
    };
  }
}
