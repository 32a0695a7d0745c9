package io.wgguard.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.wgguard.Json;
import io.wgguard.Names;
import io.wgguard.config.TunnelSource;
import io.wgguard.config.WgguardConfig;
import io.wgguard.felix.CalicoNodeLabels;
import io.wgguard.felix.EffectiveWireguard;
import io.wgguard.felix.FelixObject;
import io.wgguard.felix.FelixObjects;
import io.wgguard.felix.IpFamily;
import io.wgguard.tunnels.summary.TunnelSummary;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the node condition {@code WireGuardModuleReady} and the annotation {@code
 * wgguard.io/tunnels} of its node current from what the host shows, and its Lease renewed.
 *
 * <p>It watches its own Node (field selector {@code metadata.name}) and the FelixConfigurations
 * instead of reading them every round: at 65,000 nodes a GET per node every 10 s is 6,500 requests
 * a second, an idle watch is none. The host (/sys, {@code wg}) is re-read every {@code interval};
 * the Node is written only when {@link WritePlanner} says so (a change, or the forced report every
 * {@code report-interval} plus jitter), in one strategic merge patch through {@code nodes/status}
 * that names only the condition type and the annotation key, so the kubelet's conditions and
 * everyone else's annotations are never touched. Liveness is the Lease ({@link AgentLease}),
 * renewed every {@code lease-interval}: a small object only wgguard's checker watches, where a Node
 * write goes to every Node watcher of the cluster.
 */
public final class NodeAgent {

  private final KubeApi api;
  private final WgguardConfig.Agent config;
  private final String node;
  private final Clock clock;
  private final PrintStream log;
  private final TunnelReader tunnels;
  private final IpReader ip;
  private final Watcher nodeWatch;
  private final Watcher felixWatch;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final WritePlanner.Cadence cadence;
  private final AgentLease lease;
  private Instant pendingSince;
  private Instant nextRenewal = Instant.EPOCH;
  private final TrafficBaseline baseline = new TrafficBaseline();
  private volatile Instant lastSuccess = Instant.EPOCH;
  private String lastProblem = "";
  private boolean troubled;
  private long writes;

  /**
   * An agent for {@code node}.
   *
   * @param leaseNamespace where its Lease is renewed (wgguard's namespace)
   * @throws IllegalArgumentException when the settings do not fit together or the node name is not
   *     one
   */
  public NodeAgent(
      KubeApi api,
      WgguardConfig.Agent config,
      String node,
      String leaseNamespace,
      Clock clock,
      PrintStream log) {
    this.cadence =
        new WritePlanner.Cadence(
            config.reportInterval(), config.reportJitter(), config.changeSpread());
    if (config.leaseInterval().isNegative()
        || config.leaseInterval().isZero()
        || config.leaseDuration().compareTo(config.leaseInterval().multipliedBy(2)) < 0) {
      throw new IllegalArgumentException(
          ("the lease duration (%s) must be at least twice the lease interval (%s), so that one"
                  + " late renewal does not make the agent look gone")
              .formatted(config.leaseDuration(), config.leaseInterval()));
    }
    this.lease = new AgentLease(api, leaseNamespace, node, config.leaseDuration());
    this.api = api;
    this.config = config;
    this.node = node;
    this.clock = clock;
    this.log = log;
    this.tunnels =
        new TunnelReader(config.tunnelSource(), config.wgCommand(), config.felixMetricsUrl());
    this.ip = new IpReader(config.ipCommand());
    this.nodeWatch =
        new Watcher(api, "/api/v1/nodes", "metadata.name=" + node, "node " + node, log);
    this.felixWatch =
        new Watcher(
            api,
            "/apis/" + Names.CALICO_CRD_GROUP + "/v1/felixconfigurations",
            "",
            "FelixConfigurations",
            log);
  }

  /** Runs until {@link #stop()}. */
  public void run() throws InterruptedException {
    HttpServer health = startHealth();
    nodeWatch.start();
    felixWatch.start();
    try {
      Instant nextRound = clock.instant();
      while (true) {
        Instant now = clock.instant();
        if (!now.isBefore(nextRound)) {
          once();
          nextRound = clock.instant().plus(config.interval());
        }
        renewLease();
        Instant wake = nextRound.isBefore(nextRenewal) ? nextRound : nextRenewal;
        long wait = Math.max(1, Duration.between(clock.instant(), wake).toMillis());
        if (stop.await(wait, TimeUnit.MILLISECONDS)) {
          break;
        }
      }
    } finally {
      nodeWatch.stop();
      felixWatch.stop();
      if (health != null) {
        health.stop(0);
      }
    }
  }

  /** Ends {@link #run()}. */
  public void stop() {
    stop.countDown();
  }

  /** How many patches this agent has sent. */
  public long writes() {
    return writes;
  }

  /** How many Lease renewals the API server accepted. */
  public long renewals() {
    return lease.renewals();
  }

  /**
   * Renews the Lease when due. Not before the Node was read: the Lease names the Node as its owner.
   * A refused renewal is retried in a tenth of the lease interval, not at once, so that an API
   * server under load is not pressed further.
   */
  void renewLease() {
    Instant now = clock.instant();
    if (now.isBefore(nextRenewal)) {
      return;
    }
    JsonNode current = nodeWatch.objects().get(node);
    if (current == null) {
      nextRenewal = now.plus(config.interval());
      return;
    }
    try {
      lease.renew(current.path("metadata").path("uid").asText(""), now);
      nextRenewal = now.plus(config.leaseInterval());
    } catch (KubeApi.ApiException e) {
      problem("cannot renew Lease " + lease.name() + ": " + e.getMessage());
      nextRenewal = now.plus(config.leaseInterval().dividedBy(10));
    }
  }

  /** One read-the-host-and-write-on-change round. */
  void once() {
    troubled = false;
    round();
    if (!troubled) {
      // Log the next problem again even if it is the same as the last one.
      lastProblem = "";
    }
  }

  private void round() {
    JsonNode current = nodeWatch.objects().get(node);
    if (!nodeWatch.synced() || current == null) {
      problem(
          nodeWatch.synced() ? "node " + node + " not found" : "node " + node + " not read yet");
      return;
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Map<IpFamily, String> ifaces = interfaces(current);
    List<String> probed =
        ifaces.isEmpty() ? List.of(v4Interface(List.of())) : new ArrayList<>(ifaces.values());
    ModuleProbe.Result probe = ModuleProbe.probe(Path.of(config.hostRoot()), probed);
    ConditionPlanner.Condition before = condition(current);
    TunnelSummary fresh = felixWatch.synced() ? summary(ifaces, now) : null;
    WritePlanner.Plan plan =
        WritePlanner.plan(
            new WritePlanner.Round(node, before, annotation(current), probe, fresh, pendingSince),
            now,
            cadence);
    Instant pendingBefore = pendingSince;
    pendingSince = plan.pendingSince();
    if (plan.write().isEmpty()) {
      lastSuccess = clock.instant();
      return;
    }
    // One write carries both, so that an idle node costs one write per report, not two.
    ConditionPlanner.Condition c = ConditionPlanner.next(before, probe, now, Duration.ZERO).get();
    try {
      JsonNode written =
          api.patch(
              "/api/v1/nodes/" + URLEncoder.encode(node, StandardCharsets.UTF_8) + "/status",
              "application/strategic-merge-patch+json",
              patch(c, fresh));
      writes++;
      nodeWatch.put(written);
      lastSuccess = clock.instant();
      if (before == null
          || !before.status().equals(c.status())
          || !before.reason().equals(c.reason())) {
        log.printf(
            "agent: node %s %s=%s (%s): %s%n",
            node, Names.MODULE_READY_CONDITION, c.status(), c.reason(), c.message());
      }
    } catch (KubeApi.ApiException e) {
      // Not written: a pending peer change keeps its place in the spread.
      pendingSince = pendingBefore;
      problem("cannot update node " + node + ": " + e.getMessage());
    }
  }

  // Interface per family WireGuard is on for on this node, from the effective FelixConfiguration.
  private Map<IpFamily, String> interfaces(JsonNode current) {
    Map<IpFamily, String> ifaces = new EnumMap<>(IpFamily.class);
    if (!felixWatch.synced()) {
      return ifaces;
    }
    Map<String, JsonNode> json = felixWatch.objects();
    List<FelixObject> objects = new ArrayList<>();
    for (JsonNode object : json.values()) {
      try {
        objects.add(FelixObjects.read(object));
      } catch (IllegalArgumentException e) {
        // Felix skips what it cannot read as well.
      }
    }
    EffectiveWireguard effective =
        EffectiveWireguard.of(objects, EffectiveWireguard.Environment.NONE);
    Map<String, String> labels = labels(current);
    List<String> precedence = effective.precedence(node, labels);
    for (var setting : effective.forNode(node, labels).entrySet()) {
      if (!setting.getValue().enabled()) {
        continue;
      }
      IpFamily family = setting.getKey();
      String name =
          family == IpFamily.V4
              ? v4Interface(precedence.stream().map(json::get).toList())
              : precedence.stream()
                  .map(json::get)
                  .map(o -> FelixObjects.interfaceName(o, family))
                  .flatMap(Optional::stream)
                  .findFirst()
                  .orElse(FelixObjects.DEFAULT_INTERFACE_V6);
      ifaces.put(family, name);
    }
    return ifaces;
  }

  private String v4Interface(List<JsonNode> precedence) {
    if (config.interfaceName().isPresent()) {
      return config.interfaceName().get();
    }
    return precedence.stream()
        .map(o -> FelixObjects.interfaceName(o, IpFamily.V4))
        .flatMap(Optional::stream)
        .findFirst()
        .orElse(FelixObjects.DEFAULT_INTERFACE_V4);
  }

  private TunnelSummary summary(Map<IpFamily, String> ifaces, Instant now) {
    if (tunnels.source() == TunnelSource.NONE) {
      return null;
    }
    Map<String, WgDevice> read;
    try {
      read = tunnels.read(ifaces.values());
    } catch (IllegalStateException | IllegalArgumentException e) {
      problem("cannot read WireGuard devices: " + e.getMessage());
      return null;
    }
    Map<IpFamily, TunnelSummary.Device> devices = new LinkedHashMap<>();
    for (var entry : ifaces.entrySet()) {
      String iface = entry.getValue();
      WgDevice device = read.get(iface);
      TunnelSummary.Device summarised =
          TunnelPlanner.device(iface, device, baseline.baseline(iface, now), now);
      if (device != null && tunnels.source() == TunnelSource.DEVICE) {
        try {
          summarised = summarised.withPath(ip.path(entry.getKey(), device));
        } catch (IllegalStateException | IllegalArgumentException e) {
          problem("cannot read the path into WireGuard device " + iface + ": " + e.getMessage());
          return null;
        }
      }
      devices.put(entry.getKey(), summarised);
    }
    for (String iface : ifaces.values()) {
      baseline.record(iface, read.get(iface), now);
    }
    return new TunnelSummary(now, tunnels.source().label(), devices);
  }

  private String patch(ConditionPlanner.Condition c, TunnelSummary summary) {
    ObjectNode root = Json.object();
    if (summary != null) {
      root.putObject("metadata")
          .putObject("annotations")
          .put(Names.TUNNELS_ANNOTATION, summary.toJson());
    }
    ObjectNode condition = root.putObject("status").putArray("conditions").addObject();
    condition.put("type", Names.MODULE_READY_CONDITION);
    condition.put("status", c.status());
    condition.put("reason", c.reason());
    condition.put("message", c.message());
    condition.put(
        "lastHeartbeatTime", c.lastHeartbeatTime().truncatedTo(ChronoUnit.SECONDS).toString());
    condition.put(
        "lastTransitionTime", c.lastTransitionTime().truncatedTo(ChronoUnit.SECONDS).toString());
    return Json.write(root);
  }

  private void problem(String problem) {
    troubled = true;
    if (!problem.equals(lastProblem)) {
      log.println("agent: " + problem);
      lastProblem = problem;
    }
  }

  /** The labels Felix matches selectors against: Calico's node labels under the node's own. */
  private static Map<String, String> labels(JsonNode node) {
    Map<String, String> labels = new HashMap<>();
    node.path("metadata")
        .path("labels")
        .fields()
        .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    JsonNode calico = node.path("metadata").path("annotations").get(CalicoNodeLabels.ANNOTATION);
    return calico == null || !calico.isTextual()
        ? labels
        : CalicoNodeLabels.of(labels, Map.of(CalicoNodeLabels.ANNOTATION, calico.asText()));
  }

  private static String annotation(JsonNode node) {
    JsonNode value = node.path("metadata").path("annotations").get(Names.TUNNELS_ANNOTATION);
    return value == null || !value.isTextual() ? null : value.asText();
  }

  private static ConditionPlanner.Condition condition(JsonNode node) {
    for (JsonNode c : node.path("status").path("conditions")) {
      if (Names.MODULE_READY_CONDITION.equals(c.path("type").asText())) {
        return new ConditionPlanner.Condition(
            c.path("status").asText(""),
            c.path("reason").asText(""),
            c.path("message").asText(""),
            instant(c.path("lastHeartbeatTime").asText("")),
            instant(c.path("lastTransitionTime").asText("")));
      }
    }
    return null;
  }

  private HttpServer startHealth() {
    if (config.healthPort() == 0) {
      return null;
    }
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(config.healthPort()), 0);
      server.createContext(
          "/healthz",
          exchange -> {
            boolean fresh =
                lastSuccess.isAfter(clock.instant().minus(config.interval().multipliedBy(3)));
            byte[] body =
                (fresh ? "ok\n" : "no successful round recently\n")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(fresh ? 200 : 503, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
          });
      server.start();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot serve /healthz on port " + config.healthPort() + ": " + e.getMessage(), e);
    }
  }

  private static Instant instant(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
