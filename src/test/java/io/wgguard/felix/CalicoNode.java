package io.wgguard.felix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds calico-node DaemonSets as JSON, as the API server sends them, for table tests. */
public final class CalicoNode {

  static final ObjectMapper JSON = new ObjectMapper();

  private final ObjectNode root = JSON.createObjectNode();

  private CalicoNode(String namespace, String name) {
    root.put("apiVersion", "apps/v1").put("kind", "DaemonSet");
    root.putObject("metadata").put("namespace", namespace).put("name", name);
    ObjectNode pod = root.putObject("spec").putObject("template").putObject("spec");
    ObjectNode container = pod.putArray("containers").addObject();
    container.put("name", CalicoNodeEnvironment.CONTAINER).put("image", "calico/node:v3.31.0");
    container.putArray("env").addObject().put("name", "DATASTORE_TYPE").put("value", "kubernetes");
  }

  /** DaemonSet {@code calico-node} in {@code namespace}. */
  public static CalicoNode calicoNode(String namespace) {
    return new CalicoNode(namespace, "calico-node");
  }

  /** The same DaemonSet, copied, so old and new objects can differ. */
  public CalicoNode copy() {
    CalicoNode node = new CalicoNode("", "");
    node.root.removeAll();
    node.root.setAll(root.deepCopy());
    return node;
  }

  private ObjectNode pod() {
    return (ObjectNode) root.path("spec").path("template").path("spec");
  }

  private ObjectNode container() {
    for (JsonNode c : pod().path("containers")) {
      if (CalicoNodeEnvironment.CONTAINER.equals(c.path("name").asText())) {
        return (ObjectNode) c;
      }
    }
    throw new IllegalStateException("no calico-node container");
  }

  private ArrayNode env() {
    return (ArrayNode) container().path("env");
  }

  private ArrayNode envFrom() {
    ObjectNode c = container();
    return c.has("envFrom") ? (ArrayNode) c.get("envFrom") : c.putArray("envFrom");
  }

  /** Adds {@code name=value} to the calico-node container's env. */
  public CalicoNode env(String name, String value) {
    env().addObject().put("name", name).put("value", value);
    return this;
  }

  /** Adds {@code name} from ConfigMap {@code map} key {@code key}. */
  public CalicoNode envFromConfigMapKey(String name, String map, String key) {
    env()
        .addObject()
        .put("name", name)
        .putObject("valueFrom")
        .putObject("configMapKeyRef")
        .put("name", map)
        .put("key", key);
    return this;
  }

  /** Adds {@code name} from Secret {@code secret} key {@code key}. */
  public CalicoNode envFromSecretKey(String name, String secret, String key) {
    env()
        .addObject()
        .put("name", name)
        .putObject("valueFrom")
        .putObject("secretKeyRef")
        .put("name", secret)
        .put("key", key);
    return this;
  }

  /** Adds {@code name} from a field of the pod. */
  public CalicoNode envFromField(String name, String fieldPath) {
    env()
        .addObject()
        .put("name", name)
        .putObject("valueFrom")
        .putObject("fieldRef")
        .put("fieldPath", fieldPath);
    return this;
  }

  /** Adds every key of ConfigMap {@code map}, with {@code prefix} (null: none). */
  public CalicoNode envFromConfigMap(String map, String prefix) {
    ObjectNode from = envFrom().addObject();
    if (prefix != null) {
      from.put("prefix", prefix);
    }
    from.putObject("configMapRef").put("name", map);
    return this;
  }

  /** Adds every key of Secret {@code secret}, with {@code prefix} (null: none). */
  public CalicoNode envFromSecret(String secret, String prefix) {
    ObjectNode from = envFrom().addObject();
    if (prefix != null) {
      from.put("prefix", prefix);
    }
    from.putObject("secretRef").put("name", secret);
    return this;
  }

  /**
   * Adds an init container with {@code name=value} in its env (init containers do not run Felix).
   */
  public CalicoNode initEnv(String name, String value) {
    ArrayNode inits =
        pod().has("initContainers")
            ? (ArrayNode) pod().get("initContainers")
            : pod().putArray("initContainers");
    ObjectNode init = inits.addObject().put("name", "install-cni").put("image", "calico/cni");
    init.putArray("env").addObject().put("name", name).put("value", value);
    return this;
  }

  /** Adds a sidecar container named {@code name} with {@code variable=value}. */
  public CalicoNode sidecarEnv(String name, String variable, String value) {
    ObjectNode sidecar =
        ((ArrayNode) pod().get("containers")).addObject().put("name", name).put("image", "x");
    sidecar.putArray("env").addObject().put("name", variable).put("value", value);
    return this;
  }

  /** Sets the calico-node container's command, e.g. {@code /bin/sh -c "..."}. */
  public CalicoNode command(String... words) {
    ArrayNode command = container().putArray("command");
    for (String word : words) {
      command.add(word);
    }
    return this;
  }

  /** Mounts ConfigMap {@code map} at {@code mountPath} (with {@code subPath} when not empty). */
  public CalicoNode mountConfigMap(String map, String mountPath, String subPath) {
    ObjectNode mount =
        (container().has("volumeMounts")
                ? (ArrayNode) container().get("volumeMounts")
                : container().putArray("volumeMounts"))
            .addObject()
            .put("name", "felix-config")
            .put("mountPath", mountPath);
    if (!subPath.isEmpty()) {
      mount.put("subPath", subPath);
    }
    (pod().has("volumes") ? (ArrayNode) pod().get("volumes") : pod().putArray("volumes"))
        .addObject()
        .put("name", "felix-config")
        .putObject("configMap")
        .put("name", map);
    return this;
  }

  /** Mounts a hostPath volume at {@code mountPath}. */
  public CalicoNode mountHostPath(String path, String mountPath) {
    (container().has("volumeMounts")
            ? (ArrayNode) container().get("volumeMounts")
            : container().putArray("volumeMounts"))
        .addObject()
        .put("name", "host-config")
        .put("mountPath", mountPath);
    (pod().has("volumes") ? (ArrayNode) pod().get("volumes") : pod().putArray("volumes"))
        .addObject()
        .put("name", "host-config")
        .putObject("hostPath")
        .put("path", path);
    return this;
  }

  /** Renames the calico-node container. */
  public CalicoNode renameContainer(String name) {
    container().put("name", name);
    return this;
  }

  /** Sets the image of the calico-node container. */
  public CalicoNode image(String image) {
    container().put("image", image);
    return this;
  }

  /** Adds {@code key=value} to the pod template's nodeSelector. */
  public CalicoNode nodeSelector(String key, String value) {
    ObjectNode selector =
        pod().has("nodeSelector")
            ? (ObjectNode) pod().get("nodeSelector")
            : pod().putObject("nodeSelector");
    selector.put(key, value);
    return this;
  }

  /** Adds a label to the DaemonSet. */
  public CalicoNode label(String key, String value) {
    metadata().with("labels").put(key, value);
    return this;
  }

  /** Adds an annotation to the DaemonSet. */
  public CalicoNode annotation(String key, String value) {
    metadata().with("annotations").put(key, value);
    return this;
  }

  /** Labels the DaemonSet {@code wgguard.io/override=<ticket>}. */
  public CalicoNode override(String ticket) {
    return label(io.wgguard.Names.OVERRIDE_LABEL, ticket);
  }

  /** Annotates the DaemonSet {@code wgguard.io/override-expires=<time>}. */
  public CalicoNode expires(String time) {
    return annotation(io.wgguard.Names.OVERRIDE_EXPIRES_ANNOTATION, time);
  }

  private ObjectNode metadata() {
    return (ObjectNode) root.get("metadata");
  }

  /** The DaemonSet as JSON. */
  public JsonNode json() {
    return root.deepCopy();
  }

  /** The DaemonSet as wgguard reads it. */
  public CalicoNodeEnvironment environment() {
    return CalicoNodeEnvironment.read(json());
  }
}
