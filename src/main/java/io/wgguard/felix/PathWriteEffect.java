package io.wgguard.felix;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a FelixConfiguration write does to the path into WireGuard on the nodes, without touching
 * {@code wireguardEnabled}: for every node WireGuard stays on for, the effective {@code
 * wireguardRoutingRulePriority} and route tables before and after the write ({@link FelixPath},
 * layered by {@link EffectiveWireguard#precedence}), and where they go from steering traffic into
 * the tunnel to not. Pure; reads only the given view.
 */
public final class PathWriteEffect {

  /** Priority of the kernel's rule that looks up the main table. */
  public static final long MAIN_TABLE_RULE = 32766;

  private PathWriteEffect() {}

  /** What breaks. */
  public enum Kind {
    /** The WireGuard rule at or after the main table's: unmarked traffic takes main first. */
    RULE_AFTER_MAIN,
    /** No route table left for IPv4's WireGuard table: Felix turns IPv4 WireGuard off. */
    NO_TABLE_V4,
    /** No second route table left for IPv6's WireGuard table: Felix turns it off. */
    NO_TABLE_V6
  }

  /**
   * One way the write breaks the path, on some nodes.
   *
   * @param kind what breaks
   * @param source the field path of the value that breaks it on the first sampled node
   * @param value that value as text
   * @param object the object it comes from
   * @param nodes how many known nodes it breaks on
   * @param known how many nodes are known
   * @param sample up to {@link WriteEffect#SAMPLE} of them, sorted
   */
  public record Break(
      Kind kind,
      String source,
      String value,
      String object,
      int nodes,
      int known,
      List<String> sample) {

    public Break {
      sample = List.copyOf(sample);
    }

    /** {@code on every node (3)} or {@code on 1 of 3 nodes: worker1}. */
    public String where() {
      if (known == 0) {
        return "wherever the object applies";
      }
      if (nodes == known) {
        return nodes == 1 ? "on the only node, " + sample.get(0) : "on every node (" + nodes + ")";
      }
      String names = String.join(", ", sample) + (nodes > sample.size() ? ", …" : "");
      return "on %d of %d nodes: %s".formatted(nodes, known, names);
    }
  }

  /**
   * A node's effective path settings.
   *
   * @param priority the rule priority
   * @param prioritySource where it comes from ({@code object field}), empty for the default
   * @param tables the route table ranges Felix allocates from
   * @param tablesSource where they come from, empty for the default
   */
  record Effective(
      long priority, String prioritySource, List<FelixPath.Range> tables, String tablesSource) {

    long tableCount() {
      return FelixPath.tables(tables, 2);
    }
  }

  /** The node's effective path settings under these objects, highest precedence first. */
  static Effective effective(List<String> precedence, Map<String, FelixPath> paths) {
    long priority = FelixPath.DEFAULT_RULE_PRIORITY;
    String prioritySource = "";
    List<FelixPath.Range> ranges = null;
    String rangesSource = "";
    FelixPath.Range range = null;
    String rangeSource = "";
    for (String name : precedence) {
      FelixPath path = paths.get(name);
      if (path == null) {
        continue;
      }
      if (prioritySource.isEmpty() && path.rulePriority() != null) {
        priority = path.rulePriority();
        prioritySource = name + " " + path.rulePrioritySource();
      }
      if (rangesSource.isEmpty() && path.tableRanges() != null) {
        ranges = path.tableRanges();
        rangesSource = name + " " + path.tableRangesSource();
      }
      if (rangeSource.isEmpty() && path.tableRange() != null) {
        range = path.tableRange();
        rangeSource = name + " " + path.tableRangeSource();
      }
    }
    // RouteTableIndices (felix/config/config_params.go): ranges if any, else range, else 1-250.
    if (ranges != null && !ranges.isEmpty()) {
      return new Effective(priority, prioritySource, ranges, rangesSource);
    }
    if (range != null) {
      return new Effective(priority, prioritySource, List.of(range), rangeSource);
    }
    return new Effective(priority, prioritySource, List.of(FelixPath.DEFAULT_TABLES), "");
  }

  /**
   * The breaks of a write, in {@link Kind} order.
   *
   * @param paths the path readings of the cluster's FelixConfigurations, by name (the written
   *     object's is replaced)
   * @param oldObject the stored object, null on CREATE
   * @param oldPath its path reading, null on CREATE
   * @param newObject the object as it would be stored, null on DELETE
   * @param newPath its path reading, null on DELETE
   */
  public static List<Break> broken(
      ClusterView view,
      Map<String, FelixPath> paths,
      FelixObject oldObject,
      FelixPath oldPath,
      FelixObject newObject,
      FelixPath newPath) {
    String name = (newObject != null ? newObject : oldObject).name();
    List<FelixObject> others = new ArrayList<>();
    for (FelixObject object : view.felixConfigurations()) {
      if (!object.name().equals(name)) {
        others.add(object);
      }
    }
    EffectiveWireguard before =
        EffectiveWireguard.of(with(others, oldObject), EffectiveWireguard.Environment.NONE);
    EffectiveWireguard after =
        EffectiveWireguard.of(with(others, newObject), EffectiveWireguard.Environment.NONE);
    Map<String, FelixPath> pathsBefore = new HashMap<>(paths);
    Map<String, FelixPath> pathsAfter = new HashMap<>(paths);
    pathsBefore.remove(name);
    pathsAfter.remove(name);
    if (oldPath != null) {
      pathsBefore.put(name, oldPath);
    }
    if (newPath != null) {
      pathsAfter.put(name, newPath);
    }
    Collection<String> nodes =
        oldObject != null
                && newObject != null
                && oldObject.scope().kind() == Scope.Kind.NODE
                && oldObject.scope().equals(newObject.scope())
            ? List.of(oldObject.scope().target())
            : view.nodeNames();
    Map<Kind, TreeSet<String>> samples = new EnumMap<>(Kind.class);
    Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
    Map<Kind, Effective> first = new EnumMap<>(Kind.class);
    for (String node : nodes) {
      Map<String, String> labels = view.nodeLabels(node);
      if (labels == null) {
        continue;
      }
      Map<IpFamily, EffectiveSetting> on = after.forNode(node, labels);
      boolean v4 = on.get(IpFamily.V4) != null && on.get(IpFamily.V4).enabled();
      boolean v6 = on.get(IpFamily.V6) != null && on.get(IpFamily.V6).enabled();
      if (!v4 && !v6) {
        continue;
      }
      Effective was = effective(before.precedence(node, labels), pathsBefore);
      Effective is = effective(after.precedence(node, labels), pathsAfter);
      if (was.priority() < MAIN_TABLE_RULE && is.priority() >= MAIN_TABLE_RULE) {
        count(Kind.RULE_AFTER_MAIN, node, is, samples, counts, first);
      }
      if (v4 && was.tableCount() >= 1 && is.tableCount() < 1) {
        count(Kind.NO_TABLE_V4, node, is, samples, counts, first);
      }
      if (v6 && was.tableCount() >= 2 && is.tableCount() < 2) {
        count(Kind.NO_TABLE_V6, node, is, samples, counts, first);
      }
    }
    List<Break> breaks = new ArrayList<>();
    for (Kind kind : Kind.values()) {
      if (!counts.containsKey(kind)) {
        continue;
      }
      Effective e = first.get(kind);
      boolean rule = kind == Kind.RULE_AFTER_MAIN;
      String source = rule ? e.prioritySource() : e.tablesSource();
      int space = source.indexOf(' ');
      breaks.add(
          new Break(
              kind,
              space < 0 ? source : source.substring(space + 1),
              rule
                  ? Long.toString(e.priority())
                  : String.join(",", e.tables().stream().map(FelixPath.Range::toString).toList()),
              space < 0 ? "" : source.substring(0, space),
              counts.get(kind),
              view.nodeCount(),
              new ArrayList<>(samples.get(kind))));
    }
    return breaks;
  }

  private static void count(
      Kind kind,
      String node,
      Effective is,
      Map<Kind, TreeSet<String>> samples,
      Map<Kind, Integer> counts,
      Map<Kind, Effective> first) {
    counts.merge(kind, 1, Integer::sum);
    TreeSet<String> sample = samples.computeIfAbsent(kind, k -> new TreeSet<>());
    sample.add(node);
    if (sample.size() > WriteEffect.SAMPLE) {
      sample.pollLast();
    }
    if (sample.first().equals(node)) {
      first.put(kind, is);
    }
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
}
