package io.wgguard.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Node;
import io.wgguard.Messages;
import io.wgguard.Names;
import io.wgguard.checker.NodeFactsMapper;
import io.wgguard.evidence.NodeFacts;
import io.wgguard.felix.CalicoNodeEnvironment;
import io.wgguard.felix.FelixObject;
import io.wgguard.felix.FelixObjects;
import io.wgguard.felix.FelixPath;
import io.wgguard.pass.ClusterSnapshot;
import io.wgguard.tunnels.BlockAffinities;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What {@code kubectl get nodes,felixconfigurations.crd.projectcalico.org -o yaml} printed, read
 * into what the readiness check needs, with the calico-node DaemonSets ({@code kubectl get
 * nodes,felixconfigurations,daemonsets -A}) and the ConfigMaps their {@code FELIX_*} variables
 * refer to, when the dump holds them. Accepts a {@code List} (or {@code NodeList}, ...) with {@code
 * items}, multi-document YAML, single objects, or any mix; items of other kinds are counted and
 * skipped.
 *
 * <p>Only FelixConfigurations of one API group are read, as the service watches one: with {@code
 * wgguard.checker.felix-group=auto}, {@code crd.projectcalico.org} when the dump holds any of it
 * (that is what Felix reads), else {@code projectcalico.org}. A FelixConfiguration that cannot be
 * read is left out and reported, as the service does; a Node that cannot be read makes the whole
 * dump bad input.
 *
 * @param nodes one per node, in dump order
 * @param felix the FelixConfigurations read, in dump order
 * @param felixApiVersion the API group and version they were read from, empty when there are none
 * @param notes what was skipped or could not be read, each a sentence
 * @param calicoNodes the calico-node DaemonSets (configured namespaces and name) of the dump
 * @param configMaps the data of each ConfigMap of the dump, by {@code namespace/name}
 * @param affinities the confirmed BlockAffinities of the dump ({@code kubectl get
 *     blockaffinities.crd.projectcalico.org}); not known when it holds none, and then the tunnels'
 *     routes and allowed-ips are not judged
 * @param felixPaths what each FelixConfiguration read asserts about the path into WireGuard, by
 *     name ({@code review --cluster} judges path writes by effect with them)
 */
record ClusterDump(
    List<NodeFacts> nodes,
    List<FelixObject> felix,
    String felixApiVersion,
    List<String> notes,
    List<CalicoNodeEnvironment> calicoNodes,
    Map<String, Map<String, String>> configMaps,
    BlockAffinities affinities,
    Map<String, FelixPath> felixPaths) {

  ClusterDump(
      List<NodeFacts> nodes,
      List<FelixObject> felix,
      String felixApiVersion,
      List<String> notes,
      List<CalicoNodeEnvironment> calicoNodes,
      Map<String, Map<String, String>> configMaps) {
    this(
        nodes,
        felix,
        felixApiVersion,
        notes,
        calicoNodes,
        configMaps,
        BlockAffinities.UNKNOWN,
        Map.of());
  }

  /** Value of {@code wgguard.checker.felix-group} that picks the group from the dump. */
  static final String AUTO_GROUP = "auto";

  private static final String CRD_API_VERSION = Names.CALICO_CRD_GROUP + "/v1";
  private static final String V3_API_VERSION = Names.CALICO_V3_GROUP + "/v3";
  private static final String THE_DOCUMENT = "the document";
  private static final ObjectMapper JSON = new ObjectMapper();

  ClusterDump {
    nodes = List.copyOf(nodes);
    felix = List.copyOf(felix);
    notes = List.copyOf(notes);
    calicoNodes = List.copyOf(calicoNodes);
    configMaps = Map.copyOf(configMaps);
    felixPaths = Map.copyOf(felixPaths);
  }

  /** The dump's ConfigMaps as calico-node's variables look them up. */
  CalicoNodeEnvironment.ConfigMaps configMapReader() {
    return (namespace, name) -> Optional.ofNullable(configMaps.get(namespace + "/" + name));
  }

  /**
   * The dump as a checker pass reads the caches: nothing is unreadable or faulty there, since what
   * the dump could not read is in {@link #notes()}.
   */
  ClusterSnapshot snapshot() {
    return new ClusterSnapshot(
        felix,
        calicoNodes,
        configMapReader(),
        nodes,
        felixApiVersion,
        Map.of(),
        List.of(),
        affinities);
  }

  /** One object of the dump and where it was found, e.g. {@code items[2]}. */
  private record Item(JsonNode object, String where) {}

  /**
   * Reads the documents of one file.
   *
   * @param documents the parsed documents
   * @param source the file as named in messages
   * @param felixGroup {@code wgguard.checker.felix-group}
   * @throws BadInputException for a dump without nodes, a node without a name or with fields of the
   *     wrong type, or a repeated node name
   */
  static ClusterDump read(List<JsonNode> documents, String source, String felixGroup)
      throws BadInputException {
    return read(
        documents,
        source,
        felixGroup,
        Set.of("calico-system/calico-node", "kube-system/calico-node"));
  }

  /**
   * Reads the documents of one file; DaemonSets named in {@code calicoNodeIds} ({@code
   * namespace/name}) are read as calico-node.
   */
  static ClusterDump read(
      List<JsonNode> documents, String source, String felixGroup, Set<String> calicoNodeIds)
      throws BadInputException {
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < documents.size(); i++) {
      String where = documents.size() == 1 ? "" : "document " + (i + 1);
      collect(documents.get(i), where, source, items);
    }
    List<NodeFacts> nodes = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Map<String, List<Item>> felixByApiVersion = new TreeMap<>();
    Map<String, Integer> skipped = new TreeMap<>();
    List<CalicoNodeEnvironment> calicoNodes = new ArrayList<>();
    Map<String, Map<String, String>> configMaps = new TreeMap<>();
    List<String> unreadable = new ArrayList<>();
    List<BlockAffinities.Affinity> affinities = new ArrayList<>();
    boolean affinitySeen = false;
    for (Item item : items) {
      String kind = item.object().path("kind").asText("");
      String apiVersion = item.object().path("apiVersion").asText("");
      if ("Node".equals(kind) && (apiVersion.isEmpty() || "v1".equals(apiVersion))) {
        NodeFacts node = node(item, source);
        if (!names.add(node.name())) {
          throw new BadInputException(
              source
                  + ": node "
                  + Messages.clip(node.name())
                  + " appears more than once ("
                  + item.where()
                  + ")");
        }
        nodes.add(node);
      } else if (Names.FELIX_KIND.equals(kind)
          && (CRD_API_VERSION.equals(apiVersion) || V3_API_VERSION.equals(apiVersion))) {
        felixByApiVersion.computeIfAbsent(apiVersion, v -> new ArrayList<>()).add(item);
      } else if ("DaemonSet".equals(kind)
          && "apps/v1".equals(apiVersion)
          && calicoNodeIds.contains(id(item.object()))) {
        try {
          calicoNodes.add(CalicoNodeEnvironment.read(item.object()));
        } catch (IllegalArgumentException e) {
          unreadable.add(
              "DaemonSet %s cannot be read (%s) and is left out"
                  .formatted(Messages.clip(id(item.object())), e.getMessage()));
        }
      } else if (Names.BLOCK_AFFINITY_KIND.equals(kind) && CRD_API_VERSION.equals(apiVersion)) {
        affinitySeen = true;
        BlockAffinities.Affinity affinity = BlockAffinities.read(item.object());
        if (affinity != null) {
          affinities.add(affinity);
        }
      } else if ("ConfigMap".equals(kind) && "v1".equals(apiVersion)) {
        Map<String, String> data = new TreeMap<>();
        item.object()
            .path("data")
            .fields()
            .forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText()));
        configMaps.put(id(item.object()), data);
      } else if (kind.isEmpty()) {
        throw new BadInputException(
            source + ": " + item.where() + " has no kind; expected Node or FelixConfiguration");
      } else {
        skipped.merge(
            (apiVersion.isEmpty() ? "" : apiVersion + " ") + Messages.clip(kind), 1, Integer::sum);
      }
    }
    if (nodes.isEmpty()) {
      throw new BadInputException(
          source
              + " holds no Node; expected the output of kubectl get"
              + " nodes,felixconfigurations.crd.projectcalico.org -o yaml");
    }
    List<String> notes = new ArrayList<>(unreadable);
    if (!skipped.isEmpty()) {
      notes.add(
          "skipped objects of other kinds: "
              + skipped.entrySet().stream()
                  .map(e -> e.getValue() + " " + e.getKey())
                  .collect(Collectors.joining(", ")));
    }
    String apiVersion = felixApiVersion(felixGroup, felixByApiVersion.keySet());
    felixByApiVersion.forEach(
        (version, objects) -> {
          if (!version.equals(apiVersion)) {
            notes.add(
                "skipped "
                    + objects.size()
                    + " FelixConfiguration(s) in "
                    + version
                    + ": only "
                    + apiVersion
                    + " is read");
          }
        });
    List<FelixObject> felix = new ArrayList<>();
    Map<String, FelixPath> felixPaths = new java.util.HashMap<>();
    for (Item item : felixByApiVersion.getOrDefault(apiVersion, List.of())) {
      try {
        FelixObject object = FelixObjects.read(item.object());
        felix.add(object);
        felixPaths.put(object.name(), FelixPath.read(item.object()));
      } catch (IllegalArgumentException e) {
        String name = item.object().path("metadata").path("name").asText("");
        notes.add(
            "FelixConfiguration "
                + (name.isEmpty() ? "at " + item.where() : Messages.clip(name))
                + " cannot be read ("
                + e.getMessage()
                + ") and is left out");
      }
    }
    if (felix.isEmpty() && felixByApiVersion.isEmpty()) {
      notes.add(
          "the dump holds no FelixConfiguration, so WireGuard is off by Calico's built-in default;"
              + " include felixconfigurations.crd.projectcalico.org in the kubectl get");
    }
    return new ClusterDump(
        nodes,
        felix,
        felix.isEmpty() ? "" : apiVersion,
        notes,
        calicoNodes,
        configMaps,
        affinitySeen ? BlockAffinities.of(affinities) : BlockAffinities.UNKNOWN,
        felixPaths);
  }

  private static String id(JsonNode object) {
    JsonNode metadata = object.path("metadata");
    return metadata.path("namespace").asText("") + "/" + metadata.path("name").asText("");
  }

  private static String felixApiVersion(String felixGroup, Set<String> present)
      throws BadInputException {
    return switch (felixGroup) {
      case AUTO_GROUP -> present.contains(CRD_API_VERSION) ? CRD_API_VERSION : V3_API_VERSION;
      case Names.CALICO_CRD_GROUP -> CRD_API_VERSION;
      case Names.CALICO_V3_GROUP -> V3_API_VERSION;
      default ->
          throw new BadInputException(
              "bad setting: wgguard.checker.felix-group is '"
                  + Messages.clip(felixGroup)
                  + "'; use auto, "
                  + Names.CALICO_CRD_GROUP
                  + " or "
                  + Names.CALICO_V3_GROUP);
    };
  }

  /** Flattens lists ({@code kind: List}, {@code NodeList}, ...) into their items. */
  private static void collect(JsonNode document, String where, String source, List<Item> items)
      throws BadInputException {
    String here = where.isEmpty() ? THE_DOCUMENT : where;
    if (!document.isObject()) {
      throw new BadInputException(
          source
              + ": "
              + here
              + " is not a Kubernetes object; expected a List or Node and FelixConfiguration"
              + " objects");
    }
    JsonNode list = document.get("items");
    if (document.path("kind").asText("").endsWith("List") || (list != null && list.isArray())) {
      if (list == null || list.isNull()) {
        return; // kubectl prints "items: []" for nothing found; an absent list is the same
      }
      if (!list.isArray()) {
        throw new BadInputException(source + ": " + prefix(where) + "items is not a list");
      }
      for (int i = 0; i < list.size(); i++) {
        collect(list.get(i), prefix(where) + "items[" + i + "]", source, items);
      }
      return;
    }
    items.add(new Item(document, here));
  }

  private static String prefix(String where) {
    return where.isEmpty() ? "" : where + ", ";
  }

  private static NodeFacts node(Item item, String source) throws BadInputException {
    JsonNode metadata = item.object().path("metadata");
    String name = metadata.path("name").isTextual() ? metadata.path("name").asText() : "";
    if (name.isEmpty()) {
      throw new BadInputException(
          source + ": " + item.where() + " is a Node without metadata.name");
    }
    String what =
        source
            + ": node "
            + Messages.clip(name)
            + (item.where().equals(THE_DOCUMENT) ? "" : " (" + item.where() + ")");
    for (String field : List.of("labels", "annotations")) {
      JsonNode map = metadata.path(field);
      if (map.isMissingNode() || map.isNull()) {
        continue;
      }
      if (!map.isObject()) {
        throw new BadInputException(what + ": metadata." + field + " is not a map");
      }
      var entries = map.fields();
      while (entries.hasNext()) {
        var entry = entries.next();
        if (!entry.getValue().isTextual()) {
          throw new BadInputException(
              what
                  + ": metadata."
                  + field
                  + "["
                  + Messages.clip(entry.getKey())
                  + "] is not a string");
        }
      }
    }
    Node node;
    try {
      node = JSON.treeToValue(item.object(), Node.class);
    } catch (JsonMappingException e) {
      throw new BadInputException(
          what + " is not a valid Node: " + path(e) + " has the wrong type");
    } catch (JsonProcessingException e) {
      throw new BadInputException(what + " is not a valid Node");
    }
    return NodeFactsMapper.facts(node);
  }

  /** The field path of a mapping failure, e.g. {@code spec.taints[0].effect}. */
  private static String path(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference reference : e.getPath()) {
      if (reference.getFieldName() != null) {
        if (!path.isEmpty()) {
          path.append('.');
        }
        path.append(reference.getFieldName());
      } else if (reference.getIndex() >= 0) {
        path.append('[').append(reference.getIndex()).append(']');
      }
    }
    return path.isEmpty() ? "a field" : path.toString();
  }
}
