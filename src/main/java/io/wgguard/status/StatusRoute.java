package io.wgguard.status;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.wgguard.evidence.NodeVerdict;
import io.wgguard.pass.PassSettings;
import io.wgguard.tunnels.TunnelReport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * {@code GET /status} on the management port: the cluster posture and one row per node, as JSON.
 * Served from the last pass in memory; never calls the API server.
 *
 * <p>Off the event loop, streamed: kube-apiserver sends every admission call to a replica over one
 * connection, served by one event-loop thread that the management port shares. At 65,000 nodes the
 * document is 16.6 MB and took 5.7 s to build as one string on that thread, long enough to push
 * FelixConfiguration writes past the webhook timeout, which fail closed. So the document is written
 * on a worker thread, row by row, in chunks the client drains (back-pressure holds at most a few
 * chunks in memory), and {@code ?limit=&continue=} pages it (see {@link StatusQuery}).
 */
@ApplicationScoped
public class StatusRoute {

  private static final Logger LOG = Logger.getLogger(StatusRoute.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final CheckerView reconciler;
  private final PassSettings settings;

  public StatusRoute(CheckerView reconciler, PassSettings settings) {
    this.reconciler = reconciler;
    this.settings = settings;
  }

  void register(@Observes ManagementInterface management) {
    // ordered=false: concurrent requests each take a worker, none queues behind another.
    management.router().get("/status").blockingHandler(this::serve, false);
  }

  private void serve(RoutingContext ctx) {
    StatusQuery query;
    try {
      Map<String, List<String>> params = new HashMap<>();
      ctx.queryParams()
          .forEach(
              e -> params.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
      query = StatusQuery.parse(params);
    } catch (IllegalArgumentException e) {
      ctx.response()
          .setStatusCode(400)
          .putHeader("content-type", "text/plain; charset=utf-8")
          .end(e.getMessage() + "\n");
      return;
    }
    HttpServerResponse response = ctx.response();
    response.setChunked(true).putHeader("content-type", "application/json");
    try (ChunkedResponseStream out = new ChunkedResponseStream(response)) {
      JsonGenerator json = JSON.getFactory().createGenerator(out);
      json.useDefaultPrettyPrinter();
      write(query, json);
      json.close();
    } catch (IOException | RuntimeException e) {
      // Mostly a client that went away mid-document; the headers are out, so no status to change.
      LOG.debugf("GET /status not completed: %s", e.getMessage());
      if (!response.closed()) {
        response.reset();
      }
      return;
    }
    response.end();
  }

  /**
   * Writes the status document: posture, counts, problems and pending changes for the whole
   * cluster, the next page's {@code continue} token when there are more rows, and the node rows of
   * the page {@code query} asks for, one at a time.
   */
  public void write(StatusQuery query, JsonGenerator json) throws IOException {
    json.writeStartObject();
    Optional<CheckerStatus> current = reconciler.status();
    if (current.isEmpty()) {
      json.writeStringField("posture", "UNKNOWN");
      json.writeStringField(
          "reason", reconciler.synced() ? "no pass yet" : "caches not synced yet");
      json.writeArrayFieldStart("nodes");
      json.writeEndArray();
      json.writeEndObject();
      return;
    }
    CheckerStatus status = current.get();
    ObjectNode root = JSON.createObjectNode();
    root.put("posture", status.plan().posture().name());
    root.put("summary", status.plan().summary());
    root.put("generatedAt", status.at().toString());
    root.put("taintWriter", status.leader());
    root.put("dryRun", status.dryRun());
    StatusDocument.write(root, status, settings.tunnelEvidence());
    TunnelReport tunnels = status.assessment().tunnels();
    StatusQuery.Page page = query.page(status.assessment().verdicts());
    if (page.next().isPresent()) {
      root.put("continue", page.next().get());
    }
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      json.writeFieldName(field.getKey());
      json.writeTree(field.getValue());
    }
    json.writeArrayFieldStart("nodes");
    for (NodeVerdict verdict : page.rows()) {
      ObjectNode row = NodeRows.write(JSON.createObjectNode(), verdict, tunnels);
      NodeRows.agent(
          row,
          verdict.name(),
          status.lease(verdict.name()).orElse(null),
          status.summaryAt(verdict.name()).orElse(null),
          status.at());
      json.writeTree(row);
    }
    json.writeEndArray();
    json.writeEndObject();
  }
}
