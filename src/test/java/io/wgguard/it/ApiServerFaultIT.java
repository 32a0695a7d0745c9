package io.wgguard.it;

import static io.wgguard.it.SeedNodes.KEY_ANNOTATION;
import static io.wgguard.it.SeedNodes.annotate;
import static io.wgguard.it.SeedNodes.taints;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.wgguard.TestHttps;
import io.wgguard.it.KubeCluster.User;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * wgguard while its API server fails: kube-apiserver restarted, etcd stopped, the API server
 * unreachable at shutdown. Through each, no taint is written or removed because of the fault,
 * admission keeps answering from memory, and the posture comes back by itself.
 *
 * <p>Each test starts its own cluster: the seed's three nodes, worker2 without its key and so
 * tainted, and one wgguard running a full pass every 2 s (so many passes meet the fault).
 */
class ApiServerFaultIT {

  static final String TAINT = "wgguard.io/wireguard-not-ready";
  static final Duration GENEROUS = Duration.ofMinutes(3);

  KubeCluster cluster;
  WgguardProcess wgguard;
  Map<String, List<String>> taintsBefore;

  @BeforeEach
  void startTaintedCluster(TestInfo test) throws Exception {
    cluster = KubeCluster.startSeedCluster();
    annotate(cluster.admin(), "worker2", KEY_ANNOTATION, null);
    wgguard =
        WgguardProcess.start(
            "api-server-fault-it-" + test.getTestMethod().orElseThrow().getName(),
            cluster.kubeconfig(User.ADMIN),
            Map.of("wgguard.checker.interval", "2s"));
    KubeCluster.await(
        GENEROUS,
        "worker2 tainted",
        () -> taints(cluster.admin(), "worker2").contains(TAINT + "=no-public-key:NoSchedule"));
    taintsBefore = allTaints();
  }

  @AfterEach
  void stop() {
    KubeCluster.closeAll(wgguard, cluster);
  }

  @Test
  void aRestartedApiServerChangesNoTaintAndAdmissionAnswersThroughout() throws Exception {
    try (Admission admission = new Admission(wgguard)) {
      cluster.restartApiServer();
      awaitPostureBack(Instant.now());
      admission.stop();
      assertThat(admission.failures()).as(admission.toString()).isZero();
      assertThat(admission.answered()).isPositive();
    }
    assertNoTaintWritten();
  }

  @Test
  void etcdStoppedForThirtySecondsChangesNoTaintAndAdmissionAnswersThroughout() throws Exception {
    try (Admission admission = new Admission(wgguard)) {
      cluster.stopEtcdFor(Duration.ofSeconds(30));
      awaitPostureBack(Instant.now());
      admission.stop();
      assertThat(admission.failures()).as(admission.toString()).isZero();
      assertThat(admission.answered()).isPositive();
    }
    assertNoTaintWritten();
  }

  /**
   * Kubernetes sends SIGTERM and kills at the grace period (30 s by default). With the API server
   * frozen, every request hangs: releasing the lease, the informers' and the client's shutdown.
   * Guards {@code ShutdownBudget} and the bounded lease release in {@code
   * TaintWriterElection.stop}: without them a replica took 13 s here, a manual run more than 10 s.
   */
  @Test
  void sigtermWhileTheApiServerIsUnreachableExitsWellWithinTheGracePeriod() {
    KubeCluster.await(
        GENEROUS, "wgguard to write taints", () -> status().path("taintWriter").asBoolean());
    cluster.freeze(cluster.apiServerPid());

    long start = System.nanoTime();
    ProcessHandle jvm = ProcessHandle.of(wgguard.pid()).orElseThrow();
    jvm.destroy(); // SIGTERM
    boolean exited = jvm.onExit().completeOnTimeout(null, 2, TimeUnit.MINUTES).join() != null;
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    System.out.printf("SIGTERM with the API server frozen: exited after %d ms%n", took.toMillis());
    assertThat(exited).as("wgguard exited").isTrue();
    // Kubernetes kills at the grace period, 30 s by default; before the shutdown budget a replica
    // took 13 s here (a manual run over 10 s). The budget is 5 s; 10 s leaves room for a busy
    // machine and still fails without ShutdownBudget.
    assertThat(took).as(wgguard.log()).isLessThan(Duration.ofSeconds(10));
    assertThat(wgguard.log()).doesNotContain("Exception in thread");
  }

  void awaitPostureBack(Instant after) {
    KubeCluster.await(
        GENEROUS,
        "the posture back with no fault",
        () -> {
          try {
            JsonNode status = status();
            return status.path("posture").asText().equals("NODES_NOT_READY")
                && status.path("faults").isEmpty()
                && Instant.parse(status.path("generatedAt").asText()).isAfter(after);
          } catch (RuntimeException notYet) {
            return false;
          }
        });
  }

  void assertNoTaintWritten() throws InterruptedException {
    Thread.sleep(6_000); // three more full passes
    assertThat(allTaints()).isEqualTo(taintsBefore);
    String metrics = wgguard.get("/q/metrics").body();
    assertThat(changes(metrics, "add")).as("the one add of worker2's taint").isEqualTo(1);
    assertThat(changes(metrics, "remove")).isZero();
    assertThat(changes(metrics, "update")).isZero();
  }

  static int changes(String metrics, String action) {
    Matcher m =
        Pattern.compile("wgguard_taint_changes_total\\{action=\"" + action + "\"} ([0-9.]+)")
            .matcher(metrics);
    return m.find() ? (int) Double.parseDouble(m.group(1)) : 0;
  }

  Map<String, List<String>> allTaints() {
    return Map.of(
        "control1", taints(cluster.admin(), "control1"),
        "worker1", taints(cluster.admin(), "worker1"),
        "worker2", taints(cluster.admin(), "worker2"));
  }

  JsonNode status() {
    return wgguard.status();
  }

  /** Posts a FelixConfiguration review to the webhook every 200 ms and counts the answers. */
  static final class Admission implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private volatile String lastFailure = "";
    private final Thread thread;

    Admission(WgguardProcess wgguard) throws Exception {
      HttpClient client = TestHttps.client(WgguardProcess.TEST_TLS.resolve("ca.crt"));
      byte[] body =
          Files.readAllBytes(Path.of("src/test/resources/reviews/update-default-disable.json"));
      URI uri = URI.create(wgguard.webhookBase() + "/admission/felixconfiguration");
      thread =
          new Thread(
              () -> {
                while (running.get()) {
                  try {
                    HttpResponse<String> response =
                        client.send(
                            HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(10))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .build(),
                            HttpResponse.BodyHandlers.ofString());
                    // The review switches WireGuard off: judged from memory, it is refused.
                    if (response.statusCode() == 200
                        && response.body().contains("\"allowed\":false")) {
                      answered.incrementAndGet();
                    } else {
                      failures.incrementAndGet();
                      lastFailure = response.statusCode() + " " + response.body();
                    }
                    Thread.sleep(200);
                  } catch (InterruptedException e) {
                    return;
                  } catch (Exception e) {
                    failures.incrementAndGet();
                    lastFailure = e.toString();
                  }
                }
              },
              "admission-prober");
      thread.start();
    }

    int answered() {
      return answered.get();
    }

    int failures() {
      return failures.get();
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(30_000);
    }

    @Override
    public void close() throws InterruptedException {
      stop();
    }

    @Override
    public String toString() {
      return answered + " answered, " + failures + " failed, last: " + lastFailure;
    }
  }
}
