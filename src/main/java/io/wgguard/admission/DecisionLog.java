package io.wgguard.admission;

import io.wgguard.Messages;
import io.wgguard.Names;
import io.wgguard.policy.Decision;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The one structured log line of a switch-off decision, shared by the FelixConfiguration and the
 * calico-node webhooks: refusals, warnings and overrides at INFO (with the fields and the ticket),
 * plain allows at DEBUG. Every value from the request is clipped: it is the requester's text.
 */
final class DecisionLog {

  private DecisionLog() {}

  /**
   * @param subject the object judged, as {@code key=value} words, e.g. {@code group=… name=…}
   */
  static void log(
      Logger log, String webhook, String subject, ReviewRequest review, Decision decision) {
    if (decision.verdict() == Decision.Verdict.ALLOWED && decision.warnings().isEmpty()) {
      log.debugf(
          "decision=allowed webhook=%s op=%s %s user=%s uid=%s",
          webhook,
          review.operation(),
          subject,
          Messages.clip(review.user().username()),
          Messages.clip(review.uid()));
      return;
    }
    log.infof(
        "decision=%s webhook=%s op=%s %s user=%s dryRun=%s fields=%s ticket=%s uid=%s",
        decision.verdict().tag(),
        webhook,
        review.operation(),
        subject,
        Messages.clip(review.user().username()),
        review.dryRun(),
        decision.violations().stream()
            .map(v -> Messages.clip(v.field()))
            .distinct()
            .collect(Collectors.joining(",")),
        Messages.clip(decision.auditAnnotations().getOrDefault(Names.AUDIT_OVERRIDE_TICKET, "-")),
        Messages.clip(review.uid()));
  }
}
