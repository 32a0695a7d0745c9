package io.wgguard.policy;

import io.wgguard.Names;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answer to one admission request.
 *
 * @param allowed whether the API server may go on
 * @param verdict how the answer was reached, for metrics and logs
 * @param message for a refusal, what, why and how to proceed; empty when allowed
 * @param warnings shown to the client ({@code Warning} headers)
 * @param auditAnnotations added to the API server's audit event
 * @param violations every reason found, also when allowed by override or warn mode
 */
public record Decision(
    boolean allowed,
    Verdict verdict,
    String message,
    List<String> warnings,
    Map<String, String> auditAnnotations,
    List<Violation> violations) {

  public Decision {
    warnings = List.copyOf(warnings);
    auditAnnotations = Map.copyOf(auditAnnotations);
    violations = List.copyOf(violations);
  }

  /** An allowed write, with {@code warnings} for the client; nothing for the audit log. */
  public static Decision allow(List<String> warnings) {
    return new Decision(true, Verdict.ALLOWED, "", warnings, Map.of(), List.of());
  }

  /**
   * A switch-off allowed under a valid override: the override's audit annotations added to {@code
   * audit}, {@code warning} after the others.
   */
  static Decision overridden(
      List<String> warnings,
      String warning,
      Map<String, String> audit,
      List<Violation> violations,
      String ticket,
      String requester,
      String expires) {
    Map<String, String> annotations = new LinkedHashMap<>(audit);
    annotations.put(Names.AUDIT_OVERRIDE_TICKET, ticket);
    annotations.put(Names.AUDIT_OVERRIDE_REQUESTER, requester);
    annotations.put(Names.AUDIT_OVERRIDE_EXPIRES, expires);
    List<String> all = new ArrayList<>(warnings);
    all.add(warning);
    return new Decision(true, Verdict.OVERRIDDEN, "", all, annotations, violations);
  }

  /**
   * A write that would be refused: refused in enforce mode, allowed with the refusal as a warning
   * in warn mode; {@code decision} added to the audit annotations either way.
   */
  static Decision refused(
      boolean enforce,
      String message,
      List<String> warnings,
      Map<String, String> audit,
      List<Violation> violations) {
    Map<String, String> annotations = new LinkedHashMap<>(audit);
    if (enforce) {
      annotations.put(Names.AUDIT_DECISION, "denied");
      return new Decision(false, Verdict.DENIED, message, warnings, annotations, violations);
    }
    annotations.put(Names.AUDIT_DECISION, "warn");
    List<String> all = new ArrayList<>(warnings);
    all.add("wgguard is in warn mode; in enforce mode this write is refused: " + message);
    return new Decision(true, Verdict.WARNED, "", all, annotations, violations);
  }

  /** How a decision was reached; also the {@code decision} metric tag. */
  public enum Verdict {
    /** Nothing guarded was switched off. */
    ALLOWED("allowed"),
    /** A guarded field was switched off under a valid override. */
    OVERRIDDEN("override"),
    /** Would have been refused, but the webhook is in warn mode. */
    WARNED("warn"),
    /** Refused. */
    DENIED("denied");

    private final String tag;

    Verdict(String tag) {
      this.tag = tag;
    }

    /** Lower-case name used in metrics and logs. */
    public String tag() {
      return tag;
    }
  }
}
