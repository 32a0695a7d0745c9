package io.wgguard.felix;

import io.wgguard.felix.EffectiveSetting.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which IP families have WireGuard on, per node and cluster-wide, from every FelixConfiguration in
 * the cluster, following Calico's precedence per field: {@code node.<nodeName>} &gt;
 * selector-scoped &gt; {@code default} &gt; built-in false.
 *
 * <ul>
 *   <li>Each object is read with {@link FelixObject#read}, so annotation overrides ({@code
 *       config.projectcalico.org/WireguardEnabled}) outrank the spec field.
 *   <li>An object that asserts nothing for a field (absent, or a value Felix cannot read) lets the
 *       next level decide.
 *   <li>Among selector-scoped objects whose selector matches the node, only the oldest (by creation
 *       timestamp, ties by name, objects without a timestamp last) is used, as Felix does; when it
 *       asserts nothing for a field, {@code default} decides, not the next selector object.
 *   <li>A selector that does not parse matches no node and is listed in {@link #problems()}.
 *   <li>Environment variables on calico-node ({@code FELIX_WIREGUARDENABLED}) outrank all of this
 *       and are invisible here.
 * </ul>
 *
 * <p>Pass one object per name (from one API group); a repeated name is read once and reported.
 */
public final class EffectiveWireguard {

  private static final Comparator<FelixObject> OLDEST_FIRST =
      Comparator.comparing(FelixObject::created, Comparator.nullsLast(Comparator.naturalOrder()))
          .thenComparing(FelixObject::name);

  private final Map<String, FelixObject> perNode;
  private final List<Selected> selected;
  private final List<String> problems;
  // What default says per family: the same for every node, so read once, not once per node.
  private final Map<IpFamily, EffectiveSetting> cluster;

  private record Selected(FelixObject object, CalicoSelector selector) {}

  private EffectiveWireguard(
      FelixObject global,
      Map<String, FelixObject> perNode,
      List<Selected> selected,
      List<String> problems) {
    this.perNode = Map.copyOf(perNode);
    this.selected = List.copyOf(selected);
    this.problems = List.copyOf(problems);
    Map<IpFamily, EffectiveSetting> settings = new EnumMap<>(IpFamily.class);
    for (IpFamily family : IpFamily.values()) {
      EffectiveSetting decided = decide(global, family, Level.DEFAULT);
      settings.put(family, decided != null ? decided : EffectiveSetting.builtIn(family));
    }
    this.cluster = Collections.unmodifiableMap(settings);
  }

  /** Reads every FelixConfiguration of the cluster; objects Felix ignores are skipped. */
  public static EffectiveWireguard of(Collection<FelixObject> objects) {
    List<String> problems = new ArrayList<>();
    Map<String, FelixObject> byName = new HashMap<>();
    List<FelixObject> ordered = new ArrayList<>(objects);
    ordered.sort(Comparator.comparing(FelixObject::name));
    FelixObject global = null;
    Map<String, FelixObject> perNode = new HashMap<>();
    List<Selected> selected = new ArrayList<>();
    for (FelixObject object : ordered) {
      if (byName.putIfAbsent(object.name(), object) != null) {
        problems.add(
            "FelixConfiguration "
                + object.name()
                + " was given more than once; only the first copy is read");
        continue;
      }
      for (String problem : object.problems()) {
        problems.add("FelixConfiguration " + object.name() + ": " + problem);
      }
      for (IpFamily family : IpFamily.values()) {
        for (Violation invalid : object.read(family.field()).invalid()) {
          problems.add(
              "FelixConfiguration "
                  + object.name()
                  + ": "
                  + invalid.detail()
                  + "; Felix ignores that value");
        }
      }
      Scope scope = object.scope();
      switch (scope.kind()) {
        case GLOBAL -> global = object;
        case NODE -> perNode.put(scope.target(), object);
        case SELECTOR -> {
          try {
            selected.add(new Selected(object, CalicoSelector.parse(scope.target())));
          } catch (SelectorSyntaxException e) {
            problems.add(
                "FelixConfiguration "
                    + object.name()
                    + ": spec.nodeSelector cannot be parsed ("
                    + e.getMessage()
                    + "); wgguard treats it as matching no node");
          }
        }
        case INERT -> {
          // Felix reads only default, node.<name> and selector-scoped objects.
        }
      }
    }
    selected.sort(Comparator.comparing(Selected::object, OLDEST_FIRST));
    return new EffectiveWireguard(global, perNode, selected, problems);
  }

  /** The effective setting of one family on the node with this name and these labels. */
  public EffectiveSetting forNode(String nodeName, Map<String, String> labels, IpFamily family) {
    FelixObject node = perNode.get(nodeName);
    EffectiveSetting decided = decide(node, family, Level.NODE);
    if (decided != null) {
      return decided;
    }
    FelixObject oldest = null;
    for (Selected s : selected) {
      if (s.selector().matches(labels)) {
        oldest = s.object();
        break;
      }
    }
    decided = decide(oldest, family, Level.SELECTOR);
    return decided != null ? decided : cluster(family);
  }

  /**
   * The effective setting of each family on the node with this name and these labels; unmodifiable.
   * A node that no {@code node.<name>} or selector-scoped object names (most of them) gets the one
   * shared map of {@code default}'s settings: a pass over every node allocates nothing for it.
   */
  public Map<IpFamily, EffectiveSetting> forNode(String nodeName, Map<String, String> labels) {
    if (!perNode.containsKey(nodeName) && noSelectorMatches(labels)) {
      return cluster;
    }
    Map<IpFamily, EffectiveSetting> settings = new EnumMap<>(IpFamily.class);
    for (IpFamily family : IpFamily.values()) {
      settings.put(family, forNode(nodeName, labels, family));
    }
    return Collections.unmodifiableMap(settings);
  }

  private boolean noSelectorMatches(Map<String, String> labels) {
    for (Selected s : selected) {
      if (s.selector().matches(labels)) {
        return false;
      }
    }
    return true;
  }

  /** What {@code default} (or, without it, the built-in false) says for one family. */
  public EffectiveSetting cluster(IpFamily family) {
    return cluster.get(family);
  }

  /** What {@code default} (or the built-in false) says for each family. */
  public Map<IpFamily, EffectiveSetting> cluster() {
    return new EnumMap<>(cluster);
  }

  /** The families {@code default} turns on. */
  public Set<IpFamily> clusterFamilies() {
    Set<IpFamily> families = EnumSet.noneOf(IpFamily.class);
    for (IpFamily family : IpFamily.values()) {
      if (cluster(family).enabled()) {
        families.add(family);
      }
    }
    return families;
  }

  /** True when {@code default} turns WireGuard on for at least one family. */
  public boolean enabledClusterWide() {
    return !clusterFamilies().isEmpty();
  }

  /**
   * What could not be read, each a sentence naming the object: unparseable selectors, values Felix
   * ignores, unreadable metadata, repeated names.
   */
  public List<String> problems() {
    return problems;
  }

  private static EffectiveSetting decide(FelixObject object, IpFamily family, Level level) {
    if (object == null) {
      return null;
    }
    FieldReading reading = object.read(family.field());
    if (reading.asserts() == null) {
      return null;
    }
    return new EffectiveSetting(family, reading.asserts(), level, object.name(), reading.source());
  }
}
