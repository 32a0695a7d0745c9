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
 * Which guarded fields (WireGuard per IP family, host encryption) are on, per node and
 * cluster-wide, from every FelixConfiguration in the cluster, following Calico's precedence per
 * field: {@code node.<nodeName>} &gt; selector-scoped &gt; {@code default} &gt; built-in false. The
 * one place that decides Felix precedence: admission ({@link WriteEffect}), the checker, the pod
 * webhook, the agent and the offline commands all ask it.
 *
 * <ul>
 *   <li>Each object is read once with {@link FelixObject#read}, so annotation overrides ({@code
 *       config.projectcalico.org/WireguardEnabled}) outrank the spec field.
 *   <li>An object that asserts nothing for a field (absent, or a value Felix cannot read) lets the
 *       next level decide.
 *   <li>Among selector-scoped objects whose selector matches the node, only the oldest (by creation
 *       timestamp, ties by name, objects without a timestamp last) is used, as Felix does; when it
 *       asserts nothing for a field, {@code default} decides, not the next selector object.
 *   <li>A selector that does not parse matches no node and is listed in {@link #problems()}.
 *   <li>Environment variables on calico-node ({@code FELIX_WIREGUARDENABLED}) outrank all of this:
 *       {@link Environment} adds them as the top layer ({@link Level#ENVIRONMENT}), for the nodes
 *       each DaemonSet's {@code nodeSelector} matches.
 *   <li>IPv6 WireGuard is on only where Felix's IPv6 support is ({@link GuardedField#IPV6_SUPPORT},
 *       walked through the same levels, on unless set): where {@code ipv6Support} or {@code
 *       FELIX_IPV6SUPPORT} is off, IPv6 WireGuard reads as off, decided by that setting.
 * </ul>
 *
 * <p>Pass one object per name (from one API group); a repeated name is read once and reported.
 */
public final class EffectiveWireguard {

  private static final Comparator<FelixObject> OLDEST_FIRST =
      Comparator.comparing(FelixObject::created, Comparator.nullsLast(Comparator.naturalOrder()))
          .thenComparing(FelixObject::name);

  private static final GuardedField[] FIELDS = GuardedField.values();
  private static final Level[] LEVELS = Level.values();
  private static final EffectiveSetting[] BUILT_INS = new EffectiveSetting[FIELDS.length];

  static {
    for (GuardedField field : FIELDS) {
      BUILT_INS[field.ordinal()] = EffectiveSetting.builtIn(field);
    }
  }

  private final Layer global;
  // default's projectcalico.org/metadata cannot be decoded: Felix cannot load its configuration
  // and does not start on any node (felix/daemon/daemon.go loadConfigFromDatastore fails), so
  // every field is off, as default's reading says (FelixObject#read).
  private final boolean cannotStart;
  private final Map<String, Layer> perNode;
  private final List<Selected> selected;
  private final List<String> problems;
  // What default says per field: the same for every node, so read once, not once per node.
  private final EffectiveSetting[] cluster;
  private final Map<IpFamily, EffectiveSetting> clusterFamilies;

  /**
   * One object at its level, read once: per field (by ordinal) the setting it decides, null where
   * it asserts nothing. Built once, so a walk over every node allocates nothing.
   */
  private record Layer(FelixObject object, EffectiveSetting[] decided) {

    static Layer of(FelixObject object, Level level) {
      EffectiveSetting[] decided = new EffectiveSetting[FIELDS.length];
      for (GuardedField field : FIELDS) {
        FieldReading reading = object.read(field);
        if (reading.asserts() != null) {
          decided[field.ordinal()] =
              new EffectiveSetting(
                  field, reading.asserts(), level, object.name(), reading.source());
        }
      }
      return new Layer(object, withSupport(decided));
    }

    EffectiveSetting decide(GuardedField field) {
      return decided[field.ordinal()];
    }
  }

  private static final int V6 = GuardedField.WIREGUARD_ENABLED_V6.ordinal();
  private static final int SUPPORT = GuardedField.IPV6_SUPPORT.ordinal();
  // Slot after the fields: IPv6 WireGuard as this layer's "IPv6 support off" decides it, built
  // once, so the walk allocates nothing.
  private static final int V6_OFF = FIELDS.length;

  /** The settings with one slot more: IPv6 WireGuard off by this layer's IPv6 support, if off. */
  private static EffectiveSetting[] withSupport(EffectiveSetting[] decided) {
    EffectiveSetting[] all = java.util.Arrays.copyOf(decided, FIELDS.length + 1);
    EffectiveSetting support = decided[SUPPORT];
    if (support != null && !support.enabled()) {
      all[V6_OFF] = v6OffBy(support);
    }
    return all;
  }

  private static EffectiveSetting v6OffBy(EffectiveSetting support) {
    return new EffectiveSetting(
        GuardedField.WIREGUARD_ENABLED_V6,
        false,
        support.level(),
        support.object(),
        support.source());
  }

  /** The cluster's settings with IPv6 WireGuard off where IPv6 support is. */
  private static void combineSupport(EffectiveSetting[] cluster) {
    if (cluster[V6].enabled() && !cluster[SUPPORT].enabled()) {
      cluster[V6] = v6OffBy(cluster[SUPPORT]);
    }
  }

  private record Selected(Layer layer, CalicoSelector selector) {}

  private static final Set<String> OS_LABELS = Set.of("kubernetes.io/os", "beta.kubernetes.io/os");

  // The top layer: calico-node DaemonSets whose environment sets a guarded field (most clusters:
  // none, and then nothing below changes).
  private final List<Applied> environment;
  // What default (or the built-in false) says per field, below the environment.
  private final EffectiveSetting[] byDefault;

  private record Applied(
      CalicoNodeEnvironment daemonSet,
      Map<GuardedField, EnvironmentSetting> set,
      Map<GuardedField, EffectiveSetting> decided,
      EffectiveSetting v6Off) {

    static Applied of(CalicoNodeEnvironment daemonSet, Map<GuardedField, EnvironmentSetting> set) {
      Map<GuardedField, EffectiveSetting> decided = new EnumMap<>(GuardedField.class);
      set.forEach(
          (field, setting) ->
              decided.put(
                  field,
                  new EffectiveSetting(
                      field,
                      setting.state() == EnvironmentSetting.State.ON,
                      Level.ENVIRONMENT,
                      daemonSet.id(),
                      setting.variable())));
      EffectiveSetting support = decided.get(GuardedField.IPV6_SUPPORT);
      return new Applied(
          daemonSet, set, decided, support != null && !support.enabled() ? v6OffBy(support) : null);
    }

    boolean runsOn(Map<String, String> labels) {
      for (var entry : daemonSet.nodeSelector().entrySet()) {
        if (!entry.getValue().equals(labels.get(entry.getKey()))) {
          return false;
        }
      }
      return true;
    }

    /**
     * Whether the DaemonSet decides cluster-wide: no nodeSelector, or one on the operating system
     * alone (Calico's own {@code kubernetes.io/os: linux}; Windows nodes run calico-node-windows
     * and never publish a key).
     */
    boolean clusterWide() {
      return daemonSet.nodeSelector().keySet().stream().allMatch(OS_LABELS::contains);
    }
  }

  private EffectiveWireguard(
      Layer global, Map<String, Layer> perNode, List<Selected> selected, List<String> problems) {
    this.global = global;
    this.cannotStart = global != null && !global.object().undecodable().isEmpty();
    this.perNode = Map.copyOf(perNode);
    this.selected = List.copyOf(selected);
    this.problems = List.copyOf(problems);
    this.environment = List.of();
    this.cluster = new EffectiveSetting[FIELDS.length];
    for (GuardedField field : FIELDS) {
      EffectiveSetting decided = global == null ? null : global.decide(field);
      cluster[field.ordinal()] = decided != null ? decided : BUILT_INS[field.ordinal()];
    }
    combineSupport(cluster);
    this.byDefault = cluster;
    Map<IpFamily, EffectiveSetting> families = new EnumMap<>(IpFamily.class);
    for (IpFamily family : IpFamily.values()) {
      families.put(family, cluster[family.field().ordinal()]);
    }
    this.clusterFamilies = Collections.unmodifiableMap(families);
  }

  private EffectiveWireguard(
      EffectiveWireguard base, List<Applied> environment, List<String> problems) {
    this.global = base.global;
    this.cannotStart = base.cannotStart;
    this.perNode = base.perNode;
    this.selected = base.selected;
    this.problems = List.copyOf(problems);
    this.environment = List.copyOf(environment);
    this.byDefault = base.byDefault;
    this.cluster = base.byDefault.clone();
    for (GuardedField field : FIELDS) {
      EffectiveSetting forced = cannotStart ? null : fromEnvironment(field, Applied::clusterWide);
      if (forced != null) {
        cluster[field.ordinal()] = forced;
      }
    }
    combineSupport(cluster);
    Map<IpFamily, EffectiveSetting> families = new EnumMap<>(IpFamily.class);
    for (IpFamily family : IpFamily.values()) {
      families.put(family, cluster[family.field().ordinal()]);
    }
    this.clusterFamilies = Collections.unmodifiableMap(families);
  }

  /**
   * This reading with the environment of calico-node DaemonSets on top: on the nodes a DaemonSet's
   * {@code nodeSelector} matches, a variable that turns a field on or off decides, whatever the
   * FelixConfigurations say (when two DaemonSets disagree, off wins). A field whose variable cannot
   * be read ({@link EnvironmentSetting.State#UNKNOWN}) is left to the FelixConfigurations and
   * listed in {@link #problems()}; so is every field the environment forces off.
   */
  private EffectiveWireguard withEnvironment(
      Collection<CalicoNodeEnvironment> daemonSets, CalicoNodeEnvironment.ConfigMaps configMaps) {
    List<Applied> applied = new ArrayList<>();
    List<String> notes = new ArrayList<>(problems);
    List<CalicoNodeEnvironment> ordered = new ArrayList<>(daemonSets);
    ordered.sort(Comparator.comparing(CalicoNodeEnvironment::id));
    for (CalicoNodeEnvironment daemonSet : ordered) {
      if (!daemonSet.hasContainer()) {
        notes.add(
            "DaemonSet %s has no container named %s: wgguard cannot read Felix's environment"
                .formatted(daemonSet.id(), CalicoNodeEnvironment.CONTAINER));
        continue;
      }
      Map<GuardedField, EnvironmentSetting> set = new EnumMap<>(GuardedField.class);
      for (GuardedField field : FIELDS) {
        EnvironmentSetting setting = daemonSet.setting(field, configMaps);
        switch (setting.state()) {
          case ON -> set.put(field, setting);
          case OFF -> {
            set.put(field, setting);
            if (field == GuardedField.IPV6_SUPPORT) {
              continue; // IPv4-only Felix, as Calico's manifests ship it: no problem in itself
            }
            notes.add(
                "WireGuard forced off by %s on DaemonSet %s (%s, %s)"
                    .formatted(
                        setting.variable(), daemonSet.id(), field.covers(), where(daemonSet)));
          }
          case UNKNOWN ->
              notes.add(
                  setting.detail()
                      + "; the FelixConfigurations are assumed to decide "
                      + field.label());
          case UNSET -> {
            // FelixConfigurations decide.
          }
        }
      }
      if (!set.isEmpty()) {
        applied.add(Applied.of(daemonSet, set));
      }
    }
    if (applied.isEmpty() && notes.size() == problems.size()) {
      return this;
    }
    return new EffectiveWireguard(this, applied, notes);
  }

  private static String where(CalicoNodeEnvironment daemonSet) {
    if (daemonSet.nodeSelector().isEmpty()) {
      return "every node";
    }
    return "nodes with "
        + new java.util.TreeMap<>(daemonSet.nodeSelector())
            .entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(java.util.stream.Collectors.joining(","));
  }

  /** The environment's setting among DaemonSets {@code applies} selects; off wins; else null. */
  private EffectiveSetting fromEnvironment(
      GuardedField field, java.util.function.Predicate<Applied> applies) {
    EffectiveSetting on = null;
    for (Applied a : environment) {
      EffectiveSetting decided = a.decided().get(field);
      if (decided == null || !applies.test(a)) {
        continue;
      }
      if (!decided.enabled()) {
        return decided;
      }
      if (on == null) {
        on = decided;
      }
    }
    return on;
  }

  /**
   * The top layer of Felix's settings: the {@code FELIX_*} environment of calico-node DaemonSets
   * and the ConfigMaps it refers to. Whoever builds an {@link EffectiveWireguard} chooses it: the
   * checker and {@code audit} read the DaemonSets; FelixConfiguration admission judges the write
   * among FelixConfigurations alone ({@link #NONE}: with the environment on top a write could look
   * harmless that switches nodes off the moment the variable goes), as does the agent, which reads
   * only interface names.
   *
   * @param daemonSets the calico-node DaemonSets' environments
   * @param configMaps the ConfigMaps their variables refer to
   */
  public record Environment(
      Collection<CalicoNodeEnvironment> daemonSets, CalicoNodeEnvironment.ConfigMaps configMaps) {

    /** No calico-node layer: the FelixConfigurations alone decide. */
    public static final Environment NONE =
        new Environment(List.of(), CalicoNodeEnvironment.ConfigMaps.none());
  }

  /**
   * Reads every FelixConfiguration of the cluster, with {@code environment} as the top layer;
   * objects Felix ignores are skipped.
   */
  public static EffectiveWireguard of(Collection<FelixObject> objects, Environment environment) {
    EffectiveWireguard felix = of(objects);
    return environment.daemonSets().isEmpty()
        ? felix
        : felix.withEnvironment(environment.daemonSets(), environment.configMaps());
  }

  private static EffectiveWireguard of(Collection<FelixObject> objects) {
    List<String> problems = new ArrayList<>();
    Map<String, FelixObject> byName = new HashMap<>();
    List<FelixObject> ordered = new ArrayList<>(objects);
    ordered.sort(Comparator.comparing(FelixObject::name));
    Layer global = null;
    Map<String, Layer> perNode = new HashMap<>();
    List<Selected> selected = new ArrayList<>();
    for (FelixObject object : ordered) {
      if (byName.putIfAbsent(object.name(), object) != null) {
        problems.add(
            "FelixConfiguration %s was given more than once; only the first copy is read"
                .formatted(object.name()));
        continue;
      }
      for (String problem : object.problems()) {
        problems.add("FelixConfiguration %s: %s".formatted(object.name(), problem));
      }
      for (IpFamily family : IpFamily.values()) {
        for (UnreadableValue invalid : object.read(family.field()).invalid()) {
          problems.add(
              "FelixConfiguration %s: %s; Felix ignores that value"
                  .formatted(object.name(), invalid.detail()));
        }
      }
      Scope scope = object.scope();
      switch (scope.kind()) {
        case GLOBAL -> global = Layer.of(object, Level.DEFAULT);
        case NODE -> perNode.put(scope.target(), Layer.of(object, Level.NODE));
        case SELECTOR -> {
          try {
            selected.add(
                new Selected(
                    Layer.of(object, Level.SELECTOR), CalicoSelector.parse(scope.target())));
          } catch (SelectorSyntaxException e) {
            problems.add(
                ("FelixConfiguration %s: spec.nodeSelector cannot be parsed (%s); wgguard treats"
                        + " it as matching no node")
                    .formatted(object.name(), e.getMessage()));
          }
        }
        case INERT -> {
          // Felix reads only default, node.<name> and selector-scoped objects.
        }
      }
    }
    selected.sort(Comparator.comparing(s -> s.layer().object(), OLDEST_FIRST));
    return new EffectiveWireguard(global, perNode, selected, problems);
  }

  /** The effective setting of one field on the node with this name and these labels. */
  public EffectiveSetting setting(String nodeName, Map<String, String> labels, GuardedField field) {
    EffectiveSetting decided = walk(nodeName, labels, field, Level.ENVIRONMENT);
    if (field == GuardedField.WIREGUARD_ENABLED_V6 && decided.enabled()) {
      EffectiveSetting off = offBySupport(nodeName, labels);
      if (off != null) {
        return off;
      }
    }
    return decided;
  }

  /**
   * IPv6 WireGuard off by the level that turns Felix's IPv6 support off for this node, or null when
   * IPv6 support is on there: {@link #walk} for {@link GuardedField#IPV6_SUPPORT}, answered with
   * the setting built in advance for that level.
   */
  private EffectiveSetting offBySupport(String nodeName, Map<String, String> labels) {
    EffectiveSetting support = walk(nodeName, labels, GuardedField.IPV6_SUPPORT, Level.ENVIRONMENT);
    if (support.enabled()) {
      return null;
    }
    if (support.level() == Level.ENVIRONMENT) {
      for (Applied a : environment) {
        if (a.v6Off() != null && a.daemonSet().id().equals(support.object())) {
          return a.v6Off();
        }
      }
    }
    Layer layer = layerAt(support.level(), nodeName, labels);
    return layer != null && layer.decided()[V6_OFF] != null
        ? layer.decided()[V6_OFF]
        : v6OffBy(support);
  }

  /**
   * True when a level above {@code default} (a {@code node.<name>} or selector-scoped object, or a
   * calico-node DaemonSet) sets the field for some node: then a write to {@code default} cannot be
   * judged by counting the nodes {@code default} decides.
   */
  public boolean setAboveDefault(GuardedField field) {
    for (Layer layer : perNode.values()) {
      if (layer.decide(field) != null) {
        return true;
      }
    }
    for (Selected s : selected) {
      if (s.layer().decide(field) != null) {
        return true;
      }
    }
    for (Applied a : environment) {
      if (a.decided().containsKey(field)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Felix's precedence for one node and field, walked once, from level {@code from} down: the first
   * level whose object asserts the field decides ({@link Level} lists them highest first), and the
   * built-in false when none does. Allocates nothing.
   */
  private EffectiveSetting walk(
      String nodeName, Map<String, String> labels, GuardedField field, Level from) {
    if (cannotStart) {
      return global.decide(field);
    }
    for (Level level : LEVELS) {
      if (level.compareTo(from) < 0) {
        continue;
      }
      EffectiveSetting decided =
          switch (level) {
            case ENVIRONMENT ->
                environment.isEmpty() ? null : fromEnvironment(field, a -> a.runsOn(labels));
            case BUILT_IN -> BUILT_INS[field.ordinal()];
            default -> {
              Layer layer = layerAt(level, nodeName, labels);
              yield layer == null ? null : layer.decide(field);
            }
          };
      if (decided != null) {
        return decided;
      }
    }
    throw new IllegalStateException("the built-in level always decides");
  }

  /** The object at one FelixConfiguration level for this node, null when there is none. */
  private Layer layerAt(Level level, String nodeName, Map<String, String> labels) {
    return switch (level) {
      case NODE -> perNode.get(nodeName);
      case SELECTOR -> {
        Selected oldest = oldestMatch(labels);
        yield oldest == null ? null : oldest.layer();
      }
      case DEFAULT -> global;
      case ENVIRONMENT, BUILT_IN -> null;
    };
  }

  /**
   * True when a level above {@code default} ({@code node.<name>} or the oldest matching
   * selector-scoped object) decides the field for this node, so that {@code default} does not.
   */
  public boolean decidedAboveDefault(
      String nodeName, Map<String, String> labels, GuardedField field) {
    Level level = walk(nodeName, labels, field, Level.NODE).level();
    return level == Level.NODE || level == Level.SELECTOR;
  }

  /**
   * Whether one field is on for the node with this name and these labels; admission asks it for
   * every node a write may touch, and it allocates nothing.
   */
  public boolean enabled(String nodeName, Map<String, String> labels, GuardedField field) {
    return setting(nodeName, labels, field).enabled();
  }

  /** The effective setting of one family on the node with this name and these labels. */
  public EffectiveSetting forNode(String nodeName, Map<String, String> labels, IpFamily family) {
    return setting(nodeName, labels, family.field());
  }

  /**
   * The effective setting of each family on the node with this name and these labels; unmodifiable.
   * A node that no {@code node.<name>} or selector-scoped object names (most of them) gets the one
   * shared map of {@code default}'s settings: a pass over every node allocates nothing for it.
   */
  public Map<IpFamily, EffectiveSetting> forNode(String nodeName, Map<String, String> labels) {
    if (!singledOut(nodeName, labels)) {
      return clusterFamilies;
    }
    Map<IpFamily, EffectiveSetting> settings = new EnumMap<>(IpFamily.class);
    for (IpFamily family : IpFamily.values()) {
      settings.put(family, forNode(nodeName, labels, family));
    }
    return Collections.unmodifiableMap(settings);
  }

  /**
   * True when the node's settings may differ from the cluster's: a {@code node.<name>} object names
   * it, a selector-scoped object matches it, or a calico-node DaemonSet's environment treats it
   * apart.
   */
  public boolean singledOut(String nodeName, Map<String, String> labels) {
    return perNode.containsKey(nodeName)
        || oldestMatch(labels) != null
        || environmentSingles(labels);
  }

  /**
   * True when the environment treats the node apart from the cluster: a DaemonSet that decides
   * cluster-wide does not run on it, or one that does not decide cluster-wide does.
   */
  private boolean environmentSingles(Map<String, String> labels) {
    for (Applied a : environment) {
      if (a.runsOn(labels) != a.clusterWide()) {
        return true;
      }
    }
    return false;
  }

  /** The node names {@code node.<name>} objects name. */
  public Set<String> namedNodes() {
    return perNode.keySet();
  }

  /** True when at least one selector-scoped object (with a selector that parses) exists. */
  public boolean hasSelectors() {
    return !selected.isEmpty();
  }

  /**
   * The names of the objects that decide a setting of the node with this name and these labels,
   * highest precedence first: {@code node.<nodeName>}, the oldest matching selector-scoped object,
   * {@code default}; each only when it exists. For settings other than the WireGuard switches (the
   * interface names, say): the first of them that sets the field decides.
   */
  public List<String> precedence(String nodeName, Map<String, String> labels) {
    List<String> names = new ArrayList<>();
    for (Level level : LEVELS) {
      Layer layer = layerAt(level, nodeName, labels);
      if (layer != null) {
        names.add(layer.object().name());
      }
    }
    return names;
  }

  private Selected oldestMatch(Map<String, String> labels) {
    for (Selected s : selected) {
      if (s.selector().matches(labels)) {
        return s;
      }
    }
    return null;
  }

  /** What {@code default} (or the built-in false) says for one field. */
  public EffectiveSetting clusterSetting(GuardedField field) {
    return cluster[field.ordinal()];
  }

  /** What {@code default} (or, without it, the built-in false) says for one family. */
  public EffectiveSetting cluster(IpFamily family) {
    return clusterFamilies.get(family);
  }

  /** What {@code default} (or the built-in false) says for each family. */
  public Map<IpFamily, EffectiveSetting> cluster() {
    return new EnumMap<>(clusterFamilies);
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
   * ignores, unreadable metadata, repeated names; with {@link #withEnvironment}, also each field a
   * calico-node DaemonSet forces off and each variable wgguard cannot read.
   */
  public List<String> problems() {
    return problems;
  }
}
