package io.wgguard.felix;

import io.wgguard.FieldPath;
import io.wgguard.Messages;
import io.wgguard.Names;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What wgguard reads of one FelixConfiguration, from either API group. Built by {@link
 * FelixObjects}; admission and the node checker read objects through the same code.
 *
 * @param name {@code metadata.name}
 * @param scope where the object applies
 * @param created {@code metadata.creationTimestamp}, null when absent (e.g. on CREATE)
 * @param labels top-level labels
 * @param annotations top-level annotations
 * @param calicoLabels labels kept by calico-apiserver inside {@code projectcalico.org/metadata}
 * @param calicoAnnotations annotations kept inside {@code projectcalico.org/metadata}
 * @param spec JSON text of each guarded field present under {@code spec}, e.g. {@code true}
 * @param problems what could not be read, each a sentence with its field path
 * @param undecodable why Calico cannot decode {@code projectcalico.org/metadata} ({@link
 *     GoObjectMeta}), empty when it can: Felix then never sees the object
 */
public record FelixObject(
    String name,
    Scope scope,
    Instant created,
    Map<String, String> labels,
    Map<String, String> annotations,
    Map<String, String> calicoLabels,
    Map<String, String> calicoAnnotations,
    Map<GuardedField, String> spec,
    List<String> problems,
    String undecodable) {

  public FelixObject {
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
    calicoLabels = Map.copyOf(calicoLabels);
    calicoAnnotations = Map.copyOf(calicoAnnotations);
    spec = Map.copyOf(spec);
    problems = List.copyOf(problems);
  }

  /** A label, looked up at top level first, then in the calico-apiserver metadata. */
  public Optional<String> label(String key) {
    String top = labels.get(key);
    return Optional.ofNullable(top != null ? top : calicoLabels.get(key));
  }

  /** An annotation, looked up at top level first, then in the calico-apiserver metadata. */
  public Optional<String> annotation(String key) {
    String top = annotations.get(key);
    return Optional.ofNullable(top != null ? top : calicoAnnotations.get(key));
  }

  /**
   * What this object asserts for a field: an annotation override {@code
   * config.projectcalico.org/<Param>} if one parses, else the spec field. On {@code default} an
   * absent field asserts false; elsewhere it asserts nothing (inherits). An inert object (a name
   * Felix does not read and no selector) asserts nothing, and so does an object whose {@code
   * projectcalico.org/metadata} Calico cannot decode (Felix never sees it); on {@code default} that
   * object asserts false, as Felix cannot start without it ({@code felix/daemon/daemon.go} {@code
   * loadConfigFromDatastore} fails).
   *
   * <p>The annotations are the ones Felix sees: those inside {@code projectcalico.org/metadata}
   * replace the object's own of the same name ({@code resources.go} {@code
   * ConvertK8sResourceToCalicoResource}). The prefix {@code config.projectcalico.org/} is matched
   * exactly ({@code updateprocessors/configurationprocessor.go} {@code strings.HasPrefix}); the
   * rest of the name is folded by Go's {@code strings.ToLower} ({@link GoText#toLower}) before it
   * is matched ({@code felix/config/config_params.go} {@code resolve}); {@code none} means false;
   * when several names fold to the parameter, Felix takes them in map order, so false wins.
   */
  public FieldReading read(GuardedField field) {
    List<UnreadableValue> invalid = new ArrayList<>();
    List<String> sources = new ArrayList<>();
    Boolean fromAnnotations = null;
    String annotationPath = null;
    String annotationRaw = null;
    for (var entry : overrideAnnotations(field)) {
      String path = entry.get(0);
      String raw = entry.get(1);
      sources.add(path + "=" + raw);
      Boolean parsed = FelixBool.parse(raw);
      if (parsed == null) {
        invalid.add(
            new UnreadableValue(
                path,
                path
                    + " has value '"
                    + Messages.clip(raw)
                    + "', which Felix does not read as a boolean (true, false, none)"));
      } else if (fromAnnotations == null || (fromAnnotations && !parsed)) {
        fromAnnotations = parsed;
        annotationPath = path;
        annotationRaw = raw;
      }
    }
    String specRaw = spec.get(field);
    if (specRaw != null) {
      sources.add(field.specPath() + "=" + specRaw);
    }
    String fingerprint = FieldReading.fingerprint(scope, sources);
    if (scope.kind() == Scope.Kind.INERT) {
      return new FieldReading(null, "", "", invalid, fingerprint);
    }
    if (!undecodable.isEmpty()) {
      return scope.kind() == Scope.Kind.GLOBAL
          ? new FieldReading(false, METADATA_PATH, "undecodable", invalid, fingerprint)
          : new FieldReading(null, "", "", invalid, fingerprint);
    }
    if (fromAnnotations != null) {
      return new FieldReading(fromAnnotations, annotationPath, annotationRaw, invalid, fingerprint);
    }
    if (specRaw != null) {
      switch (specRaw) {
        case "true" -> {
          return new FieldReading(true, field.specPath(), specRaw, invalid, fingerprint);
        }
        case "false" -> {
          return new FieldReading(false, field.specPath(), specRaw, invalid, fingerprint);
        }
        default ->
            invalid.add(
                new UnreadableValue(
                    field.specPath(),
                    field.specPath() + " has value " + Messages.clip(specRaw) + ", not a boolean"));
      }
    }
    if (scope.kind() == Scope.Kind.GLOBAL && !field.felixDefault()) {
      return new FieldReading(false, field.specPath(), "", invalid, fingerprint);
    }
    // Elsewhere absent inherits; on default, ipv6Support absent is Felix's built-in true.
    return new FieldReading(null, "", "", invalid, fingerprint);
  }

  private static final String METADATA_PATH =
      FieldPath.annotation(Names.CALICO_METADATA_ANNOTATION);

  /** The annotations Felix sees, each with its field path: metadata's replace the object's. */
  private Map<String, String[]> felixAnnotations() {
    Map<String, String[]> seen = new java.util.TreeMap<>();
    annotations.forEach(
        (key, value) -> {
          if (!key.equals(Names.CALICO_METADATA_ANNOTATION)) {
            seen.put(key, new String[] {FieldPath.annotation(key), value});
          }
        });
    calicoAnnotations.forEach(
        (key, value) ->
            seen.put(key, new String[] {METADATA_PATH + ".annotations[" + key + "]", value}));
    return seen;
  }

  private List<List<String>> overrideAnnotations(GuardedField field) {
    return overrides(field.felixParam());
  }

  /**
   * The annotation overrides Felix reads for one parameter, as (field path, value) pairs sorted by
   * name: exact prefix, the rest folded by Go's {@code strings.ToLower}.
   */
  List<List<String>> overrides(String felixParam) {
    String wanted = GoText.toLower(felixParam);
    List<List<String>> found = new ArrayList<>();
    String prefix = Names.FELIX_CONFIG_ANNOTATION_PREFIX;
    felixAnnotations()
        .forEach(
            (key, pathAndValue) -> {
              if (key.startsWith(prefix)
                  && GoText.toLower(key.substring(prefix.length())).equals(wanted)) {
                found.add(List.of(pathAndValue[0], pathAndValue[1]));
              }
            });
    return found;
  }
}
