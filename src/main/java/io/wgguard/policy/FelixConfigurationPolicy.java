package io.wgguard.policy;

import io.wgguard.FieldPath;
import io.wgguard.Names;
import io.wgguard.felix.ClusterView;
import io.wgguard.felix.FelixObject;
import io.wgguard.felix.FelixPath;
import io.wgguard.felix.FieldReading;
import io.wgguard.felix.GuardedField;
import io.wgguard.felix.PathWriteEffect;
import io.wgguard.felix.UnreadableValue;
import io.wgguard.felix.WriteEffect;
import io.wgguard.felix.WriteEffect.Flip;
import io.wgguard.policy.AdmissionInput.Operation;
import io.wgguard.policy.Violation.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Decides whether a FelixConfiguration write may switch WireGuard off. A pure function of the
 * request, the settings, the replica's view of the cluster and the given instant: no I/O, no clock.
 *
 * <p><b>A write is judged by its effect on nodes.</b> With a synced view that knows at least one
 * node, {@link WriteEffect} computes for every node and guarded field the effective value before
 * and after the write; the write switches WireGuard off when any of them goes from on to off. A
 * write that flips nothing is allowed, whatever the object says (a redundant {@code true} may go).
 *
 * <p>Without such a view (the caches are still listing, no node is known, the offline {@code
 * review} without a cluster dump) a conservative rule judges the object alone: within the object's
 * scope, a write switches a field off when it asserts false where the old object did not, removes
 * or narrows an asserted true, or deletes an object that asserts true. The audit annotation {@code
 * judged-by} says which rule decided.
 *
 * <p>Either way, a guarded value Felix cannot read is refused outright, and a write that switches
 * off needs a valid, single-use override ({@link OverrideCheck}).
 */
public final class FelixConfigurationPolicy {

  /** {@code judged-by} when the effect on nodes decided. */
  public static final String BY_EFFECT = "effect-on-nodes";

  /** {@code judged-by} when the view was not synced yet. */
  public static final String BY_OBJECT_NOT_SYNCED = "object-alone (no synced view of the cluster)";

  /**
   * {@code judged-by} when the written object's scope matches no known node ({@link
   * WriteEffect#reachesKnownNode}): the nodes it decides have not joined yet.
   */
  public static final String BY_OBJECT_NO_MATCH = "object-alone (its scope matches no known node)";

  /** {@code judged-by} when the view knows no node. */
  public static final String BY_OBJECT_NO_NODES = "object-alone (no node known)";

  private final PolicySettings settings;
  private final OverrideCheck overrides;

  public FelixConfigurationPolicy(PolicySettings settings) {
    this.settings = settings;
    this.overrides = new OverrideCheck(settings);
  }

  /** The settings this policy applies. */
  public PolicySettings settings() {
    return settings;
  }

  /** Judges one request at instant {@code now} without a view of the cluster: the object alone. */
  public Decision decide(AdmissionInput input, Instant now) {
    return decide(input, ClusterView.NONE, now);
  }

  /** Judges one request at instant {@code now} against the replica's view of the cluster. */
  public Decision decide(AdmissionInput input, ClusterView view, Instant now) {
    if (input.operation() == Operation.CONNECT || input.subject() == null) {
      return Decision.allow(List.of());
    }
    FelixObject subject = input.subject();
    List<Violation> invalid = new ArrayList<>();
    Map<GuardedField, Violation> byObject = new EnumMap<>(GuardedField.class);
    List<String> keepsOff = new ArrayList<>();
    boolean touched = false;
    for (GuardedField field : GuardedField.values()) {
      if (settings.judges(field)) {
        touched |= judgeObject(input, field, invalid, byObject, keepsOff);
      }
    }
    invalid.addAll(metadataProblems(input));
    boolean pathTouched = pathTouched(input);
    List<Violation> pathInvalid = new ArrayList<>();
    if (pathTouched && input.newPath() != null) {
      for (String problem : input.newPath().problems()) {
        pathInvalid.add(new Violation(problem.split(" ", 2)[0], Type.INVALID_VALUE, problem));
      }
    }
    invalid.addAll(pathInvalid);
    if (input.operation() == Operation.UPDATE && !touched && !pathTouched && invalid.isEmpty()) {
      // Same assertions in the same scope: the object reads the same to Felix, so no node can
      // change. The common case (calico-node and the operator writing other fields) stops here.
      return Decision.allow(keepsOff);
    }

    String judgedBy;
    List<Violation> disables = new ArrayList<>();
    List<Violation> pathDisables = new ArrayList<>();
    if (view.synced() && view.nodeCount() > 0) {
      judgedBy = BY_EFFECT;
      for (Flip flip :
          WriteEffect.switchedOff(
              view, input.oldObject(), input.newObject(), settings.guardedFields())) {
        Violation explains = byObject.get(flip.field());
        if (explains == null && flip.field() == GuardedField.WIREGUARD_ENABLED_V6) {
          explains = byObject.get(GuardedField.IPV6_SUPPORT); // IPv6 off by Felix's IPv6 support
        }
        disables.add(effectViolation(input, flip, explains));
      }
      if (!WriteEffect.reachesKnownNode(view, input.oldObject(), input.newObject())) {
        // No known node to judge by: the object decides for nodes still to join (a node.<name>
        // written before its node, a selector for a pool to come), so it is judged alone.
        judgedBy = BY_OBJECT_NO_MATCH;
        disables.addAll(byObject.values());
      }
      if (pathTouched) {
        for (PathWriteEffect.Break broken :
            PathWriteEffect.broken(
                view,
                view.felixPaths(),
                input.oldObject(),
                input.oldPath(),
                input.newObject(),
                input.newPath())) {
          pathDisables.add(pathViolation(broken));
        }
      }
    } else {
      judgedBy = view.synced() ? BY_OBJECT_NO_NODES : BY_OBJECT_NOT_SYNCED;
      disables.addAll(byObject.values());
      if (pathTouched) {
        pathDisables.addAll(pathByObject(input));
      }
    }
    disables.addAll(pathDisables);
    if (invalid.isEmpty() && disables.isEmpty()) {
      return Decision.allow(keepsOff);
    }

    List<Violation> overrideProblems =
        disables.isEmpty() ? List.of() : overrides.problems(carried(input), input.user(), now);
    List<Violation> all = new ArrayList<>(invalid);
    all.addAll(disables);
    Map<String, String> audit = new LinkedHashMap<>();
    audit.put(Names.AUDIT_SCOPE, subject.scope().code());
    audit.put(Names.AUDIT_OBJECT, subject.name());
    audit.put(Names.AUDIT_JUDGED_BY, judgedBy);
    if (!disables.isEmpty()) {
      audit.put(Names.AUDIT_DISABLED_FIELDS, fields(disables));
    }
    if (input.dryRun()) {
      audit.put(Names.AUDIT_DRY_RUN, "true");
    }

    if (invalid.isEmpty() && overrideProblems.isEmpty()) {
      String ticket = subject.label(Names.OVERRIDE_LABEL).orElse("");
      String expires = subject.annotation(Names.OVERRIDE_EXPIRES_ANNOTATION).orElse("none");
      String requester = OverrideCheck.requester(input.user());
      return Decision.overridden(
          keepsOff,
          "WireGuard switched off %s under override %s by %s (expires %s): %s"
              .formatted(subject.scope().describe(), ticket, requester, expires, fields(disables)),
          audit,
          all,
          ticket,
          requester,
          expires);
    }

    all.addAll(overrideProblems);
    return Decision.refused(
        settings.enforce(),
        refusal(input, invalid, pathInvalid, disables, pathDisables, overrideProblems),
        keepsOff,
        audit,
        all);
  }

  /**
   * The object-alone rule for one field: values Felix cannot read, the conservative switch-off
   * (asserting false, removing or narrowing a true, deleting a true) and writes that keep a false.
   *
   * @return whether the write touches the field's sources or the object's scope
   */
  private boolean judgeObject(
      AdmissionInput input,
      GuardedField field,
      List<Violation> invalid,
      Map<GuardedField, Violation> disables,
      List<String> keepsOff) {
    FelixObject oldObject = input.oldObject();
    FelixObject newObject = input.newObject();
    FieldReading before = oldObject == null ? null : oldObject.read(field);
    if (input.operation() == Operation.DELETE) {
      if (before.assertsTrue()) {
        disables.put(
            field,
            new Violation(
                before.source(),
                Type.DISABLES,
                "deleting it removes %s=%s (%s)"
                    .formatted(before.source(), before.raw(), field.covers())));
      }
      return true;
    }
    FieldReading after = newObject.read(field);
    // A CREATE that does not mention a field leaves it where it was: the built-in false or the
    // inherited value. Compare against an object of the same scope with no sources.
    String previous =
        before != null
            ? before.fingerprint()
            : FieldReading.fingerprint(newObject.scope(), List.of());
    if (previous.equals(after.fingerprint())) {
      return false; // the write does not touch this field or the object's scope
    }
    for (UnreadableValue v : after.invalid()) {
      if (before == null || !before.invalid().contains(v)) {
        invalid.add(new Violation(v.field(), Violation.Type.INVALID_VALUE, v.detail()));
      }
    }
    boolean sameScope = before != null && oldObject.scope().equals(newObject.scope());
    if (!after.assertsFalse()) {
      if (before != null && before.assertsTrue() && !(after.assertsTrue() && sameScope)) {
        // The true is removed (the field inherits again) or applies to other nodes now.
        disables.put(
            field,
            new Violation(
                sameScope ? before.source() : "spec.nodeSelector",
                Type.DISABLES,
                sameScope
                    ? "%s=%s is removed, so %s inherits again"
                        .formatted(before.source(), before.raw(), field.covers())
                    : "%s=%s now applies %s (was %s)"
                        .formatted(
                            before.source(),
                            before.raw(),
                            newObject.scope().describe(),
                            oldObject.scope().describe())));
      }
      return true;
    }
    if (before != null && before.assertsFalse() && sameScope) {
      keepsOff.add(
          "FelixConfiguration \"%s\" keeps WireGuard off for %s %s (%s): that traffic is not encrypted"
              .formatted(
                  newObject.name(), field.covers(), newObject.scope().describe(), after.source()));
      return true;
    }
    String was;
    if (before == null) {
      was = "new object";
    } else if (!sameScope) {
      was = "scope was " + oldObject.scope().describe();
    } else if (before.assertsTrue()) {
      was = "was %s=%s".formatted(before.source(), before.raw());
    } else {
      was = "was inherited";
    }
    String value = after.raw().isEmpty() ? "absent, which means false on default" : after.raw();
    disables.put(
        field,
        new Violation(
            after.source(),
            Type.DISABLES,
            "%s is %s: WireGuard off for %s (%s)"
                .formatted(after.source(), value, field.covers(), was)));
    return true;
  }

  /** True when the write changes what the object asserts about the path into WireGuard. */
  private static boolean pathTouched(AdmissionInput input) {
    FelixPath before = input.oldPath();
    FelixPath after = input.newPath();
    if (before == null && after == null) {
      return false;
    }
    if (before == null || after == null) {
      FelixPath one = before != null ? before : after;
      return one.rulePriority() != null
          || one.tableRanges() != null
          || one.tableRange() != null
          || !one.problems().isEmpty();
    }
    return !before.assertsSame(after);
  }

  /** A write that breaks the path on some nodes, as a refusal names it. */
  private static Violation pathViolation(PathWriteEffect.Break broken) {
    String field = broken.source().isEmpty() ? "metadata.name" : broken.source();
    String shown = broken.object().isEmpty() ? field : field + " (" + broken.object() + ")";
    String detail =
        switch (broken.kind()) {
          case RULE_AFTER_MAIN ->
              ("%s is %s, at or after the main table's rule (%d): Felix's rule 'not fwmark M/M"
                      + " lookup <WireGuard table>' would come after it, so pod traffic takes the"
                      + " main table, in clear, %s (the v3 API refuses this value, the v1 CRD does"
                      + " not)")
                  .formatted(
                      shown, broken.value(), PathWriteEffect.MAIN_TABLE_RULE, broken.where());
          case NO_TABLE_V4 ->
              ("%s is %s: no route table is left for IPv4 WireGuard (tables 253-255 are never"
                      + " used), and Felix turns IPv4 WireGuard off without one, %s")
                  .formatted(shown, broken.value(), broken.where());
          case NO_TABLE_V6 ->
              ("%s is %s: one route table at most is left, Felix gives the first to IPv4 and"
                      + " turns IPv6 WireGuard off without a second, %s")
                  .formatted(shown, broken.value(), broken.where());
        };
    return new Violation(field, Type.DISABLES, detail);
  }

  /**
   * The object-alone rule for the path: the object asserts a rule priority at or after the main
   * table's, or route tables that leave none for IPv4, where the old object did not.
   */
  private static List<Violation> pathByObject(AdmissionInput input) {
    List<Violation> found = new ArrayList<>();
    FelixPath after = input.newPath();
    if (after == null) {
      return found;
    }
    FelixPath before = input.oldPath();
    Long priority = after.rulePriority();
    if (priority != null
        && priority >= PathWriteEffect.MAIN_TABLE_RULE
        && (before == null
            || before.rulePriority() == null
            || before.rulePriority() < PathWriteEffect.MAIN_TABLE_RULE)) {
      found.add(
          pathViolation(
              new PathWriteEffect.Break(
                  PathWriteEffect.Kind.RULE_AFTER_MAIN,
                  after.rulePrioritySource(),
                  Long.toString(priority),
                  "",
                  0,
                  0,
                  List.of())));
    }
    List<FelixPath.Range> tables = asserted(after);
    if (tables != null && FelixPath.tables(tables, 1) < 1) {
      List<FelixPath.Range> old = before == null ? null : asserted(before);
      if (old == null || FelixPath.tables(old, 1) >= 1) {
        found.add(
            pathViolation(
                new PathWriteEffect.Break(
                    PathWriteEffect.Kind.NO_TABLE_V4,
                    after.tableRanges() != null && !after.tableRanges().isEmpty()
                        ? after.tableRangesSource()
                        : after.tableRangeSource(),
                    String.join(",", tables.stream().map(FelixPath.Range::toString).toList()),
                    "",
                    0,
                    0,
                    List.of())));
      }
    }
    return found;
  }

  private static List<FelixPath.Range> asserted(FelixPath path) {
    if (path.tableRanges() != null && !path.tableRanges().isEmpty()) {
      return path.tableRanges();
    }
    return path.tableRange() == null ? null : List.of(path.tableRange());
  }

  /**
   * A field the write switches off on some nodes: the object's own reading when it explains it,
   * else the settings before and after on the first node, and where.
   */
  private static Violation effectViolation(AdmissionInput input, Flip flip, Violation byObject) {
    if (byObject != null) {
      return new Violation(
          byObject.field(),
          Type.DISABLES,
          "%s; now off %s".formatted(byObject.detail(), flip.where()));
    }
    String path = flip.before().source().isEmpty() ? "metadata.name" : flip.before().source();
    if (input.oldObject() != null
        && input.newObject() != null
        && !input.oldObject().scope().equals(input.newObject().scope())) {
      path = "spec.nodeSelector";
    }
    return new Violation(
        path,
        Type.DISABLES,
        "%s goes off %s (on by %s before this write, off by %s after it)"
            .formatted(
                flip.field().label(), flip.where(), flip.before().origin(), flip.after().origin()));
  }

  private static List<Violation> metadataProblems(AdmissionInput input) {
    if (input.newObject() == null) {
      return List.of();
    }
    List<Violation> invalid = new ArrayList<>();
    List<String> before = input.oldObject() == null ? List.of() : input.oldObject().problems();
    for (String problem : input.newObject().problems()) {
      if (!before.contains(problem)) {
        invalid.add(
            new Violation(
                FieldPath.annotation(Names.CALICO_METADATA_ANNOTATION),
                Type.INVALID_VALUE,
                problem + ", so the overrides it may hold cannot be checked"));
      }
    }
    return invalid;
  }

  private static OverrideCheck.Carried carried(AdmissionInput input) {
    FelixObject subject = input.subject();
    return new OverrideCheck.Carried(
        subject.label(Names.OVERRIDE_LABEL),
        input.oldObject() == null
            ? java.util.Optional.empty()
            : input.oldObject().label(Names.OVERRIDE_LABEL),
        subject.annotation(Names.OVERRIDE_EXPIRES_ANNOTATION),
        input.operation() == Operation.DELETE);
  }

  private String refusal(
      AdmissionInput input,
      List<Violation> invalid,
      List<Violation> pathInvalid,
      List<Violation> disables,
      List<Violation> pathDisables,
      List<Violation> overrideProblems) {
    FelixObject subject = input.subject();
    String object = "FelixConfiguration \"%s\" (%s)".formatted(subject.name(), input.apiGroup());
    List<String> sentences = new ArrayList<>();
    if (!disables.isEmpty()) {
      sentences.add(
          "%s%s would %s %s: %s. Refused because %s. %s"
              .formatted(
                  input.operation() == Operation.DELETE ? "Deleting " : "",
                  object,
                  disables.size() == pathDisables.size()
                      ? "take pod traffic out of WireGuard"
                      : "switch WireGuard off",
                  subject.scope().describe(),
                  details(disables),
                  details(overrideProblems),
                  overrides.howTo(input.operation() == Operation.DELETE)));
    }
    List<Violation> guarded = new ArrayList<>(invalid);
    guarded.removeAll(pathInvalid);
    if (!guarded.isEmpty()) {
      sentences.add(
          ("%s has guarded values Felix cannot read: %s. Write true or false (or remove the"
                  + " annotation); an override does not apply.")
              .formatted(object, details(guarded)));
    }
    if (!pathInvalid.isEmpty()) {
      sentences.add(
          ("%s has values Felix cannot read: %s. Write an integer priority or ranges n-m (or"
                  + " remove the annotation); an override does not apply.")
              .formatted(object, details(pathInvalid)));
    }
    return String.join(" ", sentences);
  }

  private static String details(List<Violation> violations) {
    return violations.stream().map(Violation::detail).collect(Collectors.joining("; "));
  }

  private static String fields(List<Violation> violations) {
    return violations.stream().map(Violation::field).distinct().collect(Collectors.joining(","));
  }
}
