package io.wgguard.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Derives malformed or odd AdmissionReview bodies from a valid one, reproducibly from a seed. */
final class ReviewMutator {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Random random;

  ReviewMutator(long seed) {
    this.random = new Random(seed);
  }

  byte[] mutate(byte[] valid) {
    int kind = random.nextInt(10);
    if (kind == 0) { // truncate
      return java.util.Arrays.copyOf(valid, random.nextInt(valid.length));
    }
    if (kind == 1) { // flip bytes
      byte[] copy = valid.clone();
      for (int i = 0, n = 1 + random.nextInt(8); i < n; i++) {
        copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
      }
      return copy;
    }
    try {
      JsonNode root = JSON.readTree(valid);
      for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
        mutateTree(root);
      }
      return JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private void mutateTree(JsonNode root) {
    List<JsonNode> containers = new ArrayList<>();
    collect(root, containers);
    JsonNode target = containers.get(random.nextInt(containers.size()));
    if (target instanceof ObjectNode object && object.size() > 0) {
      List<String> names = new ArrayList<>();
      object.fieldNames().forEachRemaining(names::add);
      String name = names.get(random.nextInt(names.size()));
      if (random.nextInt(3) == 0) {
        object.remove(name);
      } else {
        object.set(name, randomValue());
      }
    } else if (target instanceof ArrayNode array) {
      array.add(randomValue());
    }
  }

  private void collect(JsonNode node, List<JsonNode> out) {
    if (node.isContainerNode()) {
      out.add(node);
      node.forEach(child -> collect(child, out));
    }
  }

  private JsonNode randomValue() {
    return switch (random.nextInt(11)) {
      case 0 -> JSON.nullNode();
      case 1 -> JSON.getNodeFactory().booleanNode(random.nextBoolean());
      case 2 -> JSON.getNodeFactory().numberNode(random.nextLong());
      case 3 -> JSON.getNodeFactory().textNode("false");
      case 4 -> JSON.getNodeFactory().textNode("x".repeat(random.nextInt(5000)));
      case 5 -> JSON.createArrayNode().add("a").add(1);
      case 6 -> JSON.createObjectNode().put("wireguardEnabled", random.nextBoolean());
      case 7 -> JSON.getNodeFactory().textNode("\u0000\n\u202e" + random.nextInt());
      case 8 -> JSON.getNodeFactory().textNode("{\"labels\":{\"wgguard.io/override\":\"CHG-1\"}}");
      case 9 -> JSON.getNodeFactory().textNode("none");
      default -> JSON.createObjectNode();
    };
  }
}
