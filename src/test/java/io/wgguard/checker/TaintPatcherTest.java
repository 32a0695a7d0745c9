package io.wgguard.checker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.wgguard.Names;
import io.wgguard.evidence.NodeFacts;
import io.wgguard.evidence.Taint;
import io.wgguard.felix.FelixObject;
import io.wgguard.felix.FelixObjects;
import io.wgguard.pass.CheckerPass;
import io.wgguard.pass.PassSettings;
import io.wgguard.taints.TaintPlan;
import io.wgguard.taints.TaintPlanner;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The patcher against the fabric8 mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class TaintPatcherTest {

  KubernetesClient client;
  KubernetesMockServer server;

  static final Taint NO_KEY = new Taint("no-public-key", "NoSchedule");

  Node node(String name, io.fabric8.kubernetes.api.model.Taint... taints) {
    return client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withTaints(List.of(taints))
                .endSpec()
                .build())
        .create();
  }

  static io.fabric8.kubernetes.api.model.Taint taint(String key, String value, String effect) {
    return new io.fabric8.kubernetes.api.model.Taint(effect, key, null, value);
  }

  List<String> taints(String name) {
    var spec = client.nodes().withName(name).get().getSpec();
    return spec.getTaints() == null
        ? List.of()
        : spec.getTaints().stream()
            .map(t -> t.getKey() + "=" + t.getValue() + ":" + t.getEffect())
            .toList();
  }

  @Test
  void addsTheTaintAndKeepsForeignOnes() {
    node("worker2", taint("dedicated", "gpu", "NoSchedule"));

    assertThat(new TaintPatcher(client).apply("worker2", NO_KEY))
        .isEqualTo(TaintPatcher.Outcome.APPLIED);

    assertThat(taints("worker2"))
        .containsExactly(
            "dedicated=gpu:NoSchedule", Names.NOT_READY_TAINT + "=no-public-key:NoSchedule");
  }

  @Test
  void writesNothingWhenTheNodeIsAlreadyAsWanted() {
    node("worker1", taint(Names.NOT_READY_TAINT, "no-public-key", "NoSchedule"));
    int before = server.getRequestCount();

    assertThat(new TaintPatcher(client).apply("worker1", NO_KEY))
        .isEqualTo(TaintPatcher.Outcome.ALREADY_SO);

    assertThat(server.getRequestCount() - before).as("only the fresh read").isEqualTo(1);
  }

  @Test
  void removesOnlyItsOwnTaint() {
    node(
        "control1",
        taint("node-role.kubernetes.io/control-plane", null, "NoSchedule"),
        taint(Names.NOT_READY_TAINT, "module-not-ready", "NoSchedule"));

    assertThat(new TaintPatcher(client).apply("control1", null))
        .isEqualTo(TaintPatcher.Outcome.APPLIED);

    assertThat(taints("control1"))
        .containsExactly("node-role.kubernetes.io/control-plane=null:NoSchedule");
  }

  @Test
  void replacesAWrongValueOrEffect() {
    node("worker3", taint(Names.NOT_READY_TAINT, "no-public-key", "PreferNoSchedule"));

    assertThat(
            new TaintPatcher(client)
                .apply("worker3", new Taint("duplicate-public-key", "NoExecute")))
        .isEqualTo(TaintPatcher.Outcome.APPLIED);

    assertThat(taints("worker3"))
        .containsExactly(Names.NOT_READY_TAINT + "=duplicate-public-key:NoExecute");
    assertThat(client.nodes().withName("worker3").get().getSpec().getTaints().get(0).getTimeAdded())
        .isNotBlank();
  }

  @Test
  void retriesAfterAConflict() {
    node("worker4");
    server
        .expect()
        .patch()
        .withPath("/api/v1/nodes/worker4")
        .andReturn(
            409,
            new StatusBuilder()
                .withStatus("Failure")
                .withReason("Conflict")
                .withCode(409)
                .withMessage(
                    "the object has been modified; please apply your changes to the latest version")
                .build())
        .once();

    assertThat(new TaintPatcher(client).apply("worker4", NO_KEY))
        .isEqualTo(TaintPatcher.Outcome.APPLIED);

    assertThat(taints("worker4"))
        .containsExactly(Names.NOT_READY_TAINT + "=no-public-key:NoSchedule");
    long patches = server.getRequestCount();
    assertThat(patches).isGreaterThanOrEqualTo(5); // create, get, 409 patch, get, patch
  }

  @Test
  void givesUpAfterRepeatedConflicts() {
    node("worker5");
    server
        .expect()
        .patch()
        .withPath("/api/v1/nodes/worker5")
        .andReturn(409, new StatusBuilder().withCode(409).withReason("Conflict").build())
        .times(TaintPatcher.ATTEMPTS);

    assertThat(new TaintPatcher(client).apply("worker5", NO_KEY))
        .isEqualTo(TaintPatcher.Outcome.FAILED);
    assertThat(taints("worker5")).isEmpty();
  }

  /**
   * Planner and patcher together, as the reconciler runs them: a node tainted {@code no-public-key}
   * by wgguard and then, by hand, {@code wgguard.io/wireguard-not-ready=x:NoExecute}. Guards {@code
   * TaintPlanner.diff} planning one change per node: with one REMOVE per extra taint, each REMOVE
   * ran as "no wgguard taint at all" and took the taint that should stay as well.
   */
  @Test
  void ofTwoWgguardTaintsTheOneThatShouldStayStays() {
    Node ready =
        new NodeBuilder()
            .withNewMetadata()
            .withName("worker1")
            .withAnnotations(
                Map.of(
                    "projectcalico.org/WireguardPublicKey",
                    "HmNsTyzg7TKvs/Fh0AmA0VEgtS+Ij6xBHqvzXO5VfmA=",
                    "projectcalico.org/IPv4WireguardInterfaceAddr",
                    "10.48.127.254"))
            .endMetadata()
            .build();
    client.nodes().resource(ready).create();
    node(
        "worker2",
        taint("dedicated", "gpu", "NoSchedule"),
        taint(Names.NOT_READY_TAINT, "no-public-key", "NoSchedule"),
        taint(Names.NOT_READY_TAINT, "x", "NoExecute"));
    FelixObject wireguardOn =
        FelixObjects.read(
            client
                .getKubernetesSerialization()
                .convertValue(
                    Map.of(
                        "apiVersion",
                        "crd.projectcalico.org/v1",
                        "kind",
                        "FelixConfiguration",
                        "metadata",
                        Map.of("name", "default"),
                        "spec",
                        Map.of("wireguardEnabled", true)),
                    JsonNode.class));
    List<NodeFacts> facts =
        client.nodes().list().getItems().stream().map(NodeFactsMapper::facts).toList();
    PassSettings settings = PassSettings.defaults();
    TaintPlan plan =
        TaintPlanner.plan(
            CheckerPass.assess(List.of(wireguardOn), facts, settings, Instant.now()),
            settings.taints());

    TaintPatcher patcher = new TaintPatcher(client);
    plan.changes().forEach(change -> patcher.apply(change.node(), change.to()));

    assertThat(plan.changes()).hasSize(1);
    assertThat(taints("worker2"))
        .containsExactly(
            "dedicated=gpu:NoSchedule", Names.NOT_READY_TAINT + "=no-public-key:NoSchedule");
  }

  @Test
  void reportsAVanishedNode() {
    assertThat(new TaintPatcher(client).apply("gone", NO_KEY))
        .isEqualTo(TaintPatcher.Outcome.NODE_GONE);
  }
}
