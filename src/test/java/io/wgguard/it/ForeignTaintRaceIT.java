package io.wgguard.it;

import static io.wgguard.it.SeedNodes.KEY_ANNOTATION;
import static io.wgguard.it.SeedNodes.annotate;
import static io.wgguard.it.SeedNodes.taints;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.wgguard.checker.TaintPatcher;
import io.wgguard.evidence.Taint;
import io.wgguard.it.KubeCluster.User;
import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A taint someone else writes between wgguard's read of a node and its patch, against the real
 * kube-apiserver (the mock server ignores the resourceVersion precondition, so only a real API
 * server can prove it).
 */
class ForeignTaintRaceIT {

  static final String FOREIGN = "dedicated=gpu:NoSchedule";

  KubeCluster cluster;
  KubernetesClient racing;

  @BeforeEach
  void start() throws Exception {
    cluster = KubeCluster.startSeedCluster();
    annotate(cluster.admin(), "worker2", KEY_ANNOTATION, null);
  }

  @AfterEach
  void stop() {
    KubeCluster.closeAll(racing, cluster);
  }

  /**
   * The first PATCH of the node is held back until {@code kubectl taint} has added a foreign taint,
   * i.e. after wgguard read the node. Guards the {@code replace /metadata/resourceVersion}
   * operation in {@code TaintPatcher.patch}: without it the API server applies the patch, whose
   * {@code spec.taints} is the list as read, and the foreign taint is gone.
   */
  @Test
  void aForeignTaintWrittenBetweenReadAndPatchIsKept() throws Exception {
    AtomicBoolean raced = new AtomicBoolean();
    racing =
        new KubernetesClientBuilder()
            .withConfig(
                Config.fromKubeconfig(Files.readString(cluster.dir().resolve("admin.kubeconfig"))))
            .withHttpClientBuilderConsumer(
                builder ->
                    builder.addOrReplaceInterceptor(
                        "foreign-writer",
                        new Interceptor() {
                          @Override
                          public void before(
                              BasicBuilder b, HttpRequest request, RequestTags tags) {
                            if ("PATCH".equals(request.method())
                                && raced.compareAndSet(false, true)) {
                              KubeCluster.Result taint =
                                  cluster.kubectl(User.ADMIN, "taint", "nodes", "worker2", FOREIGN);
                              assertThat(taint.exitCode()).as(taint.toString()).isZero();
                            }
                          }
                        }))
            .build();

    TaintPatcher.Outcome outcome =
        new TaintPatcher(racing).apply("worker2", new Taint("no-public-key", "NoSchedule"));

    assertThat(raced).as("the foreign write happened between read and patch").isTrue();
    assertThat(outcome).isEqualTo(TaintPatcher.Outcome.APPLIED);
    assertThat(taints(cluster.admin(), "worker2"))
        .contains(FOREIGN, "wgguard.io/wireguard-not-ready=no-public-key:NoSchedule");
  }
}
