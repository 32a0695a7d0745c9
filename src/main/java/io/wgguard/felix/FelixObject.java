package io.wgguard.felix;

import io.wgguard.FieldPath;
import io.wgguard.Messages;
import io.wgguard.Names;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
    List<String> problems) {

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
   * config.projectcalico.org/<Param>} if one parses (Felix matches the name without regard to case;
   * {@code none} means false; when several disagree, false wins), else the spec field. On {@code
   * default} an absent field asserts false; elsewhere it asserts nothing (inherits). An inert
   * object (a name Felix does not read and no selector) asserts nothing.
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
    if (scope.kind() == Scope.Kind.GLOBAL) {
      return new FieldReading(false, field.specPath(), "", invalid, fingerprint);
    }
    return new FieldReading(null, "", "", invalid, fingerprint);
  }

  private List<List<String>> overrideAnnotations(GuardedField field) {
    String wanted =
        (Names.FELIX_CONFIG_ANNOTATION_PREFIX + field.felixParam()).toLowerCase(Locale.ROOT);
    List<List<String>> found = new ArrayList<>();
    annotations.entrySet().stream()
        .filter(e -> e.getKey().toLowerCase(Locale.ROOT).equals(wanted))
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> found.add(List.of(FieldPath.annotation(e.getKey()), e.getValue())));
    calicoAnnotations.entrySet().stream()
        .filter(e -> e.getKey().toLowerCase(Locale.ROOT).equals(wanted))
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e ->
                found.add(
                    List.of(
                        FieldPath.annotation(Names.CALICO_METADATA_ANNOTATION)
                            + ".annotations[%s]".formatted(e.getKey()),
                        e.getValue())));
    return found;
  }
}
