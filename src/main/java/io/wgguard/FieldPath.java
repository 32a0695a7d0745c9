package io.wgguard;

/**
 * Field paths as wgguard names them in refusals, findings and audit annotations, e.g. {@code
 * metadata.annotations[config.projectcalico.org/WireguardEnabled]}: built here, not concatenated
 * where they are used.
 */
public final class FieldPath {

  private FieldPath() {}

  /** {@code metadata.annotations[key]}. */
  public static String annotation(String key) {
    return "metadata.annotations[%s]".formatted(key);
  }

  /** {@code metadata.labels[key]}. */
  public static String label(String key) {
    return "metadata.labels[%s]".formatted(key);
  }

  /** {@code status.conditions[type]}. */
  public static String condition(String type) {
    return "status.conditions[%s]".formatted(type);
  }

  /** {@code spec.field}. */
  public static String spec(String field) {
    return "spec." + field;
  }

  /** An environment variable of a container at {@code container}: {@code <container>.env[NAME]}. */
  public static String env(String container, String variable) {
    return "%s.env[%s]".formatted(container, variable);
  }
}
