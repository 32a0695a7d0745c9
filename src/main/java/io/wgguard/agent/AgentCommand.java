package io.wgguard.agent;

import io.wgguard.config.WgguardConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code agent}: runs the node agent without booting the service. Settings are the same {@code
 * wgguard.agent.*} properties, from system properties and environment variables. The DaemonSet
 * starts it through {@link AgentMain}, which loads no Quarkus runtime; {@code wgguard agent} runs
 * the same code.
 */
public final class AgentCommand {

  private AgentCommand() {}

  private static String serviceAccountNamespace() {
    Path file = KubeApi.SERVICE_ACCOUNT.resolve("namespace");
    try {
      return Files.isReadable(file) ? Files.readString(file) : null;
    } catch (java.io.IOException e) {
      return null;
    }
  }

  /** Runs the agent until the process is stopped; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length > 1) {
      err.println("wgguard agent: takes no arguments; configure it with WGGUARD_AGENT_* variables");
      return 2;
    }
    WgguardConfig.Agent config;
    try {
      Map<String, String> properties = new HashMap<>();
      System.getProperties().forEach((k, v) -> properties.put(k.toString(), v.toString()));
      config = AgentSettings.read(System.getenv(), properties);
      for (String unread : AgentSettings.unread(System.getenv(), properties)) {
        err.println("wgguard agent: " + unread);
      }
    } catch (IllegalArgumentException e) {
      err.println("wgguard agent: bad configuration: " + e.getMessage());
      return 2;
    }
    String node = config.nodeName().orElse(System.getenv("NODE_NAME"));
    if (node == null || node.isBlank()) {
      err.println("wgguard agent: no node name: set NODE_NAME (from the pod's spec.nodeName)");
      return 2;
    }
    if (!Files.isDirectory(Path.of(config.hostRoot()))) {
      err.println("wgguard agent: host root " + config.hostRoot() + " is not a directory");
      return 2;
    }
    String namespace = config.leaseNamespace().orElseGet(AgentCommand::serviceAccountNamespace);
    if (namespace == null || namespace.isBlank()) {
      err.println(
          "wgguard agent: no namespace for the agent's Lease: set WGGUARD_AGENT_LEASE_NAMESPACE"
              + " (the pod's service account namespace is read from "
              + KubeApi.SERVICE_ACCOUNT.resolve("namespace")
              + " when mounted)");
      return 2;
    }
    NodeAgent agent;
    try {
      agent =
          new NodeAgent(
              KubeApi.fromEnvironment(System.getenv()),
              config,
              node,
              namespace.strip(),
              Clock.systemUTC(),
              out);
    } catch (IllegalArgumentException e) {
      err.println("wgguard agent: bad configuration: " + e.getMessage());
      return 2;
    } catch (IllegalStateException e) {
      err.println("wgguard agent: " + e.getMessage());
      return 1;
    }
    try {
      Runtime.getRuntime().addShutdownHook(new Thread(agent::stop));
      out.printf(
          "agent: watching WireGuard on node %s (host root %s, every %s, tunnels from %s); Lease"
              + " %s/%s every %s; Node written on change and every %s (+ up to %s)%n",
          node,
          config.hostRoot(),
          config.interval(),
          config.tunnelSource().label(),
          namespace.strip(),
          io.wgguard.Names.agentLeaseName(node),
          config.leaseInterval(),
          config.reportInterval(),
          config.reportJitter());
      agent.run();
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    } catch (RuntimeException e) {
      err.println("wgguard agent: " + e.getMessage());
      return 1;
    }
  }
}
