package io.wgguard.it;

import static io.wgguard.it.SeedNodes.KEY_ANNOTATION;
import static io.wgguard.it.SeedNodes.annotate;
import static io.wgguard.it.SeedNodes.label;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.wgguard.it.KubeCluster.Result;
import io.wgguard.it.KubeCluster.User;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node cannot exempt itself: on an API server with the Node authorizer and the NodeRestriction
 * admission plugin, as real clusters run, worker2's kubelet identity ({@code system:node:worker2},
 * group {@code system:nodes}) writes the labels it may on its own keyless Node, and the node stays
 * not ready; the exemption label is refused to it by the API server, and granted by an admin.
 */
class ExemptionIT {

  static final Duration GENEROUS = Duration.ofSeconds(60);
  static final String EXEMPT = "node-restriction.kubernetes.io/wgguard-exempt";

  static KubeCluster cluster;
  static WgguardProcess wgguard;

  @BeforeAll
  static void start() throws IOException {
    cluster = KubeCluster.startWithNodeRestriction();
    wgguard =
        WgguardProcess.start(
            "exemption-it",
            cluster.kubeconfig(User.ADMIN),
            Map.of("wgguard.checker.interval", "2s"));
  }

  @AfterAll
  static void stop() {
    KubeCluster.closeAll(wgguard, cluster);
  }

  @BeforeEach
  void worker2HasNoKey() {
    annotate(cluster.admin(), "worker2", KEY_ANNOTATION, null);
    KubeCluster.await(
        GENEROUS,
        "worker2 not ready",
        () -> "no-public-key".equals(wgguard.statusRow("worker2").path("reason").asText()));
  }

  @AfterEach
  void putBack() {
    for (String key : new String[] {EXEMPT, "wgguard.io/exempt"}) {
      label(cluster.admin(), "worker2", key, null);
    }
    label(cluster.admin(), "worker2", "kubernetes.io/os", "linux");
  }

  @Test
  void theNodesOwnIdentityCannotExemptItsKeylessNode() {
    // What NodeRestriction lets a kubelet set on its own Node: accepted by the API server...
    Result claim = asNode("label", "node", "worker2", "wgguard.io/exempt=true", "--overwrite");
    assertThat(claim.exitCode()).as(claim.toString()).isZero();
    Result windows = asNode("label", "node", "worker2", "kubernetes.io/os=windows", "--overwrite");
    assertThat(windows.exitCode()).as(windows.toString()).isZero();

    // ...but no exemption: the row says why, the node stays not ready.
    KubeCluster.await(
        GENEROUS,
        "the refused claim in /status",
        () -> wgguard.statusRow("worker2").path("exemption").asText().contains("not honoured"));
    JsonNode row = wgguard.statusRow("worker2");
    assertThat(row.path("exempt").asBoolean()).isFalse();
    assertThat(row.path("ready").asBoolean()).isFalse();
    assertThat(row.path("exemption").asText())
        .isEqualTo(
            "label wgguard.io/exempt=true is not honoured: the node's own kubelet may set it; an"
                + " admin labels the node node-restriction.kubernetes.io/wgguard-exempt=true,"
                + " which the NodeRestriction admission plugin keeps from kubelets");
    assertThat(metric("wgguard_exempt_nodes{granted_by=\"refused\"}")).isEqualTo(1);

    // The label that exempts is refused to the node by the API server itself.
    Result exempt = asNode("label", "node", "worker2", EXEMPT + "=true");
    assertThat(exempt.exitCode()).as(exempt.toString()).isNotZero();
    assertThat(exempt.stderr()).contains("node-restriction.kubernetes.io");
    assertThat(cluster.admin().nodes().withName("worker2").get().getMetadata().getLabels())
        .doesNotContainKey(EXEMPT);
  }

  @Test
  void anAdminExemptsTheNodeAndEveryChannelSaysWhatGrantsIt() {
    Result exempt = cluster.kubectl(User.ADMIN, "label", "node", "worker2", EXEMPT + "=true");
    assertThat(exempt.exitCode()).as(exempt.toString()).isZero();

    KubeCluster.await(
        GENEROUS, "worker2 exempt", () -> wgguard.statusRow("worker2").path("exempt").asBoolean());
    assertThat(wgguard.statusRow("worker2").path("exemption").asText())
        .isEqualTo("label node-restriction.kubernetes.io/wgguard-exempt=true");
    KubeCluster.await(
        GENEROUS,
        "the exemption counted",
        () -> metric("wgguard_exempt_nodes{granted_by=\"label\"}") == 1);
  }

  static Result asNode(String... args) {
    return cluster.kubectl(User.NODE_WORKER2, args);
  }

  static double metric(String series) {
    String body = wgguard.get("/q/metrics").body();
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(body);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
