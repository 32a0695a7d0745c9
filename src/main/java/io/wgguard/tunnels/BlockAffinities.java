package io.wgguard.tunnels;

import com.fasterxml.jackson.databind.JsonNode;
import io.wgguard.tunnels.summary.Cidr;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which IPAM blocks Calico holds affine to which node: the confirmed {@code BlockAffinity} objects
 * ({@code blockaffinities.crd.projectcalico.org/v1}), the input of the path check ({@link
 * PathPolicy}). Felix routes a peer's blocks into the tunnel and allows them on the peer (the
 * workload routes it receives come from these blocks, projectcalico/calico {@code
 * felix/dataplane/linux/wireguard_mgr.go}).
 *
 * @param known false when the checker has not listed BlockAffinities (no such API: Calico not on
 *     Calico IPAM, or not yet listed): the routes and allowed-ips are then not judged, only the
 *     device, its rule and MTU
 * @param byNode per node name, its confirmed blocks
 */
public record BlockAffinities(boolean known, Map<String, List<Block>> byNode) {

  /** Nothing is known of the blocks. */
  public static final BlockAffinities UNKNOWN = new BlockAffinities(false, Map.of());

  /** Calico's value of {@code spec.state} for an affinity in use. */
  public static final String CONFIRMED = "confirmed";

  public BlockAffinities {
    Map<String, List<Block>> copy = new HashMap<>(byNode.size() * 2);
    byNode.forEach((node, blocks) -> copy.put(node, List.copyOf(blocks)));
    byNode = Map.copyOf(copy);
  }

  /**
   * One block.
   *
   * @param cidr the block
   * @param created when the affinity was created ({@code metadata.creationTimestamp}), null when
   *     unknown; a block younger than the condition max age may not be on every node yet
   */
  public record Block(Cidr cidr, Instant created) {}

  /**
   * An affinity as the API server returns it: node and block, when it is confirmed and not being
   * deleted; null otherwise (pending, deleted, or not readable: Felix routes none of these).
   */
  public static Affinity read(JsonNode object) {
    JsonNode spec = object.path("spec");
    if (!CONFIRMED.equals(spec.path("state").asText(""))
        || "true".equalsIgnoreCase(spec.path("deleted").asText(""))) {
      return null;
    }
    String node = spec.path("node").asText("");
    Cidr cidr = Cidr.parseOrNull(spec.path("cidr").asText(""));
    if (node.isEmpty() || cidr == null) {
      return null;
    }
    Instant created = null;
    String timestamp = object.path("metadata").path("creationTimestamp").asText("");
    if (!timestamp.isEmpty()) {
      try {
        created = Instant.parse(timestamp);
      } catch (DateTimeParseException e) {
        created = null;
      }
    }
    return new Affinity(node, new Block(cidr, created));
  }

  /**
   * One confirmed affinity.
   *
   * @param node the node it is affine to
   * @param block its block
   */
  public record Affinity(String node, Block block) {}

  /** The known affinities of these objects, grouped by node. */
  public static BlockAffinities of(Iterable<Affinity> affinities) {
    Map<String, List<Block>> byNode = new HashMap<>();
    for (Affinity affinity : affinities) {
      byNode
          .computeIfAbsent(affinity.node(), n -> new java.util.ArrayList<>())
          .add(affinity.block());
    }
    return new BlockAffinities(true, byNode);
  }
}
