package io.wgguard.readiness;

import io.wgguard.Names;
import io.wgguard.felix.Felix;
import io.wgguard.felix.FelixObject;
import io.wgguard.felix.IpFamily;
import io.wgguard.readiness.NodeFacts.ModuleCondition;
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
final class Nodes {

  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  // The seed's real keys and interface addresses.
  static final String KEY_CONTROL1 = "gsxCZHLjKBjJozxRFiKjbMB3QtVTluQDmbvQVfANmXE=";
  static final String KEY_WORKER1 = "HmNsTyzg7TKvs/Fh0AmA0VEgtS+Ij6xBHqvzXO5VfmA=";
  static final String KEY_WORKER2 = "lDSws3G/G1KP76BGGRpVSXBnTt5N6FCqOodzTUUWs0I=";
  static final String ADDR_CONTROL1 = "10.48.115.87";
  static final String ADDR_WORKER1 = "10.48.127.254";
  static final String ADDR_WORKER2 = "10.48.116.146";
  // IPv6 keys for dual-stack cases (valid keys, made up).
  static final String KEY6_CONTROL1 = "PsK1gYLOwWtW7/h8r9BPOJe3+XNITUYquRaCxjhUbW0=";
  static final String KEY6_WORKER1 = "SCMwqelLA3+bk+ipsaTDZ3lgIHeJHYnl3L+hUX6uZ/o=";
  static final String ADDR6_CONTROL1 = "fd00:10:48:115::87";
  static final String ADDR6_WORKER1 = "fd00:10:48:127::254";

  static final String ZERO_KEY = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

  static final String WG = "config.projectcalico.org/WireguardEnabled";
  static final String MODULE_LABEL = "feature.node.kubernetes.io/kernel-module.wireguard";

  private Nodes() {}

  // Nodes.

  static NodeBuilder node(String name) {
    return new NodeBuilder(name);
  }

  static NodeBuilder control1() {
    return node("control1").key(KEY_CONTROL1).addr(ADDR_CONTROL1);
  }

  static NodeBuilder worker1() {
    return node("worker1").key(KEY_WORKER1).addr(ADDR_WORKER1);
  }

  static NodeBuilder worker2() {
    return node("worker2").key(KEY_WORKER2).addr(ADDR_WORKER2);
  }

  /** A node under construction. */
  static final class NodeBuilder {
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

    NodeBuilder key(String key) {
      return annotation(Names.PUBLIC_KEY_V4, key);
    }

    NodeBuilder keyV6(String key) {
      return annotation(Names.PUBLIC_KEY_V6, key);
    }

    NodeBuilder addr(String address) {
      return annotation(Names.INTERFACE_ADDR_V4, address);
    }

    NodeBuilder addrV6(String address) {
      return annotation(Names.INTERFACE_ADDR_V6, address);
    }

    NodeBuilder noKey() {
      annotations.remove(Names.PUBLIC_KEY_V4);
      return this;
    }

    NodeBuilder noAddr() {
      annotations.remove(Names.INTERFACE_ADDR_V4);
      return this;
    }

    NodeBuilder annotation(String key, String value) {
      annotations.put(key, value);
      return this;
    }

    NodeBuilder label(String key, String value) {
      labels.put(key, value);
      return this;
    }

    NodeBuilder exempt() {
      return label(Names.EXEMPT_LABEL, "true");
    }

    NodeBuilder windows() {
      return label("kubernetes.io/os", "windows");
    }

    NodeBuilder moduleLabel() {
      return label(MODULE_LABEL, "true");
    }

    /** Condition {@code WireGuardModuleReady} with this status, heartbeat {@code age} ago. */
    NodeBuilder condition(String status, Duration age) {
      condition = new ModuleCondition(status, NOW.minus(age), "", "");
      return this;
    }

    NodeBuilder condition(String status, Duration age, String reason, String message) {
      condition = new ModuleCondition(status, NOW.minus(age), reason, message);
      return this;
    }

    NodeBuilder conditionWithoutHeartbeat(String status) {
      condition = new ModuleCondition(status, null, "", "");
      return this;
    }

    NodeBuilder moduleReady() {
      return condition("True", Duration.ofSeconds(20));
    }

    NodeBuilder tainted(String value) {
      return tainted(value, "NoSchedule");
    }

    NodeBuilder tainted(String value, String effect) {
      taints.add(new Taint(value, effect));
      return this;
    }

    /**
     * The agent's tunnel summary read {@code age} ago from the device source, one device per family
     * given.
     */
    NodeBuilder tunnels(Duration age, Map<IpFamily, TunnelSummary.Device> devices) {
      return annotation(
          Names.TUNNELS_ANNOTATION, new TunnelSummary(NOW.minus(age), "device", devices).toJson());
    }

    /** A fresh IPv4 summary of this device. */
    NodeBuilder tunnel(TunnelSummary.Device device) {
      return tunnels(Duration.ofSeconds(10), Map.of(IpFamily.V4, device));
    }

    NodeFacts facts() {
      return new NodeFacts(name, labels, annotations, condition, taints);
    }
  }

  /** A present device {@code wireguard.cali} with this key and these peers, none stale. */
  static TunnelSummary.Device device(String key, String... peers) {
    return stale(key, List.of(), peers);
  }

  /** A present device whose handshakes with {@code stale} (key prefixes) are stale. */
  static TunnelSummary.Device stale(String key, List<String> stale, String... peers) {
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

  static List<NodeFacts> facts(NodeBuilder... nodes) {
    return Arrays.stream(nodes).map(NodeBuilder::facts).toList();
  }

  // FelixConfigurations.

  static List<FelixObject> felix(Felix... objects) {
    return Arrays.stream(objects).map(Felix::object).toList();
  }

  static Felix wgDefault() {
    return Felix.felix("default").wireguard(true);
  }

  static Felix wgDefaultV6() {
    return Felix.felix("default").wireguardV6(true);
  }

  static Felix wgDualStack() {
    return Felix.felix("default").wireguard(true).wireguardV6(true);
  }

  static Felix wgOff() {
    return Felix.felix("default").wireguard(false);
  }

  // Settings.

  static final ReadinessSettings DEFAULTS = ReadinessSettings.defaults();

  static ReadinessSettings sources(ModuleSource... sources) {
    return new ReadinessSettings(
        EqualitySelector.parse(ReadinessSettings.DEFAULT_EXEMPT_SELECTOR),
        sources.length == 0 ? EnumSet.noneOf(ModuleSource.class) : EnumSet.copyOf(List.of(sources)),
        MODULE_LABEL,
        Optional.of("true"),
        Duration.ofMinutes(2),
        TaintEffect.NO_SCHEDULE,
        0.5);
  }

  static ReadinessSettings exemptSelector(String selector) {
    return with(EqualitySelector.parse(selector), TaintEffect.NO_SCHEDULE, 0.5);
  }

  static ReadinessSettings effect(TaintEffect effect) {
    return with(DEFAULTS.exemptSelector(), effect, 0.5);
  }

  /** The defaults without the interface address as evidence (IPAM other than Calico's). */
  static ReadinessSettings withoutInterfaceAddress() {
    return new ReadinessSettings(
        DEFAULTS.exemptSelector(),
        DEFAULTS.moduleSources(),
        DEFAULTS.moduleLabel(),
        DEFAULTS.moduleLabelValue(),
        DEFAULTS.conditionMaxAge(),
        DEFAULTS.taintEffect(),
        DEFAULTS.brakeFraction(),
        false,
        DEFAULTS.tunnelEvidence());
  }

  static final ReadinessSettings ENFORCE_TUNNELS =
      DEFAULTS.withTunnelEvidence(TunnelEvidence.ENFORCE);

  static ReadinessSettings brake(double fraction) {
    return with(DEFAULTS.exemptSelector(), TaintEffect.NO_SCHEDULE, fraction);
  }

  private static ReadinessSettings with(
      EqualitySelector exempt, TaintEffect effect, double fraction) {
    return new ReadinessSettings(
        exempt,
        DEFAULTS.moduleSources(),
        DEFAULTS.moduleLabel(),
        DEFAULTS.moduleLabelValue(),
        DEFAULTS.conditionMaxAge(),
        effect,
        fraction);
  }

  // Renderings.

  /**
   * One line per verdict: {@code worker2 no-public-key [IPv4] {no-public-key/IPv4,
   * module-not-ready/IPv4} key{IPv4=gsxCZHLj…} taint{no-public-key:NoSchedule}}; empty parts left
   * out.
   */
  static String render(NodeVerdict v) {
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
  static String render(TaintChange c) {
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
