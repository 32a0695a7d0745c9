package io.wgguard.felix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wgguard.policy.AdmissionInput;
import io.wgguard.policy.AdmissionInput.Operation;
import io.wgguard.policy.AdmissionInput.Requester;
import java.util.List;

/** Test builders: {@code felix("default").wireguard(true)}, {@code update(old, now).by(...)}. */
public final class Felix {

  static final ObjectMapper JSON = new ObjectMapper();

  private final ObjectNode node = JSON.createObjectNode();

  private Felix(String apiVersion, String name) {
    node.put("apiVersion", apiVersion);
    node.put("kind", "FelixConfiguration");
    node.putObject("metadata").put("name", name);
    node.putObject("spec");
  }

  /** A {@code crd.projectcalico.org/v1} FelixConfiguration. */
  public static Felix felix(String name) {
    return new Felix("crd.projectcalico.org/v1", name);
  }

  /** A {@code projectcalico.org/v3} FelixConfiguration. */
  public static Felix felixV3(String name) {
    return new Felix("projectcalico.org/v3", name);
  }

  public Felix wireguard(boolean on) {
    ((ObjectNode) node.get("spec")).put("wireguardEnabled", on);
    return this;
  }

  public Felix wireguardV6(boolean on) {
    ((ObjectNode) node.get("spec")).put("wireguardEnabledV6", on);
    return this;
  }

  public Felix hostEncryption(boolean on) {
    ((ObjectNode) node.get("spec")).put("wireguardHostEncryptionEnabled", on);
    return this;
  }

  /** Any spec field, value given as JSON text. */
  public Felix spec(String field, String json) {
    try {
      ((ObjectNode) node.get("spec")).set(field, JSON.readTree(json));
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
    return this;
  }

  public Felix selector(String selector) {
    ((ObjectNode) node.get("spec")).put("nodeSelector", selector);
    return this;
  }

  public Felix label(String key, String value) {
    metadata().with("labels").put(key, value);
    return this;
  }

  public Felix annotation(String key, String value) {
    metadata().with("annotations").put(key, value);
    return this;
  }

  public Felix override(String ticket) {
    return label("wgguard.io/override", ticket);
  }

  public Felix expires(String time) {
    return annotation("wgguard.io/override-expires", time);
  }

  public Felix created(String timestamp) {
    metadata().put("creationTimestamp", timestamp);
    return this;
  }

  private ObjectNode metadata() {
    return (ObjectNode) node.get("metadata");
  }

  public JsonNode json() {
    return node.deepCopy();
  }

  public FelixObject object() {
    return FelixObjects.read(node);
  }

  // Requests.

  public static Req create(Felix object) {
    return new Req(Operation.CREATE, null, object);
  }

  public static Req update(Felix old, Felix now) {
    return new Req(Operation.UPDATE, old, now);
  }

  public static Req delete(Felix old) {
    return new Req(Operation.DELETE, old, null);
  }

  /** A request under construction; {@link #input()} gives the policy input. */
  public static final class Req {
    private final Operation operation;
    private final Felix old;
    private final Felix now;
    private String group = "crd.projectcalico.org";
    private Requester user = new Requester("admin", List.of("system:masters"));
    private boolean dryRun;

    Req(Operation operation, Felix old, Felix now) {
      this.operation = operation;
      this.old = old;
      this.now = now;
    }

    public Req by(String username, String... groups) {
      user = new Requester(username, List.of(groups));
      return this;
    }

    public Req v3() {
      group = "projectcalico.org";
      return this;
    }

    public Req dryRun() {
      dryRun = true;
      return this;
    }

    public AdmissionInput input() {
      return new AdmissionInput(
          operation,
          group,
          old == null ? null : old.object(),
          now == null ? null : now.object(),
          user,
          dryRun,
          old == null ? null : FelixPath.read(old.json()),
          now == null ? null : FelixPath.read(now.json()));
    }
  }
}
