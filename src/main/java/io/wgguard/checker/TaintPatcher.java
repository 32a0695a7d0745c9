package io.wgguard.checker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.wgguard.Names;
import io.wgguard.evidence.Taint;
import io.wgguard.evidence.TaintEffect;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Writes wgguard's taint on one node, and only that taint.
 *
 * <p>Reads the node fresh, and writes only when its {@code wgguard.io/wireguard-not-ready} taints
 * differ from the wanted one. {@code spec.taints} has no merge key, so any patch replaces the whole
 * list: the JSON patch sets the list to every other taint as read plus ours, and sets {@code
 * metadata.resourceVersion} to the version read, which makes the API server refuse it with 409 if
 * anyone changed the node since. On 409 it reads again and retries, so a taint someone else added
 * in between is never lost.
 */
@ApplicationScoped
public class TaintPatcher {

  /** What became of a change. */
  public enum Outcome {
    /** The node now carries the wanted taint (or none). */
    APPLIED,
    /** The node already was as wanted: nothing written. */
    ALREADY_SO,
    /** The node no longer exists. */
    NODE_GONE,
    /** Conflicts or errors on every attempt. */
    FAILED
  }

  static final int ATTEMPTS = 5;
  private static final Logger LOG = Logger.getLogger(TaintPatcher.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;

  public TaintPatcher(KubernetesClient client) {
    this.client = client;
  }

  /** Makes the node carry exactly {@code wanted} as wgguard's taint ({@code null}: none). */
  public Outcome apply(String nodeName, Taint wanted) {
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      Node node;
      try {
        node = client.nodes().withName(nodeName).get();
      } catch (KubernetesClientException e) {
        LOG.warnf("cannot read node %s: %s", nodeName, e.getMessage());
        continue;
      }
      if (node == null) {
        return Outcome.NODE_GONE;
      }
      List<io.fabric8.kubernetes.api.model.Taint> all =
          node.getSpec() == null || node.getSpec().getTaints() == null
              ? List.of()
              : node.getSpec().getTaints();
      List<io.fabric8.kubernetes.api.model.Taint> ours =
          all.stream().filter(t -> Names.NOT_READY_TAINT.equals(t.getKey())).toList();
      if (matches(ours, wanted)) {
        return Outcome.ALREADY_SO;
      }
      try {
        client
            .nodes()
            .withName(nodeName)
            .patch(PatchContext.of(PatchType.JSON), patch(node, all, wanted));
        return Outcome.APPLIED;
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          return Outcome.NODE_GONE;
        }
        if (e.getCode() != 409) {
          LOG.warnf("cannot patch taints of node %s: %s", nodeName, e.getMessage());
        } else {
          LOG.debugf("node %s changed since read (attempt %d); reading again", nodeName, attempt);
        }
      }
    }
    return Outcome.FAILED;
  }

  private static boolean matches(List<io.fabric8.kubernetes.api.model.Taint> ours, Taint wanted) {
    if (wanted == null) {
      return ours.isEmpty();
    }
    return ours.size() == 1
        && wanted.value().equals(nullToEmpty(ours.get(0).getValue()))
        && wanted.effect().equals(ours.get(0).getEffect());
  }

  private static String patch(
      Node node, List<io.fabric8.kubernetes.api.model.Taint> all, Taint wanted) {
    ArrayNode taints = JSON.createArrayNode();
    for (io.fabric8.kubernetes.api.model.Taint t : all) {
      if (!Names.NOT_READY_TAINT.equals(t.getKey())) {
        taints.add(JSON.<ObjectNode>valueToTree(t));
      }
    }
    if (wanted != null) {
      ObjectNode taint = taints.addObject();
      taint.put("key", Names.NOT_READY_TAINT);
      taint.put("value", wanted.value());
      taint.put("effect", wanted.effect());
      if (TaintEffect.NO_EXECUTE.wire().equals(wanted.effect())) {
        // Tolerations with tolerationSeconds count from here, as with `kubectl taint`.
        taint.put("timeAdded", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
      }
    }
    ArrayNode ops = JSON.createArrayNode();
    ops.addObject()
        .put("op", "replace")
        .put("path", "/metadata/resourceVersion")
        .put("value", node.getMetadata().getResourceVersion());
    if (taints.isEmpty()) {
      ops.addObject().put("op", "remove").put("path", "/spec/taints");
    } else {
      ObjectNode set = ops.addObject().put("op", "add").put("path", "/spec/taints");
      set.set("value", taints);
    }
    return ops.toString();
  }

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }
}
