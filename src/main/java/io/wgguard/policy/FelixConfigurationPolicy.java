package io.wgguard.policy;

import io.wgguard.Messages;
import io.wgguard.Names;
import io.wgguard.felix.FelixObject;
import io.wgguard.felix.FieldReading;
import io.wgguard.felix.GuardedField;
import io.wgguard.felix.Violation;
import io.wgguard.felix.Violation.Type;
import io.wgguard.policy.AdmissionInput.Operation;
import io.wgguard.policy.AdmissionInput.Requester;
import io.wgguard.policy.Decision.Verdict;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Decides whether a FelixConfiguration write may switch WireGuard off. A pure function of the
 * request, the settings and the given instant: no I/O, no clock.
 *
 * <p>For each guarded field the old and new objects are read with {@link FelixObject#read}. A
 * CREATE or UPDATE <em>disables</em> a field when the new object asserts false and the old one did
 * not (or applied to another scope); a DELETE disables it when the old object asserted true. A
 * disabling write needs a valid override on the object (the old one for DELETE).
 */
public final class FelixConfigurationPolicy {

  private final PolicySettings settings;

  public FelixConfigurationPolicy(PolicySettings settings) {
    this.settings = settings;
  }

  /** The settings this policy applies. */
  public PolicySettings settings() {
    return settings;
  }

  /** Judges one request at instant {@code now}. */
  public Decision decide(AdmissionInput input, Instant now) {
    if (input.operation() == Operation.CONNECT || input.subject() == null) {
      return allowed(List.of());
    }
    FelixObject subject = input.subject();
    List<Violation> invalid = new ArrayList<>();
    List<Violation> disables = new ArrayList<>();
    List<String> keepsOff = new ArrayList<>();
    for (GuardedField field : GuardedField.values()) {
      if (settings.guardedFields().contains(field)) {
        judgeField(input, field, invalid, disables, keepsOff);
      }
    }
    if (input.newObject() != null) {
      List<String> before = input.oldObject() == null ? List.of() : input.oldObject().problems();
      for (String problem : input.newObject().problems()) {
        if (!before.contains(problem)) {
          invalid.add(
              new Violation(
                  "metadata.annotations[" + Names.CALICO_METADATA_ANNOTATION + "]",
                  Type.INVALID_VALUE,
                  problem + ", so the overrides it may hold cannot be checked"));
        }
      }
    }
    if (invalid.isEmpty() && disables.isEmpty()) {
      return allowed(keepsOff);
    }

    List<Violation> overrideProblems =
        disables.isEmpty() ? List.of() : checkOverride(subject, input.user(), now);
    List<Violation> all = new ArrayList<>(invalid);
    all.addAll(disables);
    Map<String, String> audit = new LinkedHashMap<>();
    audit.put("scope", subject.scope().code());
    audit.put("object", subject.name());
    if (!disables.isEmpty()) {
      audit.put("disabled-fields", fields(disables));
    }
    if (input.dryRun()) {
      audit.put("dry-run", "true");
    }

    if (invalid.isEmpty() && overrideProblems.isEmpty()) {
      String ticket = subject.label(Names.OVERRIDE_LABEL).orElse("");
      String expires = subject.annotation(Names.OVERRIDE_EXPIRES_ANNOTATION).orElse("none");
      audit.put("override-ticket", ticket);
      audit.put("override-requester", requester(input.user()));
      audit.put("override-expires", expires);
      List<String> warnings = new ArrayList<>(keepsOff);
      warnings.add(
          "WireGuard switched off "
              + subject.scope().describe()
              + " under override "
              + ticket
              + " by "
              + requester(input.user())
              + " (expires "
              + expires
              + "): "
              + fields(disables));
      return new Decision(true, Verdict.OVERRIDDEN, "", warnings, audit, all);
    }

    all.addAll(overrideProblems);
    String message = refusal(input, invalid, disables, overrideProblems);
    if (settings.enforce()) {
      audit.put("decision", "denied");
      return new Decision(false, Verdict.DENIED, message, keepsOff, audit, all);
    }
    audit.put("decision", "warn");
    List<String> warnings = new ArrayList<>(keepsOff);
    warnings.add("wgguard is in warn mode; in enforce mode this write is refused: " + message);
    return new Decision(true, Verdict.WARNED, "", warnings, audit, all);
  }

  private void judgeField(
      AdmissionInput input,
      GuardedField field,
      List<Violation> invalid,
      List<Violation> disables,
      List<String> keepsOff) {
    FelixObject oldObject = input.oldObject();
    FelixObject newObject = input.newObject();
    FieldReading before = oldObject == null ? null : oldObject.read(field);
    if (input.operation() == Operation.DELETE) {
      if (before.assertsTrue()) {
        disables.add(
            new Violation(
                before.source(),
                Type.DISABLES,
                "deleting it removes "
                    + before.source()
                    + "="
                    + before.raw()
                    + " ("
                    + field.covers()
                    + ")"));
      }
      return;
    }
    FieldReading after = newObject.read(field);
    // A CREATE that does not mention a field leaves it where it was: the built-in false or the
    // inherited value. Compare against an object of the same scope with no sources.
    String previous =
        before != null
            ? before.fingerprint()
            : FieldReading.fingerprint(newObject.scope(), List.of());
    if (previous.equals(after.fingerprint())) {
      return; // the write does not touch this field or the object's scope
    }
    for (Violation v : after.invalid()) {
      if (before == null || !before.invalid().contains(v)) {
        invalid.add(v);
      }
    }
    if (!after.assertsFalse()) {
      return;
    }
    boolean sameScope = before != null && oldObject.scope().equals(newObject.scope());
    if (before != null && before.assertsFalse() && sameScope) {
      keepsOff.add(
          "FelixConfiguration \""
              + newObject.name()
              + "\" keeps WireGuard off for "
              + field.covers()
              + " "
              + newObject.scope().describe()
              + " ("
              + after.source()
              + "): that traffic is not encrypted");
      return;
    }
    String was;
    if (before == null) {
      was = "new object";
    } else if (!sameScope) {
      was = "scope was " + oldObject.scope().describe();
    } else if (before.assertsTrue()) {
      was = "was " + before.source() + "=" + before.raw();
    } else {
      was = "was inherited";
    }
    String value = after.raw().isEmpty() ? "absent, which means false on default" : after.raw();
    disables.add(
        new Violation(
            after.source(),
            Type.DISABLES,
            after.source()
                + " is "
                + value
                + ": WireGuard off for "
                + field.covers()
                + " ("
                + was
                + ")"));
  }

  private List<Violation> checkOverride(FelixObject subject, Requester user, Instant now) {
    List<Violation> problems = new ArrayList<>();
    String labelPath = "metadata.labels[" + Names.OVERRIDE_LABEL + "]";
    Optional<String> ticket = subject.label(Names.OVERRIDE_LABEL);
    if (ticket.isEmpty()) {
      problems.add(
          new Violation(
              labelPath,
              Type.OVERRIDE_MISSING,
              "the object has no " + Names.OVERRIDE_LABEL + " label"));
    } else if (!settings.ticketPattern().matcher(ticket.get()).matches()) {
      problems.add(
          new Violation(
              labelPath,
              Type.OVERRIDE_TICKET_INVALID,
              "ticket '"
                  + Messages.clip(ticket.get())
                  + "' does not match "
                  + settings.ticketPattern().pattern()));
    }
    String expiresPath = "metadata.annotations[" + Names.OVERRIDE_EXPIRES_ANNOTATION + "]";
    Optional<String> expires = subject.annotation(Names.OVERRIDE_EXPIRES_ANNOTATION);
    if (expires.isEmpty()) {
      if (settings.requireExpiry() && ticket.isPresent()) {
        problems.add(
            new Violation(
                expiresPath,
                Type.OVERRIDE_EXPIRY_MISSING,
                "the override has no " + Names.OVERRIDE_EXPIRES_ANNOTATION + " annotation"));
      }
    } else {
      problems.addAll(checkExpiry(expires.get(), expiresPath, now));
    }
    if (settings.restrictsRequesters() && !settings.relayUsers().contains(user.username())) {
      boolean approved =
          settings.users().contains(user.username())
              || user.groups().stream().anyMatch(settings.groups()::contains);
      if (!approved) {
        problems.add(
            new Violation(
                "userInfo",
                Type.REQUESTER_NOT_APPROVED,
                "requester "
                    + requester(user)
                    + " is not among the approved override users or groups"));
      }
    }
    return problems;
  }

  private List<Violation> checkExpiry(String raw, String path, Instant now) {
    Instant expiry;
    try {
      expiry = OffsetDateTime.parse(raw).toInstant();
    } catch (DateTimeParseException e) {
      return List.of(
          new Violation(
              path,
              Type.OVERRIDE_EXPIRY_INVALID,
              "override expiry '"
                  + Messages.clip(raw)
                  + "' is not an RFC 3339 time such as 2026-12-01T18:00:00Z"));
    }
    if (!expiry.isAfter(now)) {
      return List.of(
          new Violation(path, Type.OVERRIDE_EXPIRED, "the override expired at " + expiry));
    }
    if (settings.maxWindow().isPresent() && expiry.isAfter(now.plus(settings.maxWindow().get()))) {
      return List.of(
          new Violation(
              path,
              Type.OVERRIDE_WINDOW_TOO_LONG,
              "override expiry "
                  + expiry
                  + " is more than "
                  + human(settings.maxWindow().get())
                  + " ahead"));
    }
    return List.of();
  }

  private String refusal(
      AdmissionInput input,
      List<Violation> invalid,
      List<Violation> disables,
      List<Violation> overrideProblems) {
    FelixObject subject = input.subject();
    String object = "FelixConfiguration \"" + subject.name() + "\" (" + input.apiGroup() + ")";
    StringBuilder message = new StringBuilder();
    if (!disables.isEmpty()) {
      message
          .append(input.operation() == Operation.DELETE ? "Deleting " : "")
          .append(object)
          .append(" would")
          .append(" switch WireGuard off ")
          .append(subject.scope().describe())
          .append(": ")
          .append(details(disables))
          .append(". Refused because ")
          .append(details(overrideProblems))
          .append(". ")
          .append(howToOverride(input.operation()));
    }
    if (!invalid.isEmpty()) {
      if (!message.isEmpty()) {
        message.append(' ');
      }
      message
          .append(object)
          .append(" has guarded values Felix cannot read: ")
          .append(details(invalid))
          .append(". Write true or false (or remove the annotation); an override does not apply.");
    }
    return message.toString();
  }

  private String howToOverride(Operation operation) {
    StringBuilder how = new StringBuilder("To proceed, label the object ");
    if (operation == Operation.DELETE) {
      how.append("before deleting it ");
    }
    how.append(Names.OVERRIDE_LABEL)
        .append("=<ticket> with a change ticket matching ")
        .append(settings.ticketPattern().pattern());
    if (settings.requireExpiry()) {
      how.append(" and annotate it ");
    } else {
      how.append(", optionally annotated ");
    }
    how.append(Names.OVERRIDE_EXPIRES_ANNOTATION).append("=<RFC 3339 time>");
    settings.maxWindow().ifPresent(w -> how.append(" at most ").append(human(w)).append(" ahead"));
    if (settings.restrictsRequesters()) {
      how.append("; only ");
      List<String> who = new ArrayList<>();
      if (!settings.users().isEmpty()) {
        who.add("users " + Messages.names(settings.users()));
      }
      if (!settings.groups().isEmpty()) {
        who.add("groups " + Messages.names(settings.groups()));
      }
      how.append(String.join(" or ", who)).append(" may use an override");
    }
    return how.append('.').toString();
  }

  private static Decision allowed(List<String> warnings) {
    return new Decision(true, Verdict.ALLOWED, "", warnings, Map.of(), List.of());
  }

  private static String details(List<Violation> violations) {
    return violations.stream().map(Violation::detail).collect(Collectors.joining("; "));
  }

  private static String fields(List<Violation> violations) {
    return violations.stream().map(Violation::field).distinct().collect(Collectors.joining(","));
  }

  private static String requester(Requester user) {
    return user.username().isEmpty() ? "an unknown user" : user.username();
  }

  private static String human(java.time.Duration d) {
    return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
  }
}
