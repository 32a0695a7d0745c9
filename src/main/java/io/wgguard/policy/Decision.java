package io.wgguard.policy;

import io.wgguard.felix.Violation;
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
