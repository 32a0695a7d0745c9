package io.wgguard.agent;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.wgguard.Names;
import io.wgguard.config.WgguardConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the node condition {@code WireGuardModuleReady} current from what the host shows. Writes
 * through {@code nodes/status} with a strategic merge patch keyed on the condition type, so the
 * kubelet's conditions are never touched, and only on a change or when the heartbeat is due.
 */
public final class NodeAgent {

  /** Interface name Felix uses when FelixConfiguration does not set one. */
  public static final String DEFAULT_INTERFACE = "wireguard.cali";

  private static final Duration INTERFACE_REFRESH = Duration.ofMinutes(5);

  private final KubernetesClient client;
  private final WgguardConfig.Agent config;
  private final String node;
  private final Clock clock;
  private final PrintStream log;
  private final CountDownLatch stop = new CountDownLatch(1);
  private volatile Instant lastSuccess = Instant.EPOCH;
  private String iface;
  private Instant ifaceReadAt = Instant.EPOCH;

  public NodeAgent(
      KubernetesClient client,
      WgguardConfig.Agent config,
      String node,
      Clock clock,
      PrintStream log) {
    this.client = client;
    this.config = config;
    this.node = node;
    this.clock = clock;
    this.log = log;
  }

  /** Runs until {@link #stop()}. */
  public void run() throws InterruptedException {
    HttpServer health = startHealth();
    try {
      do {
        once();
      } while (!stop.await(config.interval().toMillis(), TimeUnit.MILLISECONDS));
    } finally {
      if (health != null) {
        health.stop(0);
      }
    }
  }

  /** Ends {@link #run()}. */
  public void stop() {
    stop.countDown();
  }

  /** One probe-and-write round; returns what was written, if anything. */
  public Optional<ConditionPlanner.Condition> once() {
    try {
      String name = interfaceName();
      ModuleProbe.Result probe = ModuleProbe.probe(Path.of(config.hostRoot()), name);
      Node current = client.nodes().withName(node).get();
      if (current == null) {
        log.printf("agent: node %s not found%n", node);
        return Optional.empty();
      }
      Optional<ConditionPlanner.Condition> next =
          ConditionPlanner.next(condition(current), probe, clock.instant(), config.heartbeat());
      if (next.isPresent()) {
        write(next.get());
        ConditionPlanner.Condition before = condition(current);
        if (before == null
            || !before.status().equals(next.get().status())
            || !before.reason().equals(next.get().reason())) {
          log.printf(
              "agent: node %s %s=%s (%s): %s%n",
              node,
              Names.MODULE_READY_CONDITION,
              next.get().status(),
              next.get().reason(),
              next.get().message());
        }
      }
      lastSuccess = clock.instant();
      return next;
    } catch (KubernetesClientException e) {
      log.printf("agent: cannot update node %s: %s%n", node, e.getMessage());
      return Optional.empty();
    }
  }

  private void write(ConditionPlanner.Condition c) {
    String patch =
        "{\"status\":{\"conditions\":[{"
            + "\"type\":\""
            + Names.MODULE_READY_CONDITION
            + "\","
            + "\"status\":\""
            + c.status()
            + "\","
            + "\"reason\":\""
            + c.reason()
            + "\","
            + "\"message\":"
            + json(c.message())
            + ","
            + "\"lastHeartbeatTime\":\""
            + c.lastHeartbeatTime().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
            + "\","
            + "\"lastTransitionTime\":\""
            + c.lastTransitionTime().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
            + "\""
            + "}]}}";
    client
        .nodes()
        .withName(node)
        .subresource("status")
        .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch);
  }

  private static ConditionPlanner.Condition condition(Node node) {
    if (node.getStatus() == null || node.getStatus().getConditions() == null) {
      return null;
    }
    for (NodeCondition c : node.getStatus().getConditions()) {
      if (Names.MODULE_READY_CONDITION.equals(c.getType())) {
        return new ConditionPlanner.Condition(
            c.getStatus() == null ? "" : c.getStatus(),
            c.getReason() == null ? "" : c.getReason(),
            c.getMessage() == null ? "" : c.getMessage(),
            instant(c.getLastHeartbeatTime()),
            instant(c.getLastTransitionTime()));
      }
    }
    return null;
  }

  // The interface name Felix uses: node.<name> over default, else Felix's default.
  private String interfaceName() {
    if (config.interfaceName().isPresent()) {
      return config.interfaceName().get();
    }
    Instant now = clock.instant();
    if (iface != null && now.isBefore(ifaceReadAt.plus(INTERFACE_REFRESH))) {
      return iface;
    }
    String found = DEFAULT_INTERFACE;
    for (String name : new String[] {Names.FELIX_DEFAULT, Names.FELIX_NODE_PREFIX + node}) {
      try {
        GenericKubernetesResource felix =
            client
                .genericKubernetesResources(Names.CALICO_CRD_GROUP + "/v1", Names.FELIX_KIND)
                .withName(name)
                .get();
        Object spec = felix == null ? null : felix.getAdditionalProperties().get("spec");
        if (spec instanceof Map<?, ?> map
            && map.get("wireguardInterfaceName") instanceof String s
            && !s.isBlank()) {
          found = s;
        }
      } catch (KubernetesClientException e) {
        // Not allowed or not served: Felix's default name is the best guess.
      }
    }
    iface = found;
    ifaceReadAt = now;
    return found;
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

  private static String json(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char ch : text.toCharArray()) {
      switch (ch) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (ch < 0x20) {
            out.append(String.format("\\u%04x", (int) ch));
          } else {
            out.append(ch);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
