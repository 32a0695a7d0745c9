package io.wgguard.felix;

/**
 * What the environment of a calico-node container makes of one guarded Felix parameter.
 *
 * @param field the guarded parameter
 * @param state what Felix will use
 * @param variable the variable that decides, e.g. {@code FELIX_WIREGUARDENABLED}; for {@link
 *     State#UNSET} the canonical name
 * @param raw the literal value that decides, empty when none
 * @param source where the value comes from, e.g. {@code env FELIX_WIREGUARDENABLED} or {@code
 *     envFrom ConfigMap calico-config}; empty for {@link State#UNSET}
 * @param detail a sentence for people, empty for {@link State#UNSET}
 */
public record EnvironmentSetting(
    GuardedField field, State state, String variable, String raw, String source, String detail) {

  /** What Felix makes of the environment for one parameter. */
  public enum State {
    /** No variable sets the parameter: FelixConfigurations decide. */
    UNSET,
    /** A variable turns the parameter on, above every FelixConfiguration. */
    ON,
    /** A variable turns the parameter off, above every FelixConfiguration. */
    OFF,
    /**
     * A variable may set the parameter from a ConfigMap, Secret or field that wgguard cannot read.
     */
    UNKNOWN
  }

  /** The canonical variable name of a field, e.g. {@code FELIX_WIREGUARDENABLED}. */
  public static String variable(GuardedField field) {
    return CalicoNodeEnvironment.FELIX_PREFIX
        + field.felixParam().toUpperCase(java.util.Locale.ROOT);
  }

  static EnvironmentSetting unset(GuardedField field) {
    return new EnvironmentSetting(field, State.UNSET, variable(field), "", "", "");
  }
}
