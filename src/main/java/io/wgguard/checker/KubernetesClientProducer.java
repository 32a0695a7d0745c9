package io.wgguard.checker;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The Kubernetes client, on a Vert.x instance of its own with one event loop, not on the one that
 * serves admission.
 *
 * <p>Quarkus' client shares the application's Vert.x: the responses of the informers' lists are
 * decoded (into Nodes, then into the store) on the event loop that completed them, which is also an
 * event loop of the HTTPS server. A re-list of 65,000 nodes (after a watch expired, 410 Gone, or an
 * API server restart) decodes 260 pages of some 2 MB: seconds during which every admission request
 * on that loop waited ({@code bench/relist.sh}, BENCHMARKS.md "Admission during a re-list"), and an
 * API server whose webhook call times out fails closed. On its own loop, list decoding competes
 * with admission for the CPU only, not for the loop. The cost is one thread (the event loop) and
 * what Vert.x keeps per instance, some hundreds of KiB.
 */
@Singleton
public class KubernetesClientProducer {

  private volatile Vertx vertx;

  @Produces
  @Singleton
  KubernetesClient client(Config config, KubernetesSerialization serialization) {
    vertx =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(1)
                .setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1)
                .setFileSystemOptions(
                    new FileSystemOptions()
                        .setFileCachingEnabled(false)
                        .setClassPathResolvingEnabled(false)));
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withKubernetesSerialization(serialization)
        .withHttpClientFactory(new VertxHttpClientFactory(vertx))
        .build();
  }

  void close(@Disposes KubernetesClient client) {
    client.close();
    Vertx v = vertx;
    if (v != null) {
      v.close();
    }
  }
}
