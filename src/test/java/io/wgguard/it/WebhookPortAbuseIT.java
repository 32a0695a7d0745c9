package io.wgguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.wgguard.TestHttps;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Any pod that reaches the webhook port may post to it. Sixteen concurrent 4 MiB bodies used to
 * exhaust the Deployment's heap; with the body budget, 64 concurrent bodies of the largest accepted
 * size leave the replica serving: each is judged or answered 429 (which the API server retries),
 * none gets a 5xx or a reset, the JVM (the Deployment's heap: half its memory limit, exit on OOM)
 * stays up, and an ordinary review is judged right after. Without the budget
 * (BodyBudgetFilter.admit reserving nothing) the replica exits on OutOfMemoryError.
 */
class WebhookPortAbuseIT {

  static final ObjectMapper JSON = new ObjectMapper();
  static final int CONCURRENT = 64;
  static final int MAX_BODY = 4194304; // wgguard.admission.max-body-bytes default

  @Test
  void sixtyFourMaximumSizeBodiesLeaveTheReplicaServing(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path kubeconfig = dir.resolve("kubeconfig");
    // No API server: admission judges by the object alone, which is all this test needs.
    Files.writeString(
        kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters: [{name: x, cluster: {server: 'https://127.0.0.1:1'}}]\n"
            + "users: [{name: x, user: {}}]\ncontexts: [{name: x, context: {cluster: x, user: x}}]\n"
            + "current-context: x\n");
    byte[] ordinary =
        Files.readAllBytes(Path.of("src/test/resources/reviews/update-default-disable.json"));
    byte[] huge = padded(ordinary, MAX_BODY);
    assertThat(huge).hasSize(MAX_BODY);

    try (WgguardProcess wgguard =
        WgguardProcess.launch(
            "abuse-it", kubeconfig, deploymentHeap(), Map.of("wgguard.checker.enabled", "false"))) {
      wgguard.awaitLive(Duration.ofSeconds(90));
      String url = wgguard.webhookBase() + "/admission/felixconfiguration";
      HttpClient client = TestHttps.client();

      Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
      List<CompletableFuture<Void>> sent = new ArrayList<>();
      List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      for (int i = 0; i < CONCURRENT; i++) {
        sent.add(
            client
                .sendAsync(request(url, huge), HttpResponse.BodyHandlers.ofString())
                .thenAccept(r -> statuses.merge(r.statusCode(), 1, Integer::sum))
                .exceptionally(
                    e -> {
                      failures.add(e);
                      return null;
                    }));
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);

      assertThat(failures).as("connections reset or refused").isEmpty();
      assertThat(statuses.keySet()).as("statuses %s", statuses).isSubsetOf(200, 429);
      assertThat(statuses.getOrDefault(429, 0)).as("the budget held some back").isPositive();
      assertThat(statuses.getOrDefault(200, 0)).as("and judged others").isPositive();
      assertThat(wgguard.isAlive()).as("the replica is up:\n" + wgguard.log()).isTrue();
      HttpResponse<String> after = TestHttps.post(client, url, ordinary);
      assertThat(after.statusCode()).isEqualTo(200);
      assertThat(after.body()).contains("\"allowed\":false");
      assertThat(metric(wgguard, "wgguard_admission_throttled_total"))
          .isEqualTo(statuses.get(429).doubleValue());
      assertThat(wgguard.log()).doesNotContain("OutOfMemoryError");
    }
  }

  static HttpRequest request(String url, byte[] body) {
    return HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(120))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
  }

  /** The review with an annotation padding it to exactly {@code size} bytes. */
  static byte[] padded(byte[] review, int size) throws IOException {
    ObjectNode root = (ObjectNode) JSON.readTree(review);
    ObjectNode annotations =
        ((ObjectNode) root.path("request").path("object").path("metadata"))
            .withObject("annotations");
    annotations.put("example.com/padding", "");
    int base = JSON.writeValueAsBytes(root).length;
    annotations.put("example.com/padding", "x".repeat(size - base));
    return JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The Deployment's JVM heap outside a container: its JAVA_OPTS, with the RAM percentages applied
   * to its memory limit (384Mi at 50 %: -Xmx192m), since here they would apply to the host's RAM.
   */
  static List<String> deploymentHeap() throws IOException {
    JsonNode deployment =
        new ObjectMapper(new YAMLFactory())
            .readTree(Path.of("manifests/base/deployment.yaml").toFile());
    JsonNode container =
        deployment.path("spec").path("template").path("spec").path("containers").get(0);
    long limitMiB =
        Long.parseLong(
            container.path("resources").path("limits").path("memory").asText().replace("Mi", ""));
    String opts = "";
    for (JsonNode env : container.path("env")) {
      if ("JAVA_OPTS".equals(env.path("name").asText())) {
        opts = env.path("value").asText();
      }
    }
    List<String> flags = new ArrayList<>();
    for (String flag : opts.trim().split("\\s+")) {
      Matcher max = Pattern.compile("-XX:MaxRAMPercentage=([0-9.]+)").matcher(flag);
      Matcher initial = Pattern.compile("-XX:InitialRAMPercentage=([0-9.]+)").matcher(flag);
      if (max.matches()) {
        flags.add("-Xmx" + (long) (limitMiB * Double.parseDouble(max.group(1)) / 100) + "m");
      } else if (initial.matches()) {
        flags.add("-Xms" + (long) (limitMiB * Double.parseDouble(initial.group(1)) / 100) + "m");
      } else if (!flag.startsWith("-Djava.util.logging")) {
        flags.add(flag);
      }
    }
    assertThat(flags).contains("-Xmx192m", "-XX:+ExitOnOutOfMemoryError");
    return flags;
  }

  static double metric(WgguardProcess wgguard, String series) {
    String body = wgguard.get("/q/metrics").body();
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(body);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
