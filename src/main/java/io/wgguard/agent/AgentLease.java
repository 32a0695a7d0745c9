package io.wgguard.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wgguard.Json;
import io.wgguard.Names;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The agent's liveness: a {@code coordination.k8s.io/v1} Lease named {@link Names#agentLeaseName}
 * in wgguard's namespace, holder the node, renewed every {@code wgguard.agent.lease-interval}. The
 * checker takes a node whose Lease has expired ({@code renewTime + leaseDurationSeconds} past) for
 * an agent that is gone ({@code agent-silent}), which the Node alone, written only on change and
 * every few minutes, cannot tell in time.
 *
 * <p>A renewal is one PUT of the Lease last read, so that the API server checks its
 * resourceVersion; the Lease is read again only after a conflict (someone else wrote it) and
 * created when it does not exist. It is owned by the Node, so the garbage collector removes it with
 * the node.
 */
final class AgentLease {

  private final KubeApi api;
  private final String namespace;
  private final String node;
  private final String name;
  private final Duration duration;
  private JsonNode current;
  private long renewals;

  AgentLease(KubeApi api, String namespace, String node, Duration duration) {
    this.api = api;
    this.namespace = namespace;
    this.node = node;
    this.name = Names.agentLeaseName(node);
    this.duration = duration;
  }

  /** The Lease's name. */
  String name() {
    return name;
  }

  /** How many renewals (creations included) the API server accepted. */
  long renewals() {
    return renewals;
  }

  /**
   * Renews the Lease, creating it when absent.
   *
   * @param nodeUid the Node's uid, for the owner reference of a Lease created now; null when not
   *     known (no owner then)
   * @throws KubeApi.ApiException when the API server refuses it
   */
  void renew(String nodeUid, Instant now) {
    if (current == null) {
      current = read();
    }
    try {
      current =
          current == null
              ? api.post(collection(), created(namespace, node, nodeUid, duration, now))
              : api.put(item(), renewed(current, node, duration, now));
      renewals++;
    } catch (KubeApi.ApiException e) {
      // A conflict (the Lease was written by someone else, or deleted and made anew) or a Lease
      // deleted since: read it again in the next round, then renew.
      current = null;
      throw e;
    }
  }

  private JsonNode read() {
    try {
      return api.get(item());
    } catch (KubeApi.ApiException e) {
      if (e.status() == 404) {
        return null;
      }
      throw e;
    }
  }

  private String collection() {
    return "/apis/coordination.k8s.io/v1/namespaces/"
        + URLEncoder.encode(namespace, StandardCharsets.UTF_8)
        + "/leases";
  }

  private String item() {
    return collection() + "/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
  }

  /** A new Lease for {@code node}, renewed {@code now}, owned by its Node when the uid is known. */
  static String created(
      String namespace, String node, String nodeUid, Duration duration, Instant now) {
    ObjectNode lease = Json.object();
    lease.put("apiVersion", "coordination.k8s.io/v1");
    lease.put("kind", "Lease");
    ObjectNode metadata = lease.putObject("metadata");
    metadata.put("name", Names.agentLeaseName(node));
    metadata.put("namespace", namespace);
    metadata.putObject("labels").put(Names.AGENT_LEASE_LABEL, "true");
    if (nodeUid != null && !nodeUid.isEmpty()) {
      // No blockOwnerDeletion: that would need delete on nodes, which the agent has no need for.
      ObjectNode owner = metadata.putArray("ownerReferences").addObject();
      owner.put("apiVersion", "v1");
      owner.put("kind", "Node");
      owner.put("name", node);
      owner.put("uid", nodeUid);
    }
    spec(lease.putObject("spec"), node, duration, now);
    return Json.write(lease);
  }

  /** {@code current} renewed {@code now}: the same object and resourceVersion, a new spec. */
  static String renewed(JsonNode current, String node, Duration duration, Instant now) {
    ObjectNode lease = (ObjectNode) current.deepCopy();
    lease.remove("status");
    ObjectNode spec =
        lease.path("spec").isObject() ? (ObjectNode) lease.get("spec") : lease.putObject("spec");
    spec(spec, node, duration, now);
    return Json.write(lease);
  }

  private static void spec(ObjectNode spec, String node, Duration duration, Instant now) {
    spec.put("holderIdentity", node);
    spec.put("leaseDurationSeconds", Math.max(1, duration.toSeconds()));
    spec.put("renewTime", microTime(now));
  }

  /**
   * A MicroTime as the API server writes one ({@code 2026-12-02T07:00:00.123456Z}: six fraction
   * digits, UTC), built from {@link Instant#toString()} rather than a pattern formatter, which
   * would load locale data into every agent.
   */
  static String microTime(Instant now) {
    String seconds = now.truncatedTo(ChronoUnit.SECONDS).toString();
    String micros = String.valueOf(1_000_000 + now.getNano() / 1_000).substring(1);
    return seconds.substring(0, seconds.length() - 1) + "." + micros + "Z";
  }
}
