package io.wgguard.checker;

import static io.wgguard.it.KubeCluster.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.wgguard.Names;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When the cache counts as synced, against the fabric8 mock API server in CRUD mode. The danger it
 * guards: a pass over synced nodes with no FelixConfiguration read yet sees "WireGuard off" and
 * lifts every wgguard taint.
 */
@EnableKubernetesMockClient(crud = true)
class ClusterCacheTest {

  static final String V1 = "/apis/" + Names.CALICO_CRD_GROUP + "/v1";

  KubernetesClient client;
  KubernetesMockServer server;
  ClusterCache cache;
  final AtomicInteger changes = new AtomicInteger();

  @BeforeEach
  void oneNode() {
    client
        .nodes()
        .resource(new NodeBuilder().withNewMetadata().withName("worker1").endMetadata().build())
        .create();
    cache = new ClusterCache(client, Names.CALICO_CRD_GROUP);
  }

  @AfterEach
  void stop() {
    cache.stop();
  }

  void felixApiServed() {
    server
        .expect()
        .get()
        .withPath(V1)
        .andReturn(
            200,
            new APIResourceListBuilder()
                .withGroupVersion(Names.CALICO_CRD_GROUP + "/v1")
                .withResources(
                    new APIResourceBuilder()
                        .withName("felixconfigurations")
                        .withKind(Names.FELIX_KIND)
                        .withNamespaced(false)
                        .withVerbs("get", "list", "watch")
                        .build())
                .build())
        .always();
  }

  @Test
  void discoveryThatDoesNotAnswerKeepsTheCacheUnsyncedUntilItDoes() {
    server.expect().get().withPath(V1).andReturn(403, "forbidden").once();
    felixApiServed();

    cache.start(changes::incrementAndGet);
    await(Duration.ofSeconds(10), "worker1 listed", () -> cache.node("worker1").isPresent());

    assertThat(cache.synced()).as("nodes listed, FelixConfiguration API unknown").isFalse();
    assertThat(cache.felixApiVersion()).isEmpty();

    cache.ensureFelixInformer(); // what the next scheduled pass does

    await(Duration.ofSeconds(60), "cache synced", cache::synced);
    assertThat(cache.felixApiVersion()).contains(Names.CALICO_CRD_GROUP + "/v1");
  }

  @Test
  void anApiThatIsNotServedIsAnAnswer() {
    server.expect().get().withPath(V1).andReturn(404, "not found").always();

    cache.start(changes::incrementAndGet);

    await(Duration.ofSeconds(60), "cache synced", cache::synced);
    assertThat(cache.felixApiVersion()).as("no Calico: WireGuard counts as off").isEmpty();
    assertThat(cache.felixConfigurations()).isEmpty();
  }

  @Test
  void aServedApiIsWatchedAndListed() {
    felixApiServed();

    cache.start(changes::incrementAndGet);

    await(Duration.ofSeconds(60), "cache synced", cache::synced);
    assertThat(cache.felixApiVersion()).contains(Names.CALICO_CRD_GROUP + "/v1");
    assertThat(cache.node("worker1")).isPresent();
    assertThat(changes.get()).as("the node's arrival asked for a pass").isPositive();
  }

  @Test
  void stoppingForgetsWhatWasSeen() {
    felixApiServed();
    cache.start(changes::incrementAndGet);
    await(Duration.ofSeconds(60), "cache synced", cache::synced);

    cache.stop();

    assertThat(cache.synced()).isFalse();
    assertThat(cache.node("worker1")).isEmpty();
    assertThat(cache.felixApiVersion()).isEmpty();
  }

  @Test
  void aFelixGroupThatIsNoneOfTheThreeFailsAtOnce() {
    assertThatThrownBy(() -> new ClusterCache(client, "calico"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "wgguard.checker.felix-group is 'calico'; use auto, crd.projectcalico.org or"
                + " projectcalico.org");
  }

  @Test
  void readsTheEnvironmentOfCalicoNodeDaemonSetsOnlyAndNoticesAChange() {
    felixApiServed();
    client
        .apps()
        .daemonSets()
        .inNamespace("calico-system")
        .resource(daemonSet("calico-system", "calico-node", "true"))
        .create();
    client
        .apps()
        .daemonSets()
        .inNamespace("calico-system")
        .resource(daemonSet("calico-system", "node-exporter", "false"))
        .create();

    cache.start(changes::incrementAndGet);
    await(Duration.ofSeconds(30), "caches synced", cache::synced);
    assertThat(cache.calicoNodes())
        .singleElement()
        .satisfies(e -> assertThat(e.id()).isEqualTo("calico-system/calico-node"));

    client
        .apps()
        .daemonSets()
        .inNamespace("calico-system")
        .resource(daemonSet("calico-system", "calico-node", "false"))
        .update();
    await(
        Duration.ofSeconds(30),
        "the new environment read",
        () ->
            cache.calicoNodes().stream()
                .anyMatch(
                    e ->
                        e.setting(
                                    io.wgguard.felix.GuardedField.WIREGUARD_ENABLED,
                                    cache.configMapReader())
                                .state()
                            == io.wgguard.felix.EnvironmentSetting.State.OFF));
  }

  static io.fabric8.kubernetes.api.model.apps.DaemonSet daemonSet(
      String namespace, String name, String wireguard) {
    return new io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withNewTemplate()
        .withNewSpec()
        .addNewContainer()
        .withName("calico-node")
        .withImage("calico/node:v3.31.0")
        .addNewEnv()
        .withName("FELIX_WIREGUARDENABLED")
        .withValue(wireguard)
        .endEnv()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }
}
