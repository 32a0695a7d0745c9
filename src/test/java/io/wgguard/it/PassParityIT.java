package io.wgguard.it;

import static io.wgguard.it.SeedNodes.KEY_ANNOTATION;
import static io.wgguard.it.SeedNodes.annotate;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.wgguard.it.KubeCluster.Result;
import io.wgguard.it.KubeCluster.User;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The live checker and the offline {@code audit} on the same cluster: the real API server's
 * objects, read back with kubectl, give the same posture, verdicts, taint plan, standing overrides
 * and findings. Both run {@code io.wgguard.pass.CheckerPass}, and both documents are written by
 * {@code io.wgguard.status.StatusDocument}; this test fails when either stops doing so.
 */
class PassParityIT {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration SOON = Duration.ofSeconds(90);

  /** The fields both documents carry about the cluster, whose values must be equal. */
  static final List<String> CLUSTER_FIELDS =
      List.of(
          "posture",
          "summary",
          "felixApiVersion",
          "clusterFamilies",
          "brakeEngaged",
          "counts",
          "withheld",
          "problems",
          "overrides",
          "faults",
          "heldRemovals",
          "pendingChanges",
          "tunnels");

  static KubeCluster cluster;
  static KubernetesClient client;
  static WgguardProcess wgguard;

  @BeforeAll
  static void start() throws Exception {
    cluster = KubeCluster.startSeedCluster();
    client = cluster.admin();
    // Dry-run: the checker plans but writes no taint, so the dump read afterwards is the cluster
    // the live pass saw.
    wgguard =
        WgguardProcess.start(
            "pass-parity-it",
            cluster.kubeconfig(User.ADMIN),
            Map.of("wgguard.checker.dry-run", "true", "wgguard.checker.interval", "5s"));
  }

  @AfterAll
  static void stop() {
    KubeCluster.closeAll(wgguard, cluster);
  }

  @Test
  void theLiveCheckerAndAuditAnswerAlikeOnTheSameCluster() throws Exception {
    // A node without its key (a taint to plan), a standing override in force (worker1 off under
    // a ticket; no webhook is registered here), one gone stale.
    annotate(client, "worker2", KEY_ANNOTATION, null);
    String inAnHour = Instant.now().plus(Duration.ofHours(1)).toString();
    apply(
        """
        apiVersion: crd.projectcalico.org/v1
        kind: FelixConfiguration
        metadata:
          name: node.worker1
          labels: {wgguard.io/override: CHG-2001}
          annotations: {wgguard.io/override-expires: "%s"}
        spec: {wireguardEnabled: false}
        """
            .formatted(inAnHour));
    apply(
        """
        apiVersion: crd.projectcalico.org/v1
        kind: FelixConfiguration
        metadata:
          name: node.control1
          labels: {wgguard.io/override: CHG-1999}
          annotations: {wgguard.io/override-expires: "2020-01-01T00:00:00Z"}
        spec: {}
        """);
    KubeCluster.await(
        SOON,
        "/status to show worker2 not ready and both overrides",
        () -> {
          JsonNode status = wgguard.status();
          return "NODES_NOT_READY".equals(status.path("posture").asText())
              && status.path("overrides").size() == 2
              && status.path("pendingChanges").size() == 1;
        });

    JsonNode live = wgguard.status();
    Path dump = cluster.dir().resolve("pass-parity-dump.json");
    Result get =
        cluster.kubectl(
            User.ADMIN, "get", "nodes,felixconfigurations.crd.projectcalico.org", "-o", "json");
    assertThat(get.exitCode()).as(get.stderr()).isZero();
    Files.writeString(dump, get.stdout());
    JsonNode audit = audit(dump);

    for (String field : CLUSTER_FIELDS) {
      assertThat(audit.path(field)).as("audit's %s", field).isEqualTo(live.path(field));
    }
    assertThat(rows(audit)).isEqualTo(rows(live));
    assertThat(live.path("pendingChanges").get(0).asText())
        .isEqualTo("add wgguard.io/wireguard-not-ready=no-public-key:NoSchedule to worker2");
    assertThat(live.path("overrides").findValuesAsText("state"))
        .containsExactlyInAnyOrder("active", "stale");
  }

  /** The node rows, without what only audit adds (the interface addresses it read). */
  static ArrayNode rows(JsonNode document) {
    ArrayNode rows = JSON.createArrayNode();
    for (JsonNode row : document.path("nodes")) {
      ObjectNode copy = row.deepCopy();
      copy.remove("interfaceAddresses");
      rows.add(copy);
    }
    return rows;
  }

  static void apply(String yaml) {
    Result applied = cluster.kubectlWithInput(User.ADMIN, yaml, "apply", "-f", "-");
    assertThat(applied.exitCode()).as(applied.stderr()).isZero();
  }

  /** {@code audit -o json} of the packaged jar, with the service's settings. */
  static JsonNode audit(Path dump) throws IOException, InterruptedException {
    Path jar = Path.of(System.getProperty("wgguard.jar", "target/quarkus-app/quarkus-run.jar"));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-jar", jar.toString(), "audit", "-o", "json", dump.toString()));
    Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
    byte[] out = process.getInputStream().readAllBytes();
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("audit finished").isTrue();
    assertThat(process.exitValue())
        .as("audit's exit status (1: a node not ready); %s", err)
        .isOne();
    return JSON.readTree(out);
  }
}
