package io.wgguard.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The seed procedure's three nodes, with the keys and addresses its `kubectl get nodes` shows. */
public final class SeedNodes {

  public static final String KEY_ANNOTATION = "projectcalico.org/WireguardPublicKey";
  public static final String ADDR_ANNOTATION = "projectcalico.org/IPv4WireguardInterfaceAddr";

  /** wgguard's taint key. */
  public static final String OUR_TAINT = "wgguard.io/wireguard-not-ready";

  /**
   * How long {@link #reset} waits for wgguard to see the seed again: generously, on a busy host.
   */
  public static final Duration RESET_WAIT = Duration.ofMinutes(3);

  /** Name, public key, interface address. */
  public static final List<List<String>> NODES =
      List.of(
          List.of("control1", "gsxCZHLjKBjJozxRFiKjbMB3QtVTluQDmbvQVfANmXE=", "10.48.115.87"),
          List.of("worker1", "HmNsTyzg7TKvs/Fh0AmA0VEgtS+Ij6xBHqvzXO5VfmA=", "10.48.127.254"),
          List.of("worker2", "lDSws3G/G1KP76BGGRpVSXBnTt5N6FCqOodzTUUWs0I=", "10.48.116.146"));

  private SeedNodes() {}

  /** Creates the three nodes as Felix would have annotated them. */
  public static void create(KubernetesClient client) {
    for (List<String> n : NODES) {
      Node node =
          new NodeBuilder()
              .withNewMetadata()
              .withName(n.get(0))
              .withLabels(Map.of("kubernetes.io/hostname", n.get(0), "kubernetes.io/os", "linux"))
              .withAnnotations(Map.of(KEY_ANNOTATION, n.get(1), ADDR_ANNOTATION, n.get(2)))
              .endMetadata()
              .build();
      client.nodes().resource(node).create();
    }
  }

  /** The seed key of a node. */
  public static String key(String node) {
    return NODES.stream().filter(n -> n.get(0).equals(node)).findFirst().orElseThrow().get(1);
  }

  /** Sets (or with null removes) an annotation, as Felix does through nodes/status. */
  public static void annotate(KubernetesClient client, String node, String key, String value) {
    String json =
        value == null
            ? "{\"metadata\":{\"annotations\":{\"" + key + "\":null}}}"
            : "{\"metadata\":{\"annotations\":{\"" + key + "\":\"" + value + "\"}}}";
    client.nodes().withName(node).patch(PatchContext.of(PatchType.JSON_MERGE), json);
  }

  /** Sets (or with null removes) a label. */
  public static void label(KubernetesClient client, String node, String key, String value) {
    String json =
        value == null
            ? "{\"metadata\":{\"labels\":{\"" + key + "\":null}}}"
            : "{\"metadata\":{\"labels\":{\"" + key + "\":\"" + value + "\"}}}";
    client.nodes().withName(node).patch(PatchContext.of(PatchType.JSON_MERGE), json);
  }

  /**
   * Puts the seed back, whatever a test left, and waits until wgguard has seen it: every node with
   * its seed key and address, without an exemption label or any taint but the API server's ({@code
   * node.kubernetes.io/*}) and wgguard's own; FelixConfiguration {@code default} switching
   * WireGuard on. Then waits until a checker pass after these writes holds every node ready and the
   * posture HEALTHY with this replica writing taints, until wgguard has taken its taints off, and
   * for one more pass (so the Events of those removals are written), and deletes the Events of
   * namespace {@code default}: each test sees only the Events it caused.
   */
  public static void reset(KubeCluster cluster, WgguardProcess wgguard) {
    KubernetesClient client = cluster.admin();
    Instant since = Instant.now();
    for (List<String> n : NODES) {
      removeForeignTaints(client, n.get(0));
      annotate(client, n.get(0), KEY_ANNOTATION, n.get(1));
      annotate(client, n.get(0), ADDR_ANNOTATION, n.get(2));
      // The exemption label (NodeRestriction keeps it from kubelets) and the old one, reported
      // only.
      label(client, n.get(0), "node-restriction.kubernetes.io/wgguard-exempt", null);
      label(client, n.get(0), "wgguard.io/exempt", null);
    }
    cluster.applyDefaultFelixConfiguration(true);
    wgguard.awaitPassAfter(since, RESET_WAIT);
    KubeCluster.await(
        RESET_WAIT,
        "wgguard to hold the seed HEALTHY, every node ready, none tainted or exempt",
        () -> {
          JsonNode status = wgguard.status();
          if (!status.path("posture").asText().equals("HEALTHY")
              || !status.path("taintWriter").asBoolean()
              || status.path("nodes").size() != NODES.size()) {
            return false;
          }
          for (JsonNode row : status.path("nodes")) {
            if (!row.path("ready").asBoolean()
                || row.path("tainted").asBoolean()
                || row.path("exempt").asBoolean()) {
              return false;
            }
          }
          return NODES.stream()
              .allMatch(
                  n ->
                      taints(client, n.get(0)).stream()
                          .noneMatch(t -> t.startsWith(OUR_TAINT + "=")));
        });
    wgguard.awaitPassAfter(Instant.now(), RESET_WAIT);
    client.v1().events().inNamespace("default").delete();
  }

  /**
   * Removes the taints of a node that are neither the API server's ({@code node.kubernetes.io/*})
   * nor wgguard's, with the resourceVersion read, so a taint wgguard writes meanwhile is not lost
   * (a conflict is read again and retried).
   */
  public static void removeForeignTaints(KubernetesClient client, String node) {
    for (int attempt = 1; attempt <= 20; attempt++) {
      Node current = client.nodes().withName(node).get();
      List<Taint> all =
          current.getSpec() == null || current.getSpec().getTaints() == null
              ? List.of()
              : current.getSpec().getTaints();
      List<Taint> kept =
          all.stream()
              .filter(
                  t -> t.getKey().startsWith("node.kubernetes.io/") || t.getKey().equals(OUR_TAINT))
              .toList();
      if (kept.size() == all.size()) {
        return;
      }
      current.getSpec().setTaints(new ArrayList<>(kept));
      try {
        client.nodes().resource(current).update();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
    }
    throw new IllegalStateException("the taints of %s kept changing: 20 conflicts".formatted(node));
  }

  /** The node's taints as {@code key=value:effect}. */
  public static List<String> taints(KubernetesClient client, String node) {
    var spec = client.nodes().withName(node).get().getSpec();
    return spec == null || spec.getTaints() == null
        ? List.of()
        : spec.getTaints().stream()
            .map(
                t ->
                    t.getKey()
                        + "="
                        + (t.getValue() == null ? "" : t.getValue())
                        + ":"
                        + t.getEffect())
            .toList();
  }
}
