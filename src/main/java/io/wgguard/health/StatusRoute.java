package io.wgguard.health;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.vertx.http.ManagementInterface;
import io.wgguard.Names;
import io.wgguard.readiness.CheckerStatus;
import io.wgguard.readiness.CheckerView;
import io.wgguard.readiness.NodeRows;
import io.wgguard.readiness.NodeVerdict;
import io.wgguard.readiness.ReadinessSettings;
import io.wgguard.readiness.StandingOverride;
import io.wgguard.readiness.TaintPlan;
import io.wgguard.readiness.TunnelReport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /status} on the management port: the cluster posture and one row per node, as JSON.
 * Served from the last pass in memory; never calls the API server.
 */
@ApplicationScoped
public class StatusRoute {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final CheckerView reconciler;
  private final ReadinessSettings settings;

  public StatusRoute(CheckerView reconciler, ReadinessSettings settings) {
    this.reconciler = reconciler;
    this.settings = settings;
  }

  void register(@Observes ManagementInterface management) {
    management
        .router()
        .get("/status")
        .handler(
            ctx -> {
              NodeFilter filter;
              try {
                Map<String, List<String>> query = new HashMap<>();
                ctx.queryParams()
                    .forEach(
                        e ->
                            query
                                .computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                                .add(e.getValue()));
                filter = NodeFilter.parse(query);
              } catch (IllegalArgumentException e) {
                ctx.response()
                    .setStatusCode(400)
                    .putHeader("content-type", "text/plain; charset=utf-8")
                    .end(e.getMessage() + "\n");
                return;
              }
              ctx.response()
                  .putHeader("content-type", "application/json")
                  .end(document(filter).toPrettyString());
            });
  }

  /**
   * The status document: posture, counts, problems and pending changes for the whole cluster, and
   * the node rows {@code filter} lets through.
   */
  public ObjectNode document(NodeFilter filter) {
    ObjectNode root = JSON.createObjectNode();
    Optional<CheckerStatus> current = reconciler.status();
    if (current.isEmpty()) {
      root.put("posture", "UNKNOWN");
      root.put("reason", reconciler.synced() ? "no pass yet" : "caches not synced yet");
      root.putArray("nodes");
      return root;
    }
    CheckerStatus status = current.get();
    TaintPlan plan = status.plan();
    root.put("posture", plan.posture().name());
    root.put("summary", plan.summary());
    root.put("generatedAt", status.at().toString());
    root.put("felixApiVersion", status.felixApiVersion());
    ArrayNode families = root.putArray("clusterFamilies");
    plan.clusterFamilies().forEach(f -> families.add(f.label()));
    root.put("taintWriter", status.leader());
    root.put("dryRun", status.dryRun());
    root.put("brakeEngaged", plan.brakeEngaged());
    ObjectNode counts = root.putObject("counts");
    plan.counts().forEach((state, n) -> counts.put(Names.label(state), n));
    ArrayNode withheld = root.putArray("withheld");
    plan.withheld().forEach(withheld::add);
    ArrayNode problems = root.putArray("problems");
    if (status.felixApiVersion().isEmpty()) {
      problems.add(
          "no FelixConfiguration API is served (crd.projectcalico.org/v1 or projectcalico.org/v3):"
              + " is Calico installed? WireGuard counts as off");
    }
    plan.problems().forEach(problems::add);
    status
        .unreadable()
        .forEach((name, why) -> problems.add("FelixConfiguration " + name + ": " + why));
    ArrayNode overrides = root.putArray("overrides");
    for (StandingOverride o : status.overrides()) {
      ObjectNode row = overrides.addObject();
      row.put("object", o.object());
      row.put("ticket", o.ticket());
      row.put("expires", o.expires());
      row.put("state", o.stale() ? "stale" : "active");
      row.put("why", o.why());
    }
    ArrayNode changes = root.putArray("pendingChanges");
    plan.changes().forEach(c -> changes.add(c.describe()));
    TunnelReport tunnels = status.assessment().tunnels();
    NodeRows.tunnels(root.putObject("tunnels"), tunnels, settings.tunnelEvidence());
    ArrayNode nodes = root.putArray("nodes");
    for (NodeVerdict verdict : status.assessment().verdicts()) {
      if (filter.test(verdict)) {
        NodeRows.write(nodes.addObject(), verdict, tunnels);
      }
    }
    return root;
  }
}
