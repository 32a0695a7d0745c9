package io.wgguard.felix;

import io.wgguard.felix.EffectiveWireguard.Environment;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a FelixConfiguration write does to the nodes: for every known node and guarded field, the
 * effective value before and after the write (the cluster's FelixConfigurations with the written
 * object swapped in), and where it goes from on to off. Pure; reads only the given {@link
 * ClusterView}.
 *
 * <p>Only nodes the write can reach are looked at: the named node for {@code node.<name>}, the
 * nodes either selector matches for a selector-scoped object. A write to {@code default} flips
 * exactly the nodes {@code default} decides, a count kept per view version ({@link DefaultShare}),
 * so it costs the same with 10 or 65,000 nodes.
 */
public final class WriteEffect {

  /** Nodes named in a {@link Flip}, at most. */
  public static final int SAMPLE = 5;

  private WriteEffect() {}

  /**
   * One guarded field going from on to off on some nodes.
   *
   * @param field the field
   * @param nodes how many known nodes it goes off on
   * @param known how many nodes are known
   * @param sample up to {@link #SAMPLE} of those nodes' names, sorted
   * @param before the setting on the first sampled node before the write (on)
   * @param after the setting on that node after the write (off)
   */
  public record Flip(
      GuardedField field,
      int nodes,
      int known,
      List<String> sample,
      EffectiveSetting before,
      EffectiveSetting after) {

    public Flip {
      sample = List.copyOf(sample);
    }

    /** True when every known node loses the field. */
    public boolean everyNode() {
      return nodes == known;
    }

    /** {@code on every node (3)} or {@code on 1 of 3 nodes: worker1}. */
    public String where() {
      if (everyNode()) {
        return nodes == 1 ? "on the only node, " + sample.get(0) : "on every node (" + nodes + ")";
      }
      String names = String.join(", ", sample) + (nodes > sample.size() ? ", …" : "");
      return "on %d of %d nodes: %s".formatted(nodes, known, names);
    }
  }

  /**
   * The fields that go from on to off on at least one known node, in {@link GuardedField} order.
   *
   * @param oldObject the stored object, null on CREATE
   * @param newObject the object as it would be stored, null on DELETE
   */
  public static List<Flip> switchedOff(
      ClusterView view,
      FelixObject oldObject,
      FelixObject newObject,
      Collection<GuardedField> fields) {
    String name = (newObject != null ? newObject : oldObject).name();
    List<FelixObject> others = new ArrayList<>();
    for (FelixObject object : view.felixConfigurations()) {
      if (!object.name().equals(name)) {
        others.add(object);
      }
    }
    EffectiveWireguard before = EffectiveWireguard.of(with(others, oldObject), Environment.NONE);
    EffectiveWireguard after = EffectiveWireguard.of(with(others, newObject), Environment.NONE);
    Tally tally = new Tally(view, before, after, fields);

    Scope oldScope = oldObject == null ? null : oldObject.scope();
    Scope newScope = newObject == null ? null : newObject.scope();
    if (is(oldScope, Scope.Kind.GLOBAL) || is(newScope, Scope.Kind.GLOBAL)) {
      // A write to default: every other object is the same before and after, so a node flips
      // exactly when default decides it (nothing above does) and default's value flips.
      GuardedField support = GuardedField.IPV6_SUPPORT;
      if (fields.contains(GuardedField.WIREGUARD_ENABLED_V6)
          && (before.clusterSetting(support).enabled() != after.clusterSetting(support).enabled()
              || before.setAboveDefault(support))) {
        // IPv6 support changes on default, or is set above it: IPv6 WireGuard may flip on nodes
        // default does not decide, so every node is judged.
        for (String node : view.nodeNames()) {
          tally.judge(node);
        }
      } else {
        tally.defaultWrite(DefaultShare.of(view, others));
      }
    } else {
      CalicoSelector oldSelector = selector(oldScope);
      CalicoSelector newSelector = selector(newScope);
      if (oldSelector != null || newSelector != null) {
        for (String node : view.nodeNames()) {
          Map<String, String> labels = view.nodeLabels(node);
          if (labels != null
              && ((oldSelector != null && oldSelector.matches(labels))
                  || (newSelector != null && newSelector.matches(labels)))) {
            tally.judge(node);
          }
        }
      }
      for (Scope scope : new Scope[] {oldScope, newScope}) {
        if (is(scope, Scope.Kind.NODE) && view.nodeLabels(scope.target()) != null) {
          tally.judge(scope.target());
          break; // the name, and so the node, is the same in both
        }
      }
    }
    return tally.flips();
  }

  /**
   * Whether the written object, before or after the write, applies to at least one known node:
   * {@code default} always, {@code node.<name>} when that node is known, a selector-scoped object
   * when its selector matches a known node. A scope that reaches none (a {@code node.<name>} of a
   * node that has not joined yet, a selector for a node pool still to come) flips no node today,
   * yet decides for the nodes that join under it: admission judges it by the object alone.
   */
  public static boolean reachesKnownNode(
      ClusterView view, FelixObject oldObject, FelixObject newObject) {
    for (FelixObject object : new FelixObject[] {oldObject, newObject}) {
      if (object == null) {
        continue;
      }
      Scope scope = object.scope();
      switch (scope.kind()) {
        case GLOBAL -> {
          return true;
        }
        case NODE -> {
          if (view.nodeLabels(scope.target()) != null) {
            return true;
          }
        }
        case SELECTOR -> {
          CalicoSelector selector = selector(scope);
          if (selector != null) {
            for (String node : view.nodeNames()) {
              Map<String, String> labels = view.nodeLabels(node);
              if (labels != null && selector.matches(labels)) {
                return true;
              }
            }
          }
        }
        case INERT -> {
          // Felix reads no inert object.
        }
      }
    }
    return false;
  }

  private static List<FelixObject> with(List<FelixObject> others, FelixObject object) {
    if (object == null) {
      return others;
    }
    List<FelixObject> all = new ArrayList<>(others.size() + 1);
    all.addAll(others);
    all.add(object);
    return all;
  }

  private static boolean is(Scope scope, Scope.Kind kind) {
    return scope != null && scope.kind() == kind;
  }

  private static CalicoSelector selector(Scope scope) {
    if (!is(scope, Scope.Kind.SELECTOR)) {
      return null;
    }
    try {
      return CalicoSelector.parse(scope.target());
    } catch (SelectorSyntaxException e) {
      return null; // matches no node, for Felix as for wgguard
    }
  }

  /**
   * Per field, how many nodes {@code default} decides (no {@code node.<name>} object and no
   * matching selector-scoped object asserts the field) and the first {@link #SAMPLE} of them by
   * name. It depends on the other objects and the labels only, not on {@code default}: computed
   * once per {@link ClusterView#version()}, so a write to {@code default} costs the same at 10 or
   * 65,000 nodes.
   */
  private record DefaultShare(
      ClusterView view, long version, int[] counts, List<TreeSet<String>> samples) {

    /** The last share computed; a pure function of (view, version), so any thread may reuse it. */
    private static volatile DefaultShare last;

    static DefaultShare of(ClusterView view, List<FelixObject> others) {
      long version = view.version(); // before the data it covers
      DefaultShare known = last;
      if (known != null && known.view() == view && known.version() == version) {
        return known;
      }
      EffectiveWireguard above = EffectiveWireguard.of(others, Environment.NONE);
      int[] counts = new int[GuardedField.values().length];
      List<TreeSet<String>> samples = new ArrayList<>();
      for (int i = 0; i < counts.length; i++) {
        samples.add(new TreeSet<>());
      }
      for (String node : view.nodeNames()) {
        Map<String, String> labels = view.nodeLabels(node);
        if (labels == null) {
          continue;
        }
        for (GuardedField field : GuardedField.values()) {
          if (!above.decidedAboveDefault(node, labels, field)) {
            counts[field.ordinal()]++;
            TreeSet<String> sample = samples.get(field.ordinal());
            sample.add(node);
            if (sample.size() > SAMPLE) {
              sample.pollLast();
            }
          }
        }
      }
      DefaultShare share = new DefaultShare(view, version, counts, samples);
      last = share;
      return share;
    }

    int count(GuardedField field) {
      return counts[field.ordinal()];
    }

    Set<String> sample(GuardedField field) {
      return samples.get(field.ordinal());
    }
  }

  /** Counts, per field, the nodes that go off, and keeps a sorted sample of their names. */
  private static final class Tally {
    private final ClusterView view;
    private final EffectiveWireguard before;
    private final EffectiveWireguard after;
    private final Collection<GuardedField> fields;
    private final Map<GuardedField, Integer> counts = new EnumMap<>(GuardedField.class);
    private final Map<GuardedField, TreeSet<String>> samples = new EnumMap<>(GuardedField.class);

    Tally(
        ClusterView view,
        EffectiveWireguard before,
        EffectiveWireguard after,
        Collection<GuardedField> fields) {
      this.view = view;
      this.before = before;
      this.after = after;
      this.fields = fields;
    }

    void judge(String node) {
      Map<String, String> labels = view.nodeLabels(node);
      if (labels == null) {
        return; // deleted since the names were read
      }
      for (GuardedField field : fields) {
        if (before.enabled(node, labels, field) && !after.enabled(node, labels, field)) {
          count(field, node, 1);
        }
      }
    }

    /** A write to {@code default}: the nodes default decides flip with it, the others do not. */
    void defaultWrite(DefaultShare share) {
      for (GuardedField field : fields) {
        if (before.clusterSetting(field).enabled()
            && !after.clusterSetting(field).enabled()
            && share.count(field) > 0) {
          counts.merge(field, share.count(field), Integer::sum);
          share.sample(field).forEach(node -> sample(field, node));
        }
      }
    }

    private void count(GuardedField field, String node, int nodes) {
      counts.merge(field, nodes, Integer::sum);
      sample(field, node);
    }

    private void sample(GuardedField field, String node) {
      TreeSet<String> sample = samples.computeIfAbsent(field, f -> new TreeSet<>());
      sample.add(node);
      if (sample.size() > SAMPLE) {
        sample.pollLast();
      }
    }

    List<Flip> flips() {
      List<Flip> flips = new ArrayList<>();
      for (GuardedField field : GuardedField.values()) {
        Integer nodes = counts.get(field);
        if (nodes == null) {
          continue;
        }
        List<String> sample = new ArrayList<>(samples.get(field));
        String first = sample.get(0);
        Map<String, String> labels = view.nodeLabels(first);
        if (labels == null) {
          labels = Map.of();
        }
        flips.add(
            new Flip(
                field,
                nodes,
                view.nodeCount(),
                sample,
                before.setting(first, labels, field),
                after.setting(first, labels, field)));
      }
      return flips;
    }
  }
}
