package io.wgguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.wgguard.TestHttps;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Posts AdmissionReviews shaped as kube-apiserver sends them, over HTTPS, to the booted app. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class AdmissionResourceQuarkusTest {

  static final String URL = TestHttps.webhook("/admission/felixconfiguration");
  static final ObjectMapper JSON = new ObjectMapper();

  @KubernetesTestServer KubernetesServer apiServer;

  final HttpClient https = TestHttps.client();

  @BeforeEach
  void version() {
    apiServer
        .expect()
        .get()
        .withPath("/version")
        .andReturn(200, "{\"major\":\"1\",\"minor\":\"30\",\"gitVersion\":\"v1.30.0\"}")
        .always();
  }

  static Stream<Arguments> reviews() {
    return Stream.of(
        Arguments.of("create-default-enabled.json", true, null, List.of()),
        Arguments.of("update-default-enable.json", true, null, List.of()),
        Arguments.of("calico-node-update-default.json", true, null, List.of()),
        Arguments.of(
            "update-default-disable.json",
            false,
            "would switch WireGuard off cluster-wide",
            List.of()),
        Arguments.of(
            "update-default-disable-override-editor.json",
            false,
            "requester bob is not among the approved",
            List.of()),
        Arguments.of(
            "delete-default.json", false, "Deleting FelixConfiguration \"default\"", List.of()),
        Arguments.of(
            "dryrun-update-default-disable.json",
            false,
            "would switch WireGuard off cluster-wide",
            List.of()),
        Arguments.of(
            "v3-update-default-disable.json",
            false,
            "FelixConfiguration \"default\" (projectcalico.org)",
            List.of()),
        Arguments.of(
            "create-node-disable.json",
            false,
            "would switch WireGuard off on node worker1",
            List.of()),
        Arguments.of(
            "update-default-disable-override-approver.json",
            true,
            null,
            List.of(
                "WireGuard switched off cluster-wide under override CHG-1042 by alice (expires none)")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("reviews")
  void answersTheApiServer(String file, boolean allowed, String messagePart, List<String> warnings)
      throws Exception {
    byte[] body = Files.readAllBytes(Path.of("src/test/resources/reviews", file));
    String uid = JSON.readTree(body).path("request").path("uid").asText();

    HttpResponse<String> http = TestHttps.post(https, URL, body);

    assertThat(http.statusCode()).isEqualTo(200);
    assertThat(http.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    JsonNode review = JSON.readTree(http.body());
    assertThat(review.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
    assertThat(review.path("kind").asText()).isEqualTo("AdmissionReview");
    JsonNode response = review.path("response");
    assertThat(response.path("uid").asText()).isEqualTo(uid);
    assertThat(response.path("allowed").asBoolean()).isEqualTo(allowed);
    if (allowed) {
      assertThat(response.has("status")).isFalse();
    } else {
      assertThat(response.path("status").path("code").asInt()).isEqualTo(403);
      assertThat(response.path("status").path("reason").asText()).isEqualTo("Forbidden");
      assertThat(response.path("status").path("message").asText())
          .contains(messagePart)
          .contains("wgguard.io/override=<ticket>")
          .contains("groups wgguard-approvers may use an override");
    }
    List<String> gotWarnings =
        JSON.convertValue(
            response.path("warnings"),
            JSON.getTypeFactory().constructCollectionType(List.class, String.class));
    assertThat(gotWarnings == null ? List.<String>of() : gotWarnings).hasSameSizeAs(warnings);
    for (int i = 0; i < warnings.size(); i++) {
      assertThat(gotWarnings.get(i)).startsWith(warnings.get(i));
    }
  }

  @Test
  void overrideIsAudited() throws Exception {
    byte[] body =
        Files.readAllBytes(
            Path.of("src/test/resources/reviews/update-default-disable-override-approver.json"));
    JsonNode audit =
        JSON.readTree(TestHttps.post(https, URL, body).body())
            .path("response")
            .path("auditAnnotations");
    assertThat(JSON.convertValue(audit, java.util.Map.class))
        .containsEntry("override-ticket", "CHG-1042")
        .containsEntry("override-requester", "alice")
        .containsEntry("override-expires", "none")
        .containsEntry("scope", "cluster")
        .containsEntry("object", "default")
        .containsEntry("disabled-fields", "spec.wireguardEnabled");
  }

  @Test
  void dryRunIsMarkedInTheAudit() throws Exception {
    byte[] body =
        Files.readAllBytes(
            Path.of("src/test/resources/reviews/dryrun-update-default-disable.json"));
    JsonNode audit =
        JSON.readTree(TestHttps.post(https, URL, body).body())
            .path("response")
            .path("auditAnnotations");
    assertThat(audit.path("dry-run").asText()).isEqualTo("true");
    assertThat(audit.path("decision").asText()).isEqualTo("denied");
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of("an empty body", "", "empty body"),
        Arguments.of(
            "truncated JSON",
            "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"Adm",
            "not valid JSON"),
        Arguments.of("a JSON array", "[1,2,3]", "not a JSON object"),
        Arguments.of(
            "the wrong kind",
            "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"Pod\",\"request\":{}}",
            "kind is 'Pod', expected AdmissionReview"),
        Arguments.of(
            "the wrong apiVersion",
            "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\",\"request\":{}}",
            "apiVersion is 'admission.k8s.io/v1beta1'"),
        Arguments.of(
            "no request",
            "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}",
            "request is missing"),
        Arguments.of(
            "no uid",
            "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"kind\":{\"group\":\"crd.projectcalico.org\",\"kind\":\"FelixConfiguration\"},\"operation\":\"CREATE\"}}",
            "request.uid is missing"),
        Arguments.of(
            "an object of another type",
            review(
                "apps",
                "Deployment",
                "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"x\"}}"),
            "this endpoint judges FelixConfiguration"),
        Arguments.of(
            "a Pod posing as a FelixConfiguration",
            review(
                "crd.projectcalico.org",
                "FelixConfiguration",
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"x\"}}"),
            "request.object has kind 'Pod'"),
        Arguments.of(
            "labels that are not strings",
            review(
                "crd.projectcalico.org",
                "FelixConfiguration",
                "{\"kind\":\"FelixConfiguration\",\"metadata\":{\"name\":\"default\",\"labels\":{\"a\":1}}}"),
            "request.object metadata.labels[a] is not a string"),
        Arguments.of(
            "a second document after the review",
            "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"} {}",
            "not valid JSON (line 1, column"),
        Arguments.of("deeply nested JSON", "[".repeat(100_000), "not valid JSON"));
  }

  static String review(String group, String kind, String object) {
    return "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u1\",\"kind\":{\"group\":\""
        + group
        + "\",\"version\":\"v1\",\"kind\":\""
        + kind
        + "\"},\"operation\":\"CREATE\",\"object\":"
        + object
        + "}}";
  }

  @ParameterizedTest(name = "{0} gets 400 with a plain reason")
  @MethodSource("malformed")
  void refusesMalformedBodies(String what, String body, String reason) {
    HttpResponse<String> http = TestHttps.post(https, URL, body.getBytes(StandardCharsets.UTF_8));

    assertThat(http.statusCode()).isEqualTo(400);
    assertThat(http.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    assertThat(http.body())
        .contains(reason)
        .doesNotContain("Exception")
        .doesNotContain("io.wgguard");
  }

  @Test
  void aBodyOverTheLimitGets413WithAReason() {
    byte[] body = new byte[4 * 1024 * 1024 + 1];
    java.util.Arrays.fill(body, (byte) ' ');

    HttpResponse<String> http = TestHttps.post(https, URL, body);

    assertThat(http.statusCode()).isEqualTo(413);
    assertThat(http.body()).isEqualTo("body is 4194305 bytes, over the limit of 4194304 bytes\n");
  }

  @Test
  void metricsCountDecisionsOnTheManagementPort() throws Exception {
    TestHttps.post(
        https,
        URL,
        Files.readAllBytes(Path.of("src/test/resources/reviews/update-default-disable.json")));
    TestHttps.post(https, URL, "{".getBytes(StandardCharsets.UTF_8));

    String metrics =
        TestHttps.get(HttpClient.newHttpClient(), TestHttps.management("/q/metrics")).body();

    assertThat(metrics)
        .containsPattern(
            "wgguard_admission_requests_total\\{decision=\"denied\",operation=\"UPDATE\",webhook=\"felixconfiguration\"} [1-9]")
        .containsPattern(
            "wgguard_admission_requests_total\\{decision=\"invalid\",operation=\"unknown\",webhook=\"felixconfiguration\"} [1-9]")
        .contains("wgguard_admission_duration_seconds_bucket{webhook=\"felixconfiguration\",le=");
  }

  @Test
  void healthIsServedOnTheManagementPort() {
    HttpClient plain = HttpClient.newHttpClient();

    assertThat(TestHttps.get(plain, TestHttps.management("/q/health/live")).statusCode())
        .isEqualTo(200);
    assertThat(TestHttps.get(plain, TestHttps.management("/q/health/started")).statusCode())
        .isEqualTo(200);
    HttpResponse<String> ready = TestHttps.get(plain, TestHttps.management("/q/health/ready"));
    assertThat(ready.body()).contains("\"webhook-tls\"").contains("\"kubernetes-api\"");
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
  }

  @Test
  void mutatedReviewsOverHttpsNeverGetA5xx() throws Exception {
    byte[] valid =
        Files.readAllBytes(Path.of("src/test/resources/reviews/update-default-disable.json"));
    ReviewMutator mutator = new ReviewMutator(42);
    java.util.Map<Integer, Integer> statuses = new java.util.TreeMap<>();
    for (int i = 0; i < 500; i++) {
      HttpResponse<String> http = TestHttps.post(https, URL, mutator.mutate(valid));
      statuses.merge(http.statusCode(), 1, Integer::sum);
    }
    assertThat(statuses.keySet())
        .as("statuses seen: %s", statuses)
        .containsOnly(200, 400)
        .contains(200, 400);
  }

  static final String POD_URL = TestHttps.webhook("/admission/pod");

  static String podReview(String kind, String nodeName) {
    return "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"p1\","
        + "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\""
        + kind
        + "\"},"
        + "\"resource\":{\"group\":\"\",\"version\":\"v1\",\"resource\":\"pods\"},"
        + "\"namespace\":\"default\",\"operation\":\"CREATE\",\"userInfo\":{\"username\":\"bob\"},"
        + "\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"pod-1\",\"namespace\":\"default\"},"
        + "\"spec\":{\"nodeName\":\""
        + nodeName
        + "\",\"containers\":[{\"name\":\"pod-1\",\"image\":\"praqma/network-multitool\"}]}}}}";
  }

  @Test
  void aPodPinnedToANodeTheCheckerHasNotSeenIsAdmitted() throws Exception {
    HttpResponse<String> http =
        TestHttps.post(
            https, POD_URL, podReview("Pod", "worker1").getBytes(StandardCharsets.UTF_8));

    assertThat(http.statusCode()).isEqualTo(200);
    JsonNode response = JSON.readTree(http.body()).path("response");
    assertThat(response.path("uid").asText()).isEqualTo("p1");
    assertThat(response.path("allowed").asBoolean()).isTrue();
  }

  @Test
  void thePodEndpointRefusesOtherKindsAsBadInput() {
    HttpResponse<String> http =
        TestHttps.post(
            https, POD_URL, podReview("Service", "worker1").getBytes(StandardCharsets.UTF_8));

    assertThat(http.statusCode()).isEqualTo(400);
    assertThat(http.body())
        .isEqualTo("request.kind is Service: this endpoint judges core/v1 Pod\n");
  }

  @Test
  void theBenchmarkCeilingEndpointIsOffByDefault() {
    HttpResponse<String> http =
        TestHttps.post(
            https,
            TestHttps.webhook("/admission/constant"),
            podReview("Pod", "worker1").getBytes(StandardCharsets.UTF_8));

    assertThat(http.statusCode()).isEqualTo(404);
  }

  static Stream<Arguments> calicoNodeReviews() {
    return Stream.of(
        Arguments.of(
            "calico-node-env-disable.json",
            false,
            "DaemonSet calico-system/calico-node would switch WireGuard off on every node it runs"
                + " on"),
        Arguments.of("calico-node-image-bump.json", true, null),
        Arguments.of("daemonset-other.json", true, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("calicoNodeReviews")
  void judgesTheCalicoNodeDaemonSet(String file, boolean allowed, String messagePart)
      throws Exception {
    byte[] body = Files.readAllBytes(Path.of("src/test/resources/reviews", file));

    HttpResponse<String> http =
        TestHttps.post(https, TestHttps.webhook("/admission/calico-node"), body);

    assertThat(http.statusCode()).isEqualTo(200);
    JsonNode response = JSON.readTree(http.body()).path("response");
    assertThat(response.path("uid").asText())
        .isEqualTo(JSON.readTree(body).path("request").path("uid").asText());
    assertThat(response.path("allowed").asBoolean()).isEqualTo(allowed);
    if (!allowed) {
      assertThat(response.path("status").path("code").asInt()).isEqualTo(403);
      assertThat(response.path("status").path("message").asText())
          .contains(messagePart)
          .contains("wgguard.io/override=<ticket>");
    } else {
      assertThat(response.has("warnings")).isFalse();
    }
  }

  @Test
  void theCalicoNodeEndpointRefusesOtherKindsAsBadInput() {
    HttpResponse<String> http =
        TestHttps.post(
            https,
            TestHttps.webhook("/admission/calico-node"),
            podReview("Pod", "worker1").getBytes(StandardCharsets.UTF_8));

    assertThat(http.statusCode()).isEqualTo(400);
    assertThat(http.body())
        .isEqualTo("request.kind is Pod: this endpoint judges apps/v1 DaemonSet\n");
  }

  @jakarta.inject.Inject io.fabric8.kubernetes.client.KubernetesClient client;

  @jakarta.inject.Inject io.vertx.core.Vertx applicationVertx;

  /**
   * Guards {@code checker.KubernetesClientProducer}: the Kubernetes client's responses complete,
   * and lists are decoded, on an event loop of a Vert.x of its own, never on one of the
   * application's, which serve admission. With Quarkus' own client (the producer removed) the owner
   * is the application's Vert.x and this fails.
   */
  @Test
  void theKubernetesClientDecodesOnAVertxOfItsOwn() throws Exception {
    var http = client.getHttpClient();
    List<io.vertx.core.Vertx> owners = new ArrayList<>();
    // A stage added after the response already came runs on this thread, outside any event loop,
    // and shows nothing: ask again (bounded) until a response completes on the client's loop.
    for (int attempt = 0; attempt < 50 && owners.isEmpty(); attempt++) {
      var request =
          http.newHttpRequestBuilder()
              .uri(java.net.URI.create(client.getMasterUrl() + "version"))
              .build();
      Optional<io.vertx.core.Vertx> owner =
          http.sendAsync(request, String.class)
              .thenApply(
                  response ->
                      Optional.ofNullable(io.vertx.core.Vertx.currentContext())
                          .map(io.vertx.core.Context::owner))
              .get(30, java.util.concurrent.TimeUnit.SECONDS);
      owner.ifPresent(owners::add);
    }
    assertThat(owners).as("the client's event loop, seen once in 50 requests").isNotEmpty();
    assertThat(owners.get(0)).isNotSameAs(applicationVertx);
  }
}
