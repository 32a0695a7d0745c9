package io.wgguard.guard;

import io.wgguard.Messages;
import java.util.ArrayList;
import java.util.List;

/**
 * What one look at wgguard's own registrations found, and what to write.
 *
 * @param mode the mode it was made in
 * @param known false while the registrations' watch has not listed them: nothing is concluded
 * @param findings what differs from the expected registration, one per field, each with a sentence
 * @param restores the writes that put the expected registrations back (empty unless restoring)
 * @param breakGlass the registrations under break-glass, not restored while it lasts
 * @param notRestorable what cannot be put back, one sentence each (no caBundle that verifies the
 *     serving certificate)
 */
public record RegistrationReport(
    RegistrationMode mode,
    boolean known,
    List<Finding> findings,
    List<Restore> restores,
    List<BreakGlass> breakGlass,
    List<String> notRestorable) {

  public RegistrationReport {
    findings = List.copyOf(findings);
    restores = List.copyOf(restores);
    breakGlass = List.copyOf(breakGlass);
    notRestorable = List.copyOf(notRestorable);
  }

  /** The report when the registrations are not watched. */
  public static RegistrationReport off() {
    return new RegistrationReport(
        RegistrationMode.OFF, false, List.of(), List.of(), List.of(), List.of());
  }

  /** The report while the watch has not listed the registrations yet. */
  public static RegistrationReport unknown(RegistrationMode mode) {
    return new RegistrationReport(mode, false, List.of(), List.of(), List.of(), List.of());
  }

  /**
   * True when the guard stands as expected: every registration watched is there, unchanged, and
   * none is under break-glass. Also true when not watched ({@code off}) or not yet known: nothing
   * says otherwise.
   */
  public boolean inPlace() {
    return findings.isEmpty() && breakGlass.isEmpty();
  }

  /** One sentence for logs and the health group: what is wrong, capped. */
  public String summary() {
    if (mode == RegistrationMode.OFF) {
      return "wgguard's registrations are not watched (wgguard.registration.mode=off)";
    }
    if (!known) {
      return "wgguard's registrations are not listed yet";
    }
    if (inPlace()) {
      return "wgguard's registrations are in place";
    }
    List<String> parts = new ArrayList<>();
    findings.stream().limit(Messages.MAX_NAMES).forEach(f -> parts.add(f.detail()));
    if (findings.size() > Messages.MAX_NAMES) {
      parts.add("%d more change(s)".formatted(findings.size() - Messages.MAX_NAMES));
    }
    breakGlass.forEach(b -> parts.add(b.detail()));
    parts.addAll(notRestorable);
    return "the guard is not in place: " + String.join("; ", parts);
  }

  /** What kind of difference a finding is. */
  public enum Kind {
    /** The registration is gone. */
    MISSING,
    /** One of its webhooks is gone. */
    WEBHOOK_MISSING,
    /** It has a webhook wgguard does not ship. */
    WEBHOOK_EXTRA,
    /** A field of a webhook differs. */
    CHANGED,
    /** The caBundle does not verify the serving certificate. */
    CA_BUNDLE
  }

  /**
   * One difference.
   *
   * @param registration the ValidatingWebhookConfiguration's name
   * @param field the field path, e.g. {@code
   *     webhooks[felixconfiguration.wgguard.io].failurePolicy}; empty for the whole registration
   * @param kind what kind of difference
   * @param detail a sentence: what is, what was expected, what it lets through
   */
  public record Finding(String registration, String field, Kind kind, String detail) {}

  /** A write that restores a registration. */
  public enum Action {
    CREATE,
    UPDATE
  }

  /**
   * One restoring write.
   *
   * @param action create (it is gone) or update (it drifted; with the observed resourceVersion)
   * @param desired the registration to write: the observed object's metadata with the expected
   *     webhooks and the caBundle that verifies
   * @param detail a sentence for the Event: what was put back
   */
  public record Restore(Action action, Registration desired, String detail) {}

  /**
   * A registration under break-glass.
   *
   * @param registration its name
   * @param value the annotation's value (the reason or ticket given)
   * @param detail a sentence
   */
  public record BreakGlass(String registration, String value, String detail) {}
}
