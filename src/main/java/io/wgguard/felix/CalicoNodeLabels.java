package io.wgguard.felix;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The labels a selector-scoped FelixConfiguration's {@code nodeSelector} is matched against: not
 * only the Kubernetes Node's labels. Calico's Kubernetes backend turns a Node into a Calico Node
 * whose labels are those of the annotation {@code projectcalico.org/labels} (JSON, written where
 * Calico node labels are set, e.g. by {@code calicoctl label nodes}), overwritten by the Kubernetes
 * labels of the same key ({@code libcalico-go/lib/backend/k8s/resources/node.go} {@code
 * K8sNodeToCalico}, {@code mergeCalicoAndK8sLabels}; {@code resources.go} {@code
 * SetCalicoMetadataFromK8sAnnotations}); Felix evaluates selectors on those ({@code
 * felix/calc/config_batcher.go} {@code onNodeUpdate}). An annotation Go cannot decode into a {@code
 * map[string]string} is ignored, as Calico ignores it (with a warning).
 */
public final class CalicoNodeLabels {

  /** The Node annotation holding Calico's own node labels. */
  public static final String ANNOTATION = "projectcalico.org/labels";

  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private CalicoNodeLabels() {}

  /**
   * The labels Felix sees on a node with these Kubernetes labels and annotations; the Kubernetes
   * labels themselves (the same map) when the node has no readable {@value #ANNOTATION}.
   */
  public static Map<String, String> of(
      Map<String, String> labels, Map<String, String> annotations) {
    String calico = annotations.get(ANNOTATION);
    if (calico == null) {
      return labels;
    }
    Map<String, String> merged = decode(calico);
    if (merged == null || merged.isEmpty()) {
      return labels;
    }
    merged.putAll(labels);
    return Map.copyOf(merged);
  }

  /** encoding/json into map[string]string: null values are "", anything else fails it all. */
  private static Map<String, String> decode(String text) {
    Map<String, String> map = new HashMap<>();
    try (JsonParser parser = FACTORY.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == JsonToken.VALUE_NULL) {
        return parser.nextToken() == null ? map : null;
      }
      if (first != JsonToken.START_OBJECT) {
        return null;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String key = parser.currentName();
        JsonToken value = parser.nextToken();
        if (value == JsonToken.VALUE_STRING) {
          map.put(key, parser.getText());
        } else if (value == JsonToken.VALUE_NULL) {
          map.put(key, "");
        } else {
          return null;
        }
      }
      return parser.nextToken() == null ? map : null;
    } catch (IOException e) {
      return null;
    }
  }
}
