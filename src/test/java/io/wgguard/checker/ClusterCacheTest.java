package io.wgguard.checker;

import static io.wgguard.it.KubeCluster.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.wgguard.Names;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
  void confirmedBlockAffinitiesAreWatchedOnceTheirApiIsServed() {
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
                        .build(),
                    new APIResourceBuilder()
                        .withName("blockaffinities")
                        .withKind(Names.BLOCK_AFFINITY_KIND)
                        .withNamespaced(false)
                        .withVerbs("get", "list", "watch")
                        .build())
                .build())
        .always();
    affinity("worker1-10-0-1-0-26", "worker1", "10.0.1.0/26", "confirmed");
    affinity("worker1-10-0-2-0-26", "worker1", "10.0.2.0/26", "pending");

    cache.start(changes::incrementAndGet);
    await(Duration.ofSeconds(60), "cache synced", cache::synced);
    await(Duration.ofSeconds(60), "blocks known", () -> cache.blockAffinities().known());

    assertThat(cache.blockAffinities().byNode())
        .containsOnlyKeys("worker1")
        .extractingByKey("worker1")
        .satisfies(
            blocks ->
                assertThat(blocks)
                    .extracting(b -> b.cidr().toString())
                    .containsExactly("10.0.1.0/26"));

    affinity("worker1-10-0-2-0-26", "worker1", "10.0.2.0/26", "confirmed");
    await(
        Duration.ofSeconds(60),
        "the confirmed block seen",
        () -> cache.blockAffinities().byNode().get("worker1").size() == 2);
  }

  void affinity(String name, String node, String cidr, String state) {
    client
        .genericKubernetesResources(Names.CALICO_CRD_GROUP + "/v1", Names.BLOCK_AFFINITY_KIND)
        .resource(
            new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
                .withApiVersion(Names.CALICO_CRD_GROUP + "/v1")
                .withKind(Names.BLOCK_AFFINITY_KIND)
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withAdditionalProperties(
                    java.util.Map.of(
                        "spec",
                        java.util.Map.of(
                            "node", node, "cidr", cidr, "state", state, "deleted", "false")))
                .build())
        .createOr(r -> r.update());
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

  /**
   * Guards {@code nodesCaughtUp()} in {@code synced()}: the informer's {@code hasSynced()} turns
   * true once its store holds the first list, while our handlers still run behind it. A pass then
   * saw "nodes: 1 ready" for a three-node cluster. Each change is made slow here, so the handlers
   * lag far behind the store: 2 s a change, longer than the other watches take to list against the
   * mock server (about 1 s). With 300 ms the other watches were still listing when the last node
   * arrived, and the test passed with {@code nodesCaughtUp()} removed; with 2 s it fails then
   * (synced while the cache held 1 of the 3 nodes).
   */
  @Test
  void syncedOnlyOnceEveryListedNodeHasReachedTheCache() {
    for (String name : List.of("worker2", "worker3")) {
      client
          .nodes()
          .resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build())
          .create();
    }
    felixApiServed();
    List<Integer> seenWhenSynced = new ArrayList<>();

    cache.start(
        () -> {
          try {
            Thread.sleep(2000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    await(
        Duration.ofSeconds(60),
        "cache synced",
        () -> {
          if (cache.synced()) {
            seenWhenSynced.add(cache.nodes().size());
            return true;
          }
          return false;
        });

    assertThat(seenWhenSynced).containsExactly(3);
  }

  /**
   * The agent renews {@code WireGuardModuleReady} every minute on every node; guards {@code
   * onlyHeartbeatChanged} in the node handler, without which each renewal requested a pass.
   */
  @Test
  void aRenewedHeartbeatIsKeptButAsksForNoPass() {
    felixApiServed();
    Instant first = Instant.parse("2026-11-30T10:00:00Z");
    condition("worker1", "True", first);
    cache.start(changes::incrementAndGet);
    await(Duration.ofSeconds(10), "cache synced", cache::synced);
    int before = changes.get();

    Instant renewed = first.plusSeconds(60);
    condition("worker1", "True", renewed);
    await(Duration.ofSeconds(10), "renewed heartbeat seen", () -> heartbeat("worker1", renewed));

    assertThat(changes.get()).as("no pass for a heartbeat").isEqualTo(before);

    condition("worker1", "False", renewed.plusSeconds(60));
    await(Duration.ofSeconds(10), "a new status asks for a pass", () -> changes.get() > before);
  }

  /**
   * Guards {@code onFelixApiNotServed}: a 404 from discovery while nodes carry wgguard taints was
   * read as "Calico not installed", WireGuard off, and the leader lifted every taint.
   */
  @Test
  void aFelixApiMissingWhileNodesCarryWgguardTaintsIsAFault() {
    client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName("worker2")
                .endMetadata()
                .withNewSpec()
                .addNewTaint()
                .withKey(Names.NOT_READY_TAINT)
                .withValue("no-public-key")
                .withEffect("NoSchedule")
                .endTaint()
                .endSpec()
                .build())
        .create();
    server.expect().get().withPath(V1).andReturn(404, "not found").always();

    cache.start(changes::incrementAndGet);

    await(Duration.ofSeconds(10), "cache synced", cache::synced);
    assertThat(cache.faults())
        .containsExactly(
            "discovery says no FelixConfiguration API is served (crd.projectcalico.org/v1), yet 1"
                + " node(s) carry wgguard taints: taken for an API server restart, not for Calico"
                + " removed; no taint is removed until the API is back (if Calico was removed on"
                + " purpose, remove the taints by hand)");
  }

  @Test
  void anApiThatIsNotServedWithNoWgguardTaintIsNoFault() {
    server.expect().get().withPath(V1).andReturn(404, "not found").always();

    cache.start(changes::incrementAndGet);

    await(Duration.ofSeconds(10), "cache synced", cache::synced);
    assertThat(cache.faults()).isEmpty();
  }

  void condition(String node, String status, Instant heartbeat) {
    client
        .nodes()
        .withName(node)
        .edit(
            n ->
                new NodeBuilder(n)
                    .withNewStatus()
                    .addNewCondition()
                    .withType(Names.MODULE_READY_CONDITION)
                    .withStatus(status)
                    .withReason("ModuleLoaded")
                    .withMessage("wireguard module loaded")
                    .withLastHeartbeatTime(heartbeat.toString())
                    .endCondition()
                    .endStatus()
                    .build());
  }

  boolean heartbeat(String node, Instant expected) {
    return cache
        .node(node)
        .map(f -> f.condition() != null && expected.equals(f.condition().lastHeartbeatTime()))
        .orElse(false);
  }

  void lease(String name, String holder, Instant renewed) {
    client
        .leases()
        .inNamespace("default")
        .resource(
            new LeaseBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels(Names.AGENT_LEASE_LABEL, "true")
                .endMetadata()
                .withNewSpec()
                .withHolderIdentity(holder)
                .withLeaseDurationSeconds(120)
                .withRenewTime(renewed.atZone(java.time.ZoneOffset.UTC))
                .endSpec()
                .build())
        .createOr(r -> r.update());
  }

  /**
   * The agents' Leases reach the cache as (node, renewTime, duration); one whose name is not the
   * one derived from its holder is not read (guards the holder check in {@code LeaseHandler.read}),
   * a renewal asks for no pass, and a Lease renewed after it had expired asks for one.
   */
  @Test
  void readsTheAgentsLeasesAndAsksForAPassOnlyWhenOneComesBack() {
    felixApiServed();
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    lease(Names.agentLeaseName("worker1"), "worker1", now);
    lease(Names.agentLeaseName("worker2"), "worker1", now.minusSeconds(3600));
    cache.start(changes::incrementAndGet);
    await(Duration.ofSeconds(10), "cache synced", cache::synced);
    assertThat(cache.leases())
        .containsOnlyKeys("worker1")
        .containsEntry(
            "worker1", new io.wgguard.evidence.AgentLease("worker1", now, Duration.ofSeconds(120)));

    int before = changes.get();
    lease(Names.agentLeaseName("worker1"), "worker1", now.plusSeconds(40));
    await(
        Duration.ofSeconds(10),
        "renewal seen",
        () -> now.plusSeconds(40).equals(cache.leases().get("worker1").renewTime()));
    assertThat(changes.get()).as("no pass for a renewal").isEqualTo(before);

    lease(Names.agentLeaseName("worker1"), "worker1", now.minusSeconds(600));
    await(
        Duration.ofSeconds(10),
        "expired Lease seen",
        () -> now.minusSeconds(600).equals(cache.leases().get("worker1").renewTime()));
    int expired = changes.get();
    lease(Names.agentLeaseName("worker1"), "worker1", now);
    await(Duration.ofSeconds(10), "an agent back asks for a pass", () -> changes.get() > expired);
  }

  @Test
  void aFelixGroupThatIsNoneOfTheThreeFailsAtOnce() {
    assertThatThrownBy(() -> new ClusterCache(client, "calico"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "wgguard.checker.felix-group: 'calico' is not a FelixConfiguration API group; use"
                + " auto, crd.projectcalico.org or projectcalico.org");
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
