package io.wgguard.it;

import static io.wgguard.it.SeedNodes.taints;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.wgguard.Names;
import io.wgguard.it.KubeCluster.Result;
import io.wgguard.it.KubeCluster.User;
import io.wgguard.monitoring.PromQl;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The service image ({@code scripts/images.sh}, {@code src/main/docker/Dockerfile.service}) run as
 * the kubelet runs {@code manifests/base}'s Deployment ({@link PodContainer}): its user 185 and
 * fsGroup, read-only root file system, no capability, the TLS Secret mounted as the Deployment
 * mounts it (mode 0440, group 185), and the API server reached in-cluster style, with the token the
 * API server minted for the Deployment's own service account. The network is the host's, so the
 * ports are free ones given by environment. Against it: ready, the Lease taken in the pod's
 * namespace, a WireGuard switch-off refused through the API server (the webhook registered by URL),
 * a keyless node tainted, and every metric the Grafana dashboard of {@code manifests/monitoring}
 * queries exported on {@code /q/metrics}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServiceImageIT {

  static final String NS = ImageCluster.NS;
  static final Duration SOON = Duration.ofSeconds(90);
  static final String V1 = "felixconfigurations.crd.projectcalico.org";
  static final String OFF = "{\"spec\":{\"wireguardEnabled\":false}}";
  static final ObjectMapper JSON = new ObjectMapper();

  static KubeCluster cluster;
  static PodContainer wgguard;
  static int https;
  static int management;

  @BeforeAll
  static void start() throws Exception {
    List<JsonNode> base = PodContainer.render("manifests/base");
    JsonNode deployment = PodContainer.object(base, "Deployment", "wgguard");
    PodContainer.requirements(List.of(ImageCluster.image(deployment)));
    cluster = KubeCluster.startSeedCluster();
    cluster.grantFelixConfigurationWriters();
    ImageCluster.applyRbac(cluster, base);
    Path serviceAccount = ImageCluster.serviceAccount(cluster, "wgguard");
    https = freePort();
    management = freePort();
    wgguard =
        ImageCluster.service("service", cluster, deployment, serviceAccount, https, management)
            .env("WGGUARD_CHECKER_INTERVAL", "5s")
            // The webhooks are registered by URL below (kube-apiserver reaches the container on
            // 127.0.0.1, there is no Service). In the Deployment's restore mode the container's
            // first
            // pass creates the shipped registration when none is there, racing the registration
            // below (409, already exists), and puts the URL back to the Service: report mode keeps
            // the guard reading and exporting its metrics, without writes. RegistrationIT covers
            // restore on a real API server.
            .env("WGGUARD_REGISTRATION_MODE", "report")
            .start();
    awaitReady(Duration.ofSeconds(180));
    Webhooks.register(cluster.admin(), "https://127.0.0.1:" + https);
  }

  @AfterAll
  static void stop() {
    KubeCluster.closeAll(wgguard, cluster);
  }

  static void awaitReady(Duration timeout) {
    KubeCluster.await(
        timeout,
        "the service container ready",
        () -> {
          if (!wgguard.isAlive()) {
            throw new AssertionError("the service container exited:\n" + wgguard.log());
          }
          return get("/q/health/ready").map(r -> r.statusCode() == 200).orElse(false);
        });
  }

  static java.util.Optional<HttpResponse<String>> get(String path) {
    try {
      return java.util.Optional.of(
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + path))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      return java.util.Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String body(String path) {
    return get(path).orElseThrow(() -> new AssertionError("GET " + path + " failed")).body();
  }

  static JsonNode status() throws IOException {
    return JSON.readTree(body("/status"));
  }

  @Test
  @Order(1)
  void theImageRunsAsTheDeploymentSaysAndTakesTheLeaseInItsNamespace() throws Exception {
    assertThat(wgguard.exec("id", "-u").out().strip()).isEqualTo("185");
    // runAsGroup 185, and the fsGroup 185 as a supplementary group.
    assertThat(wgguard.exec("id", "-g").out().strip()).isEqualTo("185");
    assertThat(wgguard.exec("id", "-G").out().strip().split(" ")).contains("185");
    PodContainer.Result write = wgguard.exec("sh", "-c", "touch /deployments/x");
    assertThat(write.exit()).isNotZero();
    assertThat(write.err()).contains("Read-only file system");
    // The key is readable through the fsGroup alone (0440, root:185), as the kubelet mounts it.
    PodContainer.Result key = wgguard.exec("stat", "-c", "%a %u:%g", "/etc/wgguard/tls/tls.key");
    assertThat(key.out().strip()).isEqualTo("440 0:185");
    assertThat(body("/q/health/ready")).contains("\"status\": \"UP\"");

    // WGGUARD_CHECKER_LEASE_NAMESPACE is $(POD_NAMESPACE): the Role there grants the Lease.
    KubeCluster.await(SOON, "the lease", () -> statusTaintWriter());
    assertThat(cluster.admin().leases().inNamespace(NS).withName("wgguard-leader").get())
        .isNotNull();
  }

  static boolean statusTaintWriter() {
    try {
      return status().path("taintWriter").asBoolean();
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  @Order(2)
  void aSwitchOffIsRefusedThroughTheApiServer() {
    // The API server picks up webhook registrations asynchronously: wait until it calls wgguard.
    KubeCluster.await(
        Duration.ofSeconds(60),
        "the API server to call the service container",
        () ->
            cluster
                .kubectl(
                    User.EDITOR,
                    "patch",
                    V1,
                    "default",
                    "--type=merge",
                    "-p",
                    OFF,
                    "--dry-run=server")
                .stderr()
                .contains("denied the request"));

    Result off = cluster.kubectl(User.EDITOR, "patch", V1, "default", "--type=merge", "-p", OFF);

    assertThat(off.exitCode()).as(off.toString()).isEqualTo(1);
    assertThat(off.stderr())
        .contains(
            "admission webhook \"felixconfiguration.wgguard.io\" denied the request: "
                + "FelixConfiguration \"default\" (crd.projectcalico.org) would switch WireGuard off"
                + " cluster-wide");
    Result enabled =
        cluster.kubectl(
            User.ADMIN, "get", V1, "default", "-o", "jsonpath={.spec.wireguardEnabled}");
    assertThat(enabled.stdout()).isEqualTo("true");
    assertThat(wgguard.log()).contains("decision=denied");
  }

  @Test
  @Order(3)
  void aNodeWithoutAKeyIsTaintedAndCountedByReason() {
    cluster
        .admin()
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName("worker3")
                .withLabels(Map.of("kubernetes.io/hostname", "worker3"))
                .endMetadata()
                .build())
        .create();

    KubeCluster.await(
        SOON,
        "worker3 tainted no-public-key",
        () ->
            taints(cluster.admin(), "worker3")
                .contains(Names.NOT_READY_TAINT + "=no-public-key:NoSchedule"));
    KubeCluster.await(
        SOON,
        "the metrics to count it",
        () -> body("/q/metrics").contains("wgguard_not_ready_nodes{reason=\"no-public-key\"} 1.0"));
    String metrics = body("/q/metrics");
    assertThat(metrics)
        .contains("wgguard_nodes{state=\"not-ready\"} 1.0")
        .contains("wgguard_not_ready_nodes{reason=\"module-not-ready\"} 0.0")
        .contains("wgguard_taint_changes_total{action=\"add\"} 1.0");
  }

  @Test
  @Order(4)
  void everyMetricTheDashboardQueriesIsOneTheServiceExports() throws Exception {
    List<JsonNode> monitoring = PodContainer.render("manifests/monitoring");
    List<JsonNode> dashboards =
        monitoring.stream()
            .filter(o -> "ConfigMap".equals(o.path("kind").asText()))
            .filter(
                o ->
                    "1"
                        .equals(
                            o.path("metadata").path("labels").path("grafana_dashboard").asText()))
            .toList();
    assertThat(dashboards).hasSize(1);
    List<String> expressions = new ArrayList<>();
    dashboards
        .get(0)
        .path("data")
        .forEach(
            json -> {
              try {
                expressions.addAll(PromQl.expressions(JSON.readTree(json.asText())));
              } catch (IOException e) {
                throw new AssertionError("the dashboard is not JSON", e);
              }
            });
    assertThat(expressions).hasSizeGreaterThanOrEqualTo(10);
    Set<String> queried = new TreeSet<>();
    expressions.forEach(e -> queried.addAll(PromQl.metricNames(e)));

    Set<String> exported = PromQl.sampleNames(body("/q/metrics"));

    assertThat(exported).containsAll(queried);
    // What the dashboard is for: each of these is on it.
    assertThat(queried)
        .contains(
            "wgguard_posture",
            "wgguard_nodes",
            "wgguard_not_ready_nodes",
            "wgguard_mesh_coverage",
            "wgguard_mesh_pairs",
            "wgguard_tunnel_findings",
            "wgguard_taint_changes_total",
            "wgguard_admission_requests_total",
            "wgguard_admission_duration_seconds_bucket",
            "wgguard_active_overrides",
            "wgguard_stale_overrides");
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
