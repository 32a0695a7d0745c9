package io.wgguard.felix;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Felix's config file as a calico-node pod template may replace it. calico-node starts Felix with
 * the fixed path {@value #PATH} ({@code node/pkg/node/command.go}; {@code calico-felix} takes it
 * from {@code --config-file}, {@code felix/cmd/calico-felix/calico-felix.go}; no {@code
 * FELIX_CONFIGFILE} variable moves it: Felix logs it as an unknown parameter). The file outranks
 * every FelixConfiguration and is outranked by the environment ({@code
 * felix/config/config_params.go} {@code SourcesInDescendingOrder}). The image ships one that sets
 * no WireGuard parameter; a volume mounted over it (or over {@code /etc/calico}, {@code /etc},
 * {@code /}) replaces it.
 *
 * <p>The file is INI ({@code felix/config/file_loader.go}, gopkg.in/ini): sections are ignored,
 * {@code key = value} or {@code key: value}, {@code #} and {@code ;} start a comment (inline too),
 * surrounding quotes are removed, a later key replaces an earlier; names are matched after Go's
 * lower-casing, as every source is.
 *
 * @param mountPath where the volume is mounted in the calico-node container
 * @param subPath the mount's {@code subPath}, empty when none
 * @param volumeKind the volume's kind ({@code configMap}, {@code secret}, {@code hostPath}, ...)
 * @param reference the ConfigMap's name for {@code configMap}, else empty
 * @param key the ConfigMap key that becomes {@value #PATH}, empty when none does (the file is then
 *     absent, which Felix accepts)
 */
public record FelixConfigFile(
    String mountPath, String subPath, String volumeKind, String reference, String key) {

  /** The config file calico-node's Felix reads. */
  public static final String PATH = "/etc/calico/felix.cfg";

  /** Where it comes from, for messages. */
  public String describe() {
    return switch (volumeKind) {
      case "configMap" ->
          key.isEmpty()
              ? "ConfigMap %s mounted at %s, which holds no felix.cfg"
                  .formatted(reference, mountPath)
              : "ConfigMap %s key %s mounted as %s".formatted(reference, key, PATH);
      case "emptyDir" -> "an emptyDir mounted at " + mountPath;
      default -> "a %s volume mounted at %s".formatted(volumeKind, mountPath);
    };
  }

  /**
   * The value Felix reads for a parameter from this file: empty when the file does not set it, null
   * when the file cannot be read (a volume other than a known ConfigMap).
   */
  List<String> values(String felixParam, String namespace, CalicoNodeEnvironment.ConfigMaps maps) {
    if (volumeKind.equals("emptyDir") || (volumeKind.equals("configMap") && key.isEmpty())) {
      return List.of(); // the file is absent: "Ignoring absent config file"
    }
    if (!volumeKind.equals("configMap")) {
      return null;
    }
    Optional<Map<String, String>> data = maps.data(namespace, reference);
    if (data.isEmpty()) {
      return null;
    }
    String text = data.get().get(key);
    if (text == null) {
      return List.of();
    }
    String wanted = GoText.toLower(felixParam);
    List<String> values = new ArrayList<>();
    parse(text)
        .forEach(
            (name, value) -> {
              if (GoText.toLower(name).equals(wanted)) {
                values.add(value);
              }
            });
    return values;
  }

  /** The keys and values of an INI text, as gopkg.in/ini loads them with Felix's options. */
  static Map<String, String> parse(String text) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String raw : text.split("\r?\n|\r")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";") || line.startsWith("[")) {
        continue;
      }
      int delimiter = -1;
      for (int i = 0; i < line.length(); i++) {
        if (line.charAt(i) == '=' || line.charAt(i) == ':') {
          delimiter = i;
          break;
        }
      }
      if (delimiter <= 0) {
        continue;
      }
      String name = line.substring(0, delimiter).strip();
      String value = line.substring(delimiter + 1).strip();
      if (value.length() >= 2
          && (value.charAt(0) == '"' || value.charAt(0) == '`')
          && value.charAt(value.length() - 1) == value.charAt(0)) {
        value = value.substring(1, value.length() - 1);
      } else {
        int comment = indexOfAny(value, "#;");
        if (comment >= 0) {
          value = value.substring(0, comment).strip();
        }
      }
      values.put(name, value);
    }
    return values;
  }

  private static int indexOfAny(String text, String chars) {
    for (int i = 0; i < text.length(); i++) {
      if (chars.indexOf(text.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The mount of the calico-node container that provides {@value #PATH}, if one does: the deepest
   * mount covering it, with its volume from the pod spec.
   */
  static Optional<FelixConfigFile> of(JsonNode container, JsonNode pod) {
    JsonNode best = null;
    String bestPath = "";
    for (JsonNode mount : container.path("volumeMounts")) {
      String mountPath = mount.path("mountPath").asText("");
      String normal =
          mountPath.length() > 1 && mountPath.endsWith("/")
              ? mountPath.substring(0, mountPath.length() - 1)
              : mountPath;
      boolean covers =
          normal.equals(PATH) || PATH.startsWith(normal.equals("/") ? "/" : normal + "/");
      if (covers && normal.length() > bestPath.length()) {
        best = mount;
        bestPath = normal;
      }
    }
    if (best == null) {
      return Optional.empty();
    }
    String subPath = best.path("subPath").asText("");
    String inMount =
        bestPath.equals(PATH)
            ? ""
            : PATH.substring(bestPath.equals("/") ? 1 : bestPath.length() + 1);
    String inVolume =
        subPath.isEmpty() ? inMount : inMount.isEmpty() ? subPath : subPath + "/" + inMount;
    String volumeName = best.path("name").asText("");
    JsonNode volume = null;
    for (JsonNode v : pod.path("volumes")) {
      if (volumeName.equals(v.path("name").asText(null))) {
        volume = v;
      }
    }
    if (volume == null) {
      return Optional.of(new FelixConfigFile(bestPath, subPath, "missing", "", ""));
    }
    JsonNode configMap = volume.get("configMap");
    if (configMap != null && configMap.isObject()) {
      String key = "";
      JsonNode items = configMap.get("items");
      if (items != null && items.isArray() && !items.isEmpty()) {
        for (JsonNode item : items) {
          if (inVolume.equals(item.path("path").asText(null))) {
            key = item.path("key").asText("");
          }
        }
      } else if (!inVolume.isEmpty() && !inVolume.contains("/")) {
        key = inVolume;
      }
      return Optional.of(
          new FelixConfigFile(
              bestPath, subPath, "configMap", configMap.path("name").asText(""), key));
    }
    String kind = "volume";
    var names = volume.fieldNames();
    while (names.hasNext()) {
      String field = names.next();
      if (!field.equals("name")) {
        kind = field;
        break;
      }
    }
    return Optional.of(new FelixConfigFile(bestPath, subPath, kind, "", ""));
  }
}
