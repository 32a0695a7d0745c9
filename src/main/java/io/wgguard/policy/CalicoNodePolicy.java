package io.wgguard.policy;

import io.wgguard.FieldPath;
import io.wgguard.Names;
import io.wgguard.felix.CalicoNodeEnvironment;
import io.wgguard.felix.CalicoNodeEnvironment.ConfigMaps;
import io.wgguard.felix.EnvironmentSetting;
import io.wgguard.felix.EnvironmentSetting.State;
import io.wgguard.felix.FelixConfigFile;
import io.wgguard.felix.GuardedField;
import io.wgguard.policy.AdmissionInput.Operation;
import io.wgguard.policy.Violation.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Decides whether a write to a calico-node DaemonSet may switch WireGuard off through Felix's
 * environment, which outranks every FelixConfiguration. A pure function of the request, the
 * settings and the given instant.
 *
 * <p>Per guarded field, only when the write changes the environment entries that may set it (an
 * image bump or a resource change is allowed at once, nothing parsed beyond the names):
 *
 * <ul>
 *   <li>the calico-node container now turns the field off ({@link State#OFF}: a false value, or one
 *       Felix cannot read and replaces by its default, false) where the old template did not: the
 *       write switches WireGuard off on every node the DaemonSet runs on;
 *   <li>the field may now be set from a ConfigMap, Secret or field ({@link State#UNKNOWN}):
 *       admission cannot see the value Felix will read;
 *   <li>the template no longer has a container named {@code calico-node}: wgguard can no longer
 *       tell which environment Felix reads.
 * </ul>
 *
 * Each needs a valid override on the DaemonSet, under the rules of FelixConfigurations ({@link
 * OverrideCheck}), single-use included. A write that keeps the field off is allowed with a warning.
 */
public final class CalicoNodePolicy {

  private static final String CONTAINER_PATH =
      "spec.template.spec.containers[" + CalicoNodeEnvironment.CONTAINER + "]";

  private final PolicySettings settings;
  private final OverrideCheck overrides;

  public CalicoNodePolicy(PolicySettings settings) {
    this.settings = settings;
    this.overrides = new OverrideCheck(settings);
  }

  /** Judges one request at instant {@code now}. */
  public Decision decide(CalicoNodeInput input, Instant now) {
    CalicoNodeEnvironment after = input.newObject();
    if (after == null
        || (input.operation() != Operation.CREATE && input.operation() != Operation.UPDATE)) {
      return Decision.allow(List.of());
    }
    CalicoNodeEnvironment before = input.oldObject();
    List<Violation> disables = new ArrayList<>();
    List<Violation> unknown = new ArrayList<>();
    List<String> keepsOff = new ArrayList<>();
    if (!after.hasContainer() && (before == null || before.hasContainer())) {
      unknown.add(
          new Violation(
              "spec.template.spec.containers",
              Type.NOT_JUDGEABLE,
              "the pod template has no container named "
                  + CalicoNodeEnvironment.CONTAINER
                  + ", so wgguard cannot tell which environment Felix reads"));
    }
    for (GuardedField field : GuardedField.values()) {
      if (!settings.judges(field)
          || (field == GuardedField.IPV6_SUPPORT && input.operation() == Operation.CREATE)) {
        // A new calico-node starting IPv4-only (FELIX_IPV6SUPPORT=false, as Calico's manifests
        // ship it) switches nothing off: no Felix ran IPv6 WireGuard under it.
        continue;
      }
      String previous = before == null ? "" : before.fingerprint(field);
      if (previous.equals(after.fingerprint(field))) {
        continue; // the write leaves this field's variables alone
      }
      EnvironmentSetting setting = after.setting(field, ConfigMaps.none());
      State was = before == null ? State.UNSET : before.setting(field, ConfigMaps.none()).state();
      String path;
      if (setting.source().startsWith("spec.")) {
        path = setting.source(); // the command
      } else if (setting.variable().startsWith("felix.cfg")) {
        path = CONTAINER_PATH + ".volumeMounts[" + FelixConfigFile.PATH + "]";
      } else {
        path = FieldPath.env(CONTAINER_PATH, setting.variable());
      }
      switch (setting.state()) {
        case OFF -> {
          if (was == State.OFF) {
            keepsOff.add(
                setting.detail() + " (as before): that traffic is not encrypted on those nodes");
          } else {
            disables.add(new Violation(path, Type.DISABLES, setting.detail()));
          }
        }
        case UNKNOWN ->
            unknown.add(
                new Violation(
                    path,
                    Type.NOT_JUDGEABLE,
                    setting.detail()
                        + " at admission, so it may switch WireGuard off for "
                        + field.covers()
                        + " unseen"));
        case ON, UNSET -> {
          // Nothing switched off.
        }
      }
    }
    if (disables.isEmpty() && unknown.isEmpty()) {
      return Decision.allow(keepsOff);
    }

    List<Violation> overrideProblems =
        overrides.problems(
            new OverrideCheck.Carried(
                input.ticket(), input.previousTicket(), input.expires(), false),
            input.user(),
            now);
    List<Violation> all = new ArrayList<>(disables);
    all.addAll(unknown);
    Map<String, String> audit = new LinkedHashMap<>();
    audit.put(Names.AUDIT_SCOPE, "daemonset:" + after.id());
    audit.put(Names.AUDIT_OBJECT, "DaemonSet " + after.id());
    audit.put(Names.AUDIT_DISABLED_FIELDS, fields(all));
    if (input.dryRun()) {
      audit.put(Names.AUDIT_DRY_RUN, "true");
    }
    String requester = OverrideCheck.requester(input.user());
    if (overrideProblems.isEmpty()) {
      String ticket = input.ticket().orElse("");
      String expires = input.expires().orElse("none");
      return Decision.overridden(
          keepsOff,
          ("calico-node environment on DaemonSet %s may switch WireGuard off under override %s by"
                  + " %s (expires %s): %s")
              .formatted(after.id(), ticket, requester, expires, details(all)),
          audit,
          all,
          ticket,
          requester,
          expires);
    }
    all.addAll(overrideProblems);
    return Decision.refused(
        settings.enforce(),
        refusal(after, disables, unknown, overrideProblems),
        keepsOff,
        audit,
        all);
  }

  private String refusal(
      CalicoNodeEnvironment after,
      List<Violation> disables,
      List<Violation> unknown,
      List<Violation> overrideProblems) {
    List<String> what = new ArrayList<>();
    if (!disables.isEmpty()) {
      what.add(
          "DaemonSet %s would switch WireGuard off on every node it runs on, above every FelixConfiguration: %s"
              .formatted(after.id(), details(disables)));
    }
    if (!unknown.isEmpty()) {
      what.add(
          "DaemonSet %s takes Felix's WireGuard settings from where admission cannot judge them: %s"
              .formatted(after.id(), details(unknown)));
    }
    return "%s. Refused because %s. %s%s"
        .formatted(
            String.join(". ", what),
            details(overrideProblems),
            overrides.howTo(false),
            unknown.isEmpty()
                ? ""
                : " Or give the variable a literal value in the calico-node container, which"
                    + " admission can judge.");
  }

  private static String details(List<Violation> violations) {
    return violations.stream().map(Violation::detail).collect(Collectors.joining("; "));
  }

  private static String fields(List<Violation> violations) {
    return violations.stream().map(Violation::field).distinct().collect(Collectors.joining(","));
  }
}
