package io.wgguard.checker;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.wgguard.Names;
import io.wgguard.config.WgguardConfig;
import io.wgguard.evidence.AgentLease;
import io.wgguard.evidence.NodeFacts;
import io.wgguard.felix.CalicoNodeEnvironment;
import io.wgguard.felix.ClusterView;
import io.wgguard.felix.FelixGroup;
import io.wgguard.felix.FelixObject;
import io.wgguard.felix.FelixObjects;
import io.wgguard.felix.FelixPath;
import io.wgguard.pass.SwitchOffTrace;
import io.wgguard.tunnels.BlockAffinities;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Watches Nodes, FelixConfigurations and the calico-node DaemonSets and keeps only what readiness
 * needs: {@link NodeFacts} per node, {@link FelixObject} per FelixConfiguration, {@link
 * CalicoNodeEnvironment} per calico-node DaemonSet. The informers' own stores keep just name and
 * resourceVersion ({@link VersionStore}), so a large cluster costs one small record per node. A
 * change that does not alter those records (kubelet heartbeats, other annotations) does not trigger
 * a pass, nor does one that only renews the {@code WireGuardModuleReady} heartbeat.
 */
@ApplicationScoped
public class ClusterCache implements ClusterView {

  private static final Logger LOG = Logger.getLogger(ClusterCache.class);

  private final KubernetesClient client;
  private final String felixGroup;
  private final List<String> felixApiCandidates;
  private final Map<String, NodeFacts> nodes = new ConcurrentHashMap<>();
  private final Map<String, FelixObject> felix = new ConcurrentHashMap<>();
  private final Map<String, FelixPath> felixPaths = new ConcurrentHashMap<>();
  private final Map<String, FelixPath> felixPathsView = Collections.unmodifiableMap(felixPaths);
  private final Map<String, String> unreadable = new ConcurrentHashMap<>();
  private final List<String> calicoNodeNamespaces;
  private final String calicoNodeName;
  private final java.util.Set<String> readableConfigMaps;
  private final Map<String, CalicoNodeEnvironment> calicoNodes = new ConcurrentHashMap<>();
  private final Map<String, SwitchOffTrace.OverrideMark> calicoNodeMarks =
      new ConcurrentHashMap<>();
  private final Map<String, AgentLease> leases = new ConcurrentHashMap<>();
  private final String leaseNamespace;
  private volatile SharedIndexInformer<Lease> leaseInformer;
  private final List<SharedIndexInformer<DaemonSet>> calicoNodeInformers = new ArrayList<>();

  /**
   * Items per page of the informers' list calls. Unpaged, the first list of a large cluster arrives
   * as one response parsed whole (5,000 nodes: some 40 MB of JSON, several times that as objects),
   * which does not fit the Deployment's heap; pages of this size keep the peak to a few MB.
   */
  static final long LIST_PAGE = 250;

  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private volatile SharedIndexInformer<Node> nodeInformer;
  private volatile SharedIndexInformer<GenericKubernetesResource> felixInformer;
  private volatile SharedIndexInformer<GenericKubernetesResource> affinityInformer;

  /** Confirmed BlockAffinities by object name; the informer's store keeps name and version only. */
  private final Map<String, BlockAffinities.Affinity> affinities = new ConcurrentHashMap<>();

  private volatile String felixApiVersion;

  /**
   * True once discovery has answered whether a FelixConfiguration API is served. Until then the
   * cache is not synced: a pass that took "no FelixConfiguration seen" for "WireGuard is off" would
   * lift every wgguard taint.
   */
  private volatile boolean felixApiKnown;

  /**
   * True once every object the first list put in an informer's store has reached our handlers.
   * {@code hasSynced()} turns true when the store is filled, while the handlers still run behind it
   * on the informer's own thread: a pass in between saw "nodes: 1 ready" of three. Latched: later
   * lag is ordinary event delivery, which requests its own pass.
   */
  private volatile boolean nodesCaughtUp;

  private volatile boolean felixCaughtUp;

  private volatile boolean leasesCaughtUp;

  // Names of the Leases the handler has seen (read or not), to tell when it has caught up.
  private final Set<String> leaseNames = ConcurrentHashMap.newKeySet();

  /**
   * Set when discovery says no FelixConfiguration API is served while nodes carry wgguard taints:
   * some wgguard saw the API before, so this is an API server that is restarting or CRDs being
   * re-registered, not a cluster without Calico. Null otherwise.
   */
  private volatile String felixApiMissing;

  /** The last discovery answer was "no FelixConfiguration API served". */
  private volatile boolean felixApiNotServed;

  /** How long a watch may be down before that counts as a fault. */
  static final Duration WATCH_GRACE = Duration.ofSeconds(10);

  private final AtomicLong nodeWatchDownSince = new AtomicLong();
  private final AtomicLong felixWatchDownSince = new AtomicLong();

  private volatile Runnable onChange = () -> {};

  /** Set by {@link #stop()}, cleared by {@link #start}. */
  private volatile boolean stopped;

  @Inject
  public ClusterCache(KubernetesClient client, WgguardConfig config) {
    this(
        client,
        config.checker().felixGroup().wire(),
        config.calicoNode().namespaces(),
        config.calicoNode().name(),
        config.calicoNode().configMaps().orElse(List.of()),
        config
            .checker()
            .leaseNamespace()
            .orElseGet(() -> client.getNamespace() == null ? "default" : client.getNamespace()));
  }

  /** {@code felixGroup} as {@code wgguard.checker.felix-group}: auto or one API group. */
  ClusterCache(KubernetesClient client, String felixGroup) {
    this(
        client,
        felixGroup,
        List.of("calico-system", "kube-system"),
        "calico-node",
        List.of(),
        "default");
  }

  ClusterCache(
      KubernetesClient client,
      String felixGroup,
      List<String> calicoNodeNamespaces,
      String calicoNodeName,
      List<String> readableConfigMaps,
      String leaseNamespace) {
    this.client = client;
    this.leaseNamespace = leaseNamespace;
    this.felixGroup = felixGroup;
    this.felixApiCandidates = candidateApiVersions(felixGroup); // a bad value fails start-up
    this.calicoNodeNamespaces = List.copyOf(calicoNodeNamespaces);
    this.calicoNodeName = calicoNodeName;
    this.readableConfigMaps = java.util.Set.copyOf(readableConfigMaps);
  }

  /** Starts the watches; {@code onChange} runs after each relevant change. */
  public synchronized void start(Runnable onChange) {
    this.onChange = onChange;
    stopped = false;
    ensureFelixInformer();
    if (nodeInformer == null) {
      nodeInformer =
          client
              .nodes()
              .withLimit(LIST_PAGE)
              .runnableInformer(0)
              .itemStore(new VersionStore<>(Node::new))
              .exceptionHandler(ClusterCache::retry)
              .addEventHandler(new NodeHandler());
      nodeInformer.start();
      informers.add(nodeInformer);
    }
    if (leaseInformer == null) {
      // The agents' Leases, by label: renewed every 40 s by every node, so the store keeps name
      // and resourceVersion only and the handler a record of three fields per node.
      leaseInformer =
          client
              .leases()
              .inNamespace(leaseNamespace)
              .withLabel(Names.AGENT_LEASE_LABEL, "true")
              .withLimit(LIST_PAGE)
              .runnableInformer(0)
              .itemStore(new VersionStore<>(Lease::new))
              .exceptionHandler(ClusterCache::retry)
              .addEventHandler(new LeaseHandler());
      leaseInformer.start();
      informers.add(leaseInformer);
    }
    if (calicoNodeInformers.isEmpty()) {
      for (String namespace : calicoNodeNamespaces) {
        // One object per namespace, by name: RBAC grants list/watch on this resourceName only
        // (the API server authorizes a metadata.name field selector against resourceNames).
        SharedIndexInformer<DaemonSet> informer =
            client
                .apps()
                .daemonSets()
                .inNamespace(namespace)
                .withField("metadata.name", calicoNodeName)
                .runnableInformer(0)
                .itemStore(new VersionStore<>(DaemonSet::new))
                .exceptionHandler(ClusterCache::retry)
                .addEventHandler(new CalicoNodeHandler());
        informer.start();
        informers.add(informer);
        calicoNodeInformers.add(informer);
      }
    }
  }

  /**
   * Starts the FelixConfiguration watch once its API is served; called again by every full pass, so
   * installing Calico after wgguard works.
   */
  public synchronized void ensureFelixInformer() {
    if (felixInformer != null && !stopped) {
      ensureAffinityInformer();
    }
    if (felixInformer != null || stopped) {
      return; // after stop(), a late scheduled pass must not ask discovery (it may hang shutdown)
    }
    Optional<String> apiVersion;
    try {
      apiVersion = servedFelixApiVersion();
    } catch (RuntimeException e) { // KubernetesClientException, or an answer that is not one
      LOG.warnf(
          "cannot tell which FelixConfiguration API is served (%s); the checker waits and retries",
          e.getMessage());
      return;
    }
    if (apiVersion.isEmpty()) {
      felixApiNotServed = true;
      onFelixApiNotServed();
      return;
    }
    felixApiNotServed = false;
    if (felixApiMissing != null) {
      LOG.infof("the FelixConfiguration API is served again");
      felixApiMissing = null;
    }
    felixApiVersion = apiVersion.get();
    felixInformer =
        client
            .genericKubernetesResources(felixApiVersion, Names.FELIX_KIND)
            .withLimit(LIST_PAGE)
            .runnableInformer(0)
            .itemStore(new VersionStore<>(GenericKubernetesResource::new))
            .exceptionHandler(ClusterCache::retry)
            .addEventHandler(new FelixHandler());
    felixInformer.start();
    informers.add(felixInformer);
    LOG.infof("watching FelixConfigurations in %s", felixApiVersion);
    // Last: synced() reads this flag first, so seeing it true means seeing the informer too.
    felixApiKnown = true;
    ensureAffinityInformer();
  }

  /**
   * Starts the BlockAffinity watch once Calico's IPAM CRDs are served (RBAC: list and watch {@code
   * blockaffinities.crd.projectcalico.org}). Without it the path check judges devices, rules and
   * MTUs but not routes and allowed-ips; a discovery failure is retried at the next full pass.
   */
  private void ensureAffinityInformer() {
    if (affinityInformer != null || stopped) {
      return;
    }
    String apiVersion = Names.CALICO_CRD_GROUP + "/v1";
    try {
      if (!client.supports(apiVersion, Names.BLOCK_AFFINITY_KIND)) {
        return;
      }
    } catch (RuntimeException e) {
      LOG.debugf("cannot tell whether BlockAffinities are served (%s)", e.getMessage());
      return;
    }
    affinityInformer =
        client
            .genericKubernetesResources(apiVersion, Names.BLOCK_AFFINITY_KIND)
            .withLimit(LIST_PAGE)
            .runnableInformer(0)
            .itemStore(new VersionStore<>(GenericKubernetesResource::new))
            .exceptionHandler(ClusterCache::retry)
            .addEventHandler(new AffinityHandler());
    affinityInformer.start();
    informers.add(affinityInformer);
    LOG.infof("watching BlockAffinities in %s", apiVersion);
  }

  /**
   * The confirmed BlockAffinities, known once their watch has listed everything and every listed
   * object reached this cache; {@link BlockAffinities#UNKNOWN} before, or without the API.
   */
  public BlockAffinities blockAffinities() {
    SharedIndexInformer<GenericKubernetesResource> a = affinityInformer;
    if (a == null || !a.hasSynced()) {
      return BlockAffinities.UNKNOWN;
    }
    for (String key : a.getStore().listKeys()) {
      if (!affinitiesSeen.contains(key)) {
        return BlockAffinities.UNKNOWN;
      }
    }
    return BlockAffinities.of(List.copyOf(affinities.values()));
  }

  /** Names of the BlockAffinities that reached the handler, confirmed or not. */
  private final Set<String> affinitiesSeen = ConcurrentHashMap.newKeySet();

  /**
   * Discovery answered that no FelixConfiguration API is served. With no wgguard taint on any node,
   * that is a cluster without Calico: WireGuard counts as off. With wgguard taints, the API was
   * seen before (by this process or an earlier one), and a 404 from discovery is far likelier an
   * API server restarting or CRDs being re-registered than Calico uninstalled: a fault, under which
   * no taint is removed, rather than a posture that would lift every taint.
   */
  private void onFelixApiNotServed() { // not synchronized: synced() runs on health checks
    SharedIndexInformer<Node> n = nodeInformer;
    boolean nodesKnown = n != null && n.hasSynced() && nodesCaughtUp();
    if (!felixApiNotServed || !nodesKnown) {
      return; // synced() decides once the nodes are known; until then the cache is not synced
    }
    long tainted = nodes.values().stream().filter(f -> !f.taints().isEmpty()).count();
    if (tainted > 0) {
      String fault =
          ("discovery says no FelixConfiguration API is served (%s), yet %d node(s) carry wgguard"
                  + " taints: taken for an API server restart, not for Calico removed; no taint is"
                  + " removed until the API is back (if Calico was removed on purpose, remove the"
                  + " taints by hand)")
              .formatted(String.join(" or ", felixApiCandidates), tainted);
      if (felixApiMissing == null) {
        LOG.warnf("%s", fault);
      }
      felixApiMissing = fault;
    } else {
      if (!felixApiKnown || felixApiMissing != null) {
        LOG.infof(
            "no FelixConfiguration API is served (wgguard.checker.felix-group=%s): WireGuard"
                + " counts as off until Calico's CRDs are installed",
            felixGroup);
      }
      felixApiMissing = null;
    }
    felixApiKnown = true;
  }

  /**
   * What keeps this view from being the cluster's, one sentence each: the FelixConfiguration API
   * lost after it was seen, a watch that is down (its objects are kept as last seen). Empty when
   * none. The reconciler removes no taint while there is any.
   */
  public List<String> faults() {
    List<String> faults = new ArrayList<>();
    String missing = felixApiMissing;
    if (missing != null) {
      faults.add(missing);
    }
    if (watchDown(felixInformer, felixWatchDownSince)) {
      faults.add(
          "the FelixConfiguration watch is down; keeping the %d FelixConfiguration(s) last seen"
              .formatted(felix.size() + unreadable.size()));
    }
    if (watchDown(nodeInformer, nodeWatchDownSince)) {
      faults.add(
          "the Node watch is down; keeping the %d node(s) last seen".formatted(nodes.size()));
    }
    return faults;
  }

  /**
   * True when the informer has not been watching for {@link #WATCH_GRACE}, seen over two calls: a
   * watch is re-established now and then (after the first list, when the API server closes it),
   * which is not a fault.
   */
  private static boolean watchDown(SharedIndexInformer<?> informer, AtomicLong downSince) {
    if (informer == null || !informer.hasSynced() || informer.isWatching()) {
      downSince.set(0);
      return false;
    }
    long now = System.nanoTime();
    downSince.compareAndSet(0, now);
    return now - downSince.get() >= WATCH_GRACE.toNanos();
  }

  /**
   * The FelixConfiguration API versions to look for, in order, for a {@code
   * wgguard.checker.felix-group} value.
   *
   * @throws IllegalArgumentException for a value that is none of auto and the two groups
   */
  static List<String> candidateApiVersions(String felixGroup) {
    try {
      return FelixGroup.fromWire(felixGroup).apiVersions();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("wgguard.checker.felix-group: " + e.getMessage(), e);
    }
  }

  /**
   * The first candidate API discovery says is served, empty when discovery says none is.
   *
   * @throws KubernetesClientException when discovery does not answer (a 404 is an answer: not
   *     served)
   */
  private Optional<String> servedFelixApiVersion() {
    for (String candidate : felixApiCandidates) {
      if (client.supports(candidate, Names.FELIX_KIND)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * True once both watches have listed everything and every listed object has reached this cache,
   * or the node watch has and discovery has said that no FelixConfiguration API is served.
   */
  @Override
  public boolean synced() {
    if (!felixApiKnown && felixApiNotServed) {
      onFelixApiNotServed(); // discovery answered before the nodes were listed
    }
    if (!felixApiKnown) {
      return false;
    }
    SharedIndexInformer<Node> n = nodeInformer;
    SharedIndexInformer<GenericKubernetesResource> f = felixInformer;
    // A pass before the calico-node watches have listed would miss an environment that forces
    // WireGuard off and report the FelixConfigurations' answer as the truth.
    return n != null
        && n.hasSynced()
        && nodesCaughtUp()
        && (f == null || (f.hasSynced() && felixCaughtUp()))
        && leasesCaughtUp()
        && calicoNodeInformers.stream().allMatch(SharedIndexInformer::hasSynced);
  }

  private boolean nodesCaughtUp() {
    if (!nodesCaughtUp) {
      SharedIndexInformer<Node> n = nodeInformer;
      nodesCaughtUp = n != null && n.hasSynced() && containsAll(n, nodes::containsKey);
    }
    return nodesCaughtUp;
  }

  // Until every listed Lease reached the handler a pass would take a live agent for one without a
  // Lease, which is judged by its condition's age: harmless, but not the cluster's view.
  private boolean leasesCaughtUp() {
    if (!leasesCaughtUp) {
      SharedIndexInformer<Lease> l = leaseInformer;
      leasesCaughtUp =
          l != null && l.hasSynced() && l.getStore().listKeys().size() <= leaseNames.size();
    }
    return leasesCaughtUp;
  }

  private boolean felixCaughtUp() {
    if (!felixCaughtUp) {
      SharedIndexInformer<GenericKubernetesResource> f = felixInformer;
      felixCaughtUp =
          f != null
              && f.hasSynced()
              && containsAll(f, k -> felix.containsKey(k) || unreadable.containsKey(k));
    }
    return felixCaughtUp;
  }

  // The stores of cluster-scoped objects are keyed by name.
  private static boolean containsAll(
      SharedIndexInformer<?> informer, java.util.function.Predicate<String> seen) {
    for (String key : informer.getStore().listKeys()) {
      if (!seen.test(key)) {
        return false;
      }
    }
    return true;
  }

  /** The FelixConfiguration API watched, empty when none is served. */
  public Optional<String> felixApiVersion() {
    return Optional.ofNullable(felixApiVersion);
  }

  private final Set<String> nodeNames = Collections.unmodifiableSet(nodes.keySet());

  // Bumped on every change admission's effect computation depends on: FelixConfigurations, the node
  // set, node labels. Not on key annotations, conditions or taints.
  private final AtomicLong version = new AtomicLong();

  @Override
  public long version() {
    return version.get();
  }

  @Override
  public int nodeCount() {
    return nodes.size();
  }

  @Override
  public Map<String, String> nodeLabels(String nodeName) {
    NodeFacts facts = nodes.get(nodeName);
    return facts == null ? null : facts.felixLabels();
  }

  @Override
  public Set<String> nodeNames() {
    return nodeNames;
  }

  /** Current node facts. */
  public Collection<NodeFacts> nodes() {
    return List.copyOf(nodes.values());
  }

  /** One node's facts. */
  public Optional<NodeFacts> node(String name) {
    return Optional.ofNullable(nodes.get(name));
  }

  /** The node agents' Leases, by node. */
  public Map<String, AgentLease> leases() {
    return Map.copyOf(leases);
  }

  /** The namespace whose agent Leases are read. */
  public String leaseNamespace() {
    return leaseNamespace;
  }

  /** Current FelixConfigurations. */
  @Override
  public Collection<FelixObject> felixConfigurations() {
    return List.copyOf(felix.values());
  }

  /** What each FelixConfiguration asserts about the path into WireGuard: a live view. */
  @Override
  public Map<String, FelixPath> felixPaths() {
    return felixPathsView;
  }

  /** FelixConfigurations that could not be read, by name, each with its reason. */
  public Map<String, String> unreadableFelixConfigurations() {
    return Map.copyOf(unreadable);
  }

  /** The calico-node DaemonSets' environments, by {@code namespace/name}. */
  public Collection<CalicoNodeEnvironment> calicoNodes() {
    return List.copyOf(calicoNodes.values());
  }

  /**
   * The override label and expiry on each calico-node DaemonSet, by {@code namespace/name}: what
   * tells a switch-off by its environment that an override explains from one none does.
   */
  public Map<String, SwitchOffTrace.OverrideMark> calicoNodeOverrides() {
    return Map.copyOf(calicoNodeMarks);
  }

  /**
   * Reads the ConfigMaps calico-node's {@code FELIX_*} variables refer to, only those listed in
   * {@code wgguard.calico-node.config-maps} (RBAC grants get on those names only), each at most
   * once per returned reader: make one per pass. A ConfigMap not listed, absent, or refused is
   * unknown.
   */
  public CalicoNodeEnvironment.ConfigMaps configMapReader() {
    Map<String, Optional<Map<String, String>>> read = new java.util.HashMap<>();
    return (namespace, name) ->
        read.computeIfAbsent(
            namespace + "/" + name,
            id -> {
              if (!readableConfigMaps.contains(id)) {
                return Optional.empty();
              }
              try {
                var map = client.configMaps().inNamespace(namespace).withName(name).get();
                return map == null || map.getData() == null
                    ? Optional.empty()
                    : Optional.of(Map.copyOf(map.getData()));
              } catch (KubernetesClientException e) {
                LOG.warnf(
                    "ConfigMap %s cannot be read (%s): its values count as unknown",
                    id, e.getCode());
                return Optional.empty();
              }
            });
  }

  /** Stops the watches and forgets what they saw. */
  public synchronized void stop() {
    stopped = true;
    felixApiKnown = false;
    nodesCaughtUp = false;
    felixCaughtUp = false;
    leasesCaughtUp = false;
    felixApiMissing = null;
    felixApiNotServed = false;
    informers.forEach(SharedIndexInformer::stop);
    informers.clear();
    calicoNodeInformers.clear();
    calicoNodes.clear();
    calicoNodeMarks.clear();
    nodeInformer = null;
    leaseInformer = null;
    felixInformer = null;
    affinityInformer = null;
    affinities.clear();
    affinitiesSeen.clear();
    felixApiVersion = null;
    nodes.clear();
    leases.clear();
    leaseNames.clear();
    felix.clear();
    felixPaths.clear();
    unreadable.clear();
  }

  /**
   * An informer's handler that treats an add and an update alike (both put the object's current
   * reading in a store); subclasses say what putting and deleting mean for their store.
   */
  private abstract static class StoreHandler<T> implements ResourceEventHandler<T> {
    @Override
    public final void onAdd(T object) {
      put(object);
    }

    @Override
    public final void onUpdate(T old, T object) {
      put(object);
    }

    @Override
    public final void onDelete(T object, boolean deletedFinalStateUnknown) {
      delete(object);
    }

    abstract void put(T object);

    abstract void delete(T object);
  }

  private final class NodeHandler extends StoreHandler<Node> {
    @Override
    void delete(Node node) {
      if (nodes.remove(name(node)) != null) {
        version.incrementAndGet();
        onChange.run();
      }
    }

    @Override
    void put(Node node) {
      NodeFacts facts = NodeFactsMapper.facts(node);
      NodeFacts before = nodes.put(facts.name(), facts);
      if (before == null || !before.felixLabels().equals(facts.felixLabels())) {
        version.incrementAndGet();
      }
      if (!Objects.equals(before, facts) && !onlyHeartbeatChanged(before, facts)) {
        onChange.run();
      }
    }
  }

  /**
   * Keeps {@link AgentLease} per node. A renewal asks for no pass (at 65,000 nodes and one renewal
   * every 40 s that would be 1,600 passes a second): expiry is judged by the periodic full pass. A
   * new Lease, a Lease renewed after it had expired (an agent back), and a deleted Lease ask for
   * one, so that a node recovers without waiting for the next full pass.
   */
  private final class LeaseHandler extends StoreHandler<Lease> {
    @Override
    void delete(Lease lease) {
      leaseNames.remove(name(lease));
      AgentLease read = read(lease);
      if (read != null && leases.remove(read.node()) != null) {
        onChange.run();
      }
    }

    @Override
    void put(Lease lease) {
      leaseNames.add(name(lease));
      AgentLease read = read(lease);
      if (read == null) {
        return;
      }
      AgentLease before = leases.put(read.node(), read);
      java.time.Instant now = java.time.Instant.now();
      if (before == null || (before.expired(now) && !read.expired(now))) {
        onChange.run();
      }
    }

    /**
     * The Lease as a record, null when its holder is not the node its name is derived from: the
     * agents share one service account and could write each other's Leases, but one agent's Lease
     * cannot speak for another node.
     */
    private AgentLease read(Lease lease) {
      var spec = lease.getSpec();
      String holder = spec == null ? null : spec.getHolderIdentity();
      String expected;
      try {
        expected = holder == null ? null : Names.agentLeaseName(holder);
      } catch (IllegalArgumentException e) {
        expected = null;
      }
      if (expected == null || !expected.equals(name(lease))) {
        LOG.debugf(
            "Lease %s/%s is not read: its holder '%s' is not the node its name is for",
            leaseNamespace, name(lease), holder);
        return null;
      }
      java.time.Instant renewed =
          spec.getRenewTime() == null ? null : spec.getRenewTime().toInstant();
      Integer seconds = spec.getLeaseDurationSeconds();
      return new AgentLease(
          holder, renewed, java.time.Duration.ofSeconds(seconds == null ? 0 : seconds));
    }
  }

  private final class FelixHandler extends StoreHandler<GenericKubernetesResource> {
    @Override
    void delete(GenericKubernetesResource resource) {
      unreadable.remove(name(resource));
      felixPaths.remove(name(resource));
      if (felix.remove(name(resource)) != null) {
        version.incrementAndGet();
        onChange.run();
      }
    }

    @Override
    void put(GenericKubernetesResource resource) {
      String name = name(resource);
      try {
        JsonNode json = client.getKubernetesSerialization().convertValue(resource, JsonNode.class);
        FelixObject object = FelixObjects.read(json);
        felixPaths.put(name, FelixPath.read(json));
        unreadable.remove(name);
        if (!Objects.equals(felix.put(name, object), object)) {
          version.incrementAndGet();
          onChange.run();
        }
      } catch (IllegalArgumentException e) {
        // Felix cannot use it either; keep the last good reading out and report it.
        unreadable.put(name, e.getMessage());
        felix.remove(name);
        felixPaths.remove(name);
        version.incrementAndGet();
        LOG.warnf("FelixConfiguration %s cannot be read: %s", name, e.getMessage());
        onChange.run();
      }
    }
  }

  private final class AffinityHandler extends StoreHandler<GenericKubernetesResource> {
    @Override
    void delete(GenericKubernetesResource resource) {
      affinitiesSeen.remove(name(resource));
      if (affinities.remove(name(resource)) != null) {
        onChange.run();
      }
    }

    @Override
    void put(GenericKubernetesResource resource) {
      String name = name(resource);
      BlockAffinities.Affinity affinity =
          BlockAffinities.read(
              client.getKubernetesSerialization().convertValue(resource, JsonNode.class));
      affinitiesSeen.add(name);
      BlockAffinities.Affinity before =
          affinity == null ? affinities.remove(name) : affinities.put(name, affinity);
      if (!Objects.equals(before, affinity)) {
        onChange.run();
      }
    }
  }

  private final class CalicoNodeHandler extends StoreHandler<DaemonSet> {
    @Override
    void delete(DaemonSet daemonSet) {
      calicoNodeMarks.remove(id(daemonSet));
      if (calicoNodes.remove(id(daemonSet)) != null) {
        onChange.run();
      }
    }

    @Override
    void put(DaemonSet daemonSet) {
      String id = id(daemonSet);
      var metadata = daemonSet.getMetadata();
      calicoNodeMarks.put(
          id,
          SwitchOffTrace.OverrideMark.of(
              metadata.getLabels() == null ? Map.of() : metadata.getLabels(),
              metadata.getAnnotations() == null ? Map.of() : metadata.getAnnotations()));
      try {
        CalicoNodeEnvironment environment =
            CalicoNodeEnvironment.read(
                client.getKubernetesSerialization().convertValue(daemonSet, JsonNode.class));
        // Status and image writes leave the environment equal: no pass for them.
        if (!Objects.equals(calicoNodes.put(id, environment), environment)) {
          onChange.run();
        }
      } catch (IllegalArgumentException e) {
        calicoNodes.remove(id);
        LOG.warnf("DaemonSet %s cannot be read: %s", id, e.getMessage());
        onChange.run();
      }
    }

    private String id(DaemonSet daemonSet) {
      return daemonSet.getMetadata().getNamespace() + "/" + daemonSet.getMetadata().getName();
    }
  }

  /**
   * True when the two readings of a node differ only in the heartbeat of its {@code
   * WireGuardModuleReady} condition and the reading time of its tunnel summary. Each agent renews
   * both at every forced report (every 5 to 6 minutes): at 65,000 nodes a pass per report would be
   * some 200 pass requests a second. The new heartbeat is kept, and the periodic full pass judges
   * its age; nothing else needs a pass for it.
   */
  static boolean onlyHeartbeatChanged(NodeFacts old, NodeFacts now) {
    if (old == null || old.condition() == null || now.condition() == null) {
      return false;
    }
    NodeFacts.ModuleCondition a = old.condition();
    NodeFacts.ModuleCondition b = now.condition();
    return a.status().equals(b.status())
        && a.reason().equals(b.reason())
        && a.message().equals(b.message())
        && old.labels().equals(now.labels())
        && old.felixLabels().equals(now.felixLabels())
        && old.annotations().equals(now.annotations())
        && old.taints().equals(now.taints())
        && sameTunnels(old, now);
  }

  /**
   * The tunnel summaries say the same ({@code TunnelSummary.sameState}: only the reading time
   * moved). The agent writes the summary on a change of state, and that change asks for a pass now,
   * not at the next full pass.
   */
  private static boolean sameTunnels(NodeFacts old, NodeFacts now) {
    if (old.tunnels() == null || now.tunnels() == null) {
      return old.tunnels() == now.tunnels()
          && Objects.equals(old.tunnelsProblem(), now.tunnelsProblem());
    }
    return old.tunnels().sameState(now.tunnels());
  }

  // An API server that is down at start-up or restarts must not stop the watches for good: keep
  // retrying (readiness stays down until they have synced).
  private static boolean retry(boolean started, Throwable error) {
    LOG.warnf("watch failed (%s); retrying", error.getMessage());
    return true;
  }

  private static String name(HasMetadata resource) {
    return resource.getMetadata().getName();
  }
}
