package io.wgguard.evidence;

import io.wgguard.Names;
import io.wgguard.evidence.NodeFacts.ModuleCondition;
import io.wgguard.felix.Felix;
import io.wgguard.felix.FelixObject;
import io.wgguard.felix.IpFamily;
import io.wgguard.pass.PassSettings;
import io.wgguard.taints.TaintChange;
import io.wgguard.taints.TaintSettings;
import io.wgguard.tunnels.TunnelEvidence;
import io.wgguard.tunnels.summary.TunnelSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Test builders for the node checker: {@code node("worker1").key(KEY1).addr("10.48.127.254")},
 * settings variants, and one-line renderings of results so a case can assert the whole result.
 */
public final class Nodes {

  public static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  // The seed's real keys and interface addresses.
  public static final String KEY_CONTROL1 = "gsxCZHLjKBjJozxRFiKjbMB3QtVTluQDmbvQVfANmXE=";
  public static final String KEY_WORKER1 = "HmNsTyzg7TKvs/Fh0AmA0VEgtS+Ij6xBHqvzXO5VfmA=";
  public static final String KEY_WORKER2 = "lDSws3G/G1KP76BGGRpVSXBnTt5N6FCqOodzTUUWs0I=";
  public static final String ADDR_CONTROL1 = "10.48.115.87";
  public static final String ADDR_WORKER1 = "10.48.127.254";
  public static final String ADDR_WORKER2 = "10.48.116.146";
  // IPv6 keys for dual-stack cases (valid keys, made up).
  public static final String KEY6_CONTROL1 = "PsK1gYLOwWtW7/h8r9BPOJe3+XNITUYquRaCxjhUbW0=";
  public static final String KEY6_WORKER1 = "SCMwqelLA3+bk+ipsaTDZ3lgIHeJHYnl3L+hUX6uZ/o=";
  public static final String ADDR6_CONTROL1 = "fd00:10:48:115::87";
  public static final String ADDR6_WORKER1 = "fd00:10:48:127::254";

  public static final String ZERO_KEY = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

  public static final String WG = "config.projectcalico.org/WireguardEnabled";
  public static final String MODULE_LABEL = "feature.node.kubernetes.io/kernel-module.wireguard";

  private Nodes() {}

  // Nodes.

  public static NodeBuilder node(String name) {
    return new NodeBuilder(name);
  }

  public static NodeBuilder control1() {
    return node("control1").key(KEY_CONTROL1).addr(ADDR_CONTROL1);
  }

  public static NodeBuilder worker1() {
    return node("worker1").key(KEY_WORKER1).addr(ADDR_WORKER1);
  }

  public static NodeBuilder worker2() {
    return node("worker2").key(KEY_WORKER2).addr(ADDR_WORKER2);
  }

  /** A node under construction. */
  public static final class NodeBuilder {
    private final String name;
    private final Map<String, String> labels = new HashMap<>();
    private final Map<String, String> annotations = new HashMap<>();
    private ModuleCondition condition;
    private final List<Taint> taints = new ArrayList<>();

    NodeBuilder(String name) {
      this.name = name;
      labels.put("kubernetes.io/hostname", name);
      labels.put("kubernetes.io/os", "linux");
    }

    public NodeBuilder key(String key) {
      return annotation(Names.PUBLIC_KEY_V4, key);
    }

    public NodeBuilder keyV6(String key) {
      return annotation(Names.PUBLIC_KEY_V6, key);
    }

    public NodeBuilder addr(String address) {
      return annotation(Names.INTERFACE_ADDR_V4, address);
    }

    public NodeBuilder addrV6(String address) {
      return annotation(Names.INTERFACE_ADDR_V6, address);
    }

    public NodeBuilder noKey() {
      annotations.remove(Names.PUBLIC_KEY_V4);
      return this;
    }

    public NodeBuilder noAddr() {
      annotations.remove(Names.INTERFACE_ADDR_V4);
      return this;
    }

    public NodeBuilder annotation(String key, String value) {
      annotations.put(key, value);
      return this;
    }

    public NodeBuilder label(String key, String value) {
      labels.put(key, value);
      return this;
    }

    public NodeBuilder exempt() {
      return label(Names.EXEMPT_LABEL, "true");
    }

    public NodeBuilder windows() {
      return label("kubernetes.io/os", "windows");
    }

    public NodeBuilder moduleLabel() {
      return label(MODULE_LABEL, "true");
    }

    /** Condition {@code WireGuardModuleReady} with this status, heartbeat {@code age} ago. */
    public NodeBuilder condition(String status, Duration age) {
      condition = new ModuleCondition(status, NOW.minus(age), "", "");
      return this;
    }

    public NodeBuilder condition(String status, Duration age, String reason, String message) {
      condition = new ModuleCondition(status, NOW.minus(age), reason, message);
      return this;
    }

    public NodeBuilder conditionWithoutHeartbeat(String status) {
      condition = new ModuleCondition(status, null, "", "");
      return this;
    }

    public NodeBuilder moduleReady() {
      return condition("True", Duration.ofSeconds(20));
    }

    public NodeBuilder tainted(String value) {
      return tainted(value, "NoSchedule");
    }

    public NodeBuilder tainted(String value, String effect) {
      taints.add(new Taint(value, effect));
      return this;
    }

    /**
     * The agent's tunnel summary read {@code age} ago from the device source, one device per family
     * given.
     */
    public NodeBuilder tunnels(Duration age, Map<IpFamily, TunnelSummary.Device> devices) {
      return annotation(
          Names.TUNNELS_ANNOTATION, new TunnelSummary(NOW.minus(age), "device", devices).toJson());
    }

    /** A fresh IPv4 summary of this device. */
    public NodeBuilder tunnel(TunnelSummary.Device device) {
      return tunnels(Duration.ofSeconds(10), Map.of(IpFamily.V4, device));
    }

    public NodeFacts facts() {
      return new NodeFacts(name, labels, annotations, condition, taints);
    }
  }

  /** A present device {@code wireguard.cali} with this key and these peers, none stale. */
  public static TunnelSummary.Device device(String key, String... peers) {
    return stale(key, List.of(), peers);
  }

  /** A present device whose handshakes with {@code stale} (key prefixes) are stale. */
  public static TunnelSummary.Device stale(String key, List<String> stale, String... peers) {
    return new TunnelSummary.Device(
        "wireguard.cali",
        true,
        key,
        51820,
        peers.length,
        TunnelSummary.peerDigest(List.of(peers)),
        stale.size(),
        stale);
  }

  public static List<NodeFacts> facts(NodeBuilder... nodes) {
    return Arrays.stream(nodes).map(NodeBuilder::facts).toList();
  }

  // FelixConfigurations.

  public static List<FelixObject> felix(Felix... objects) {
    return Arrays.stream(objects).map(Felix::object).toList();
  }

  public static Felix wgDefault() {
    return Felix.felix("default").wireguard(true);
  }

  public static Felix wgDefaultV6() {
    return Felix.felix("default").wireguardV6(true);
  }

  public static Felix wgDualStack() {
    return Felix.felix("default").wireguard(true).wireguardV6(true);
  }

  public static Felix wgOff() {
    return Felix.felix("default").wireguard(false);
  }

  // Settings.

  public static final PassSettings DEFAULTS = PassSettings.defaults();

  public static PassSettings sources(ModuleSource... sources) {
    return DEFAULTS.with(
        new EvidenceSettings(
            EqualitySelector.none(),
            sources.length == 0
                ? EnumSet.noneOf(ModuleSource.class)
                : EnumSet.copyOf(List.of(sources)),
            MODULE_LABEL,
            Optional.of("true"),
            Duration.ofMinutes(2),
            true));
  }

  public static PassSettings exemptSelector(String selector) {
    EvidenceSettings e = DEFAULTS.evidence();
    return DEFAULTS.with(
        new EvidenceSettings(
            EqualitySelector.parse(selector),
            e.moduleSources(),
            e.moduleLabel(),
            e.moduleLabelValue(),
            e.conditionMaxAge(),
            e.requireInterfaceAddress()));
  }

  public static PassSettings effect(TaintEffect effect) {
    TaintSettings t = DEFAULTS.taints();
    return DEFAULTS.with(new TaintSettings(effect, t.brakeFraction(), t.removalConfirmDelay()));
  }

  /** The defaults without the interface address as evidence (IPAM other than Calico's). */
  public static PassSettings withoutInterfaceAddress() {
    EvidenceSettings e = DEFAULTS.evidence();
    return DEFAULTS.with(
        new EvidenceSettings(
            e.exemptSelector(),
            e.moduleSources(),
            e.moduleLabel(),
            e.moduleLabelValue(),
            e.conditionMaxAge(),
            false));
  }

  public static final PassSettings ENFORCE_TUNNELS = DEFAULTS.with(TunnelEvidence.ENFORCE);

  public static PassSettings brake(double fraction) {
    TaintSettings t = DEFAULTS.taints();
    return DEFAULTS.with(new TaintSettings(t.effect(), fraction, t.removalConfirmDelay()));
  }

  // Renderings.

  /**
   * One line per verdict: {@code worker2 no-public-key [IPv4] {no-public-key/IPv4,
   * module-not-ready/IPv4} key{IPv4=gsxCZHLj…} taint{no-public-key:NoSchedule}}; empty parts left
   * out.
   */
  public static String render(NodeVerdict v) {
    StringBuilder line = new StringBuilder(v.name()).append(' ');
    line.append(v.exempt() ? "exempt" : v.ready() ? "ready" : v.reason().wire());
    line.append(' ').append(v.families().stream().map(IpFamily::label).toList());
    if (!v.findings().isEmpty()) {
      line.append(' ')
          .append(
              v.findings().stream()
                  .map(
                      f -> f.reason().wire() + (f.family() == null ? "" : "/" + f.family().label()))
                  .collect(Collectors.joining(", ", "{", "}")));
    }
    if (!v.keyFingerprints().isEmpty()) {
      line.append(' ')
          .append(
              v.keyFingerprints().entrySet().stream()
                  .map(e -> e.getKey().label() + "=" + e.getValue())
                  .collect(Collectors.joining(", ", "key{", "}")));
    }
    if (v.tainted()) {
      line.append(' ')
          .append(
              v.taints().stream()
                  .map(t -> t.value() + ":" + t.effect())
                  .collect(Collectors.joining(", ", "taint{", "}")));
    }
    return line.toString();
  }

  /**
   * {@code ADD worker2 no-public-key:NoSchedule}, {@code UPDATE worker1 a:NoSchedule>b:NoSchedule};
   * several taints there now are comma-separated.
   */
  public static String render(TaintChange c) {
    String from =
        c.from().stream().map(t -> t.value() + ":" + t.effect()).collect(Collectors.joining(","));
    return switch (c.action()) {
      case ADD -> "ADD " + c.node() + " " + c.to().value() + ":" + c.to().effect();
      case REMOVE -> "REMOVE " + c.node() + " " + from;
      case UPDATE ->
          "UPDATE " + c.node() + " " + from + ">" + c.to().value() + ":" + c.to().effect();
    };
  }
}
