package io.wgguard.it;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.Map;

/** The seed procedure's three nodes, with the keys and addresses its `kubectl get nodes` shows. */
public final class SeedNodes {

  public static final String KEY_ANNOTATION = "projectcalico.org/WireguardPublicKey";
  public static final String ADDR_ANNOTATION = "projectcalico.org/IPv4WireguardInterfaceAddr";

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
