package io.wgguard.admission;

import io.wgguard.Messages;
import io.wgguard.Names;
import io.wgguard.felix.ClusterView;
import io.wgguard.felix.FelixObject;
import io.wgguard.felix.FelixObjects;
import io.wgguard.felix.FelixPath;
import io.wgguard.policy.AdmissionInput;
import io.wgguard.policy.Decision;
import io.wgguard.policy.FelixConfigurationPolicy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import org.jboss.logging.Logger;

/**
 * Turns a FelixConfiguration AdmissionReview into a decision: decode, call the policy, encode. Also
 * used by the CLI, so the webhook and offline review never decide differently.
 */
@ApplicationScoped
public class FelixConfigurationAdmission {

  /** Metric and log name of this webhook. */
  public static final String WEBHOOK = "felixconfiguration";

  private static final Logger LOG = Logger.getLogger(FelixConfigurationAdmission.class);

  private final FelixConfigurationPolicy policy;
  private final ClusterView view;
  private final Clock clock;

  /**
   * @param view the checker's in-memory FelixConfigurations and node labels: a write is judged by
   *     its effect on those nodes, with no API call on the request path
   */
  public FelixConfigurationAdmission(
      FelixConfigurationPolicy policy, ClusterView view, Clock clock) {
    this.policy = policy;
    this.view = view;
    this.clock = clock;
  }

  /** Judges a parsed review. */
  public Decision judge(ReviewRequest review) throws BadReviewException {
    Decision decision = policy.decide(input(review), view, clock.instant());
    log(review, decision);
    return decision;
  }

  /**
   * What the policy judges for a parsed review: checks that it is about a FelixConfiguration in one
   * of Calico's groups and reads both objects. The offline {@code review} command calls this too.
   */
  public static AdmissionInput input(ReviewRequest review) throws BadReviewException {
    if (!Names.FELIX_KIND.equals(review.kind())
        || !(Names.CALICO_CRD_GROUP.equals(review.group())
            || Names.CALICO_V3_GROUP.equals(review.group()))) {
      throw new BadReviewException(
          "request.kind is "
              + (review.group().isEmpty() ? "" : review.group() + "/")
              + review.kind()
              + ": this endpoint judges FelixConfiguration in "
              + Names.CALICO_CRD_GROUP
              + " or "
              + Names.CALICO_V3_GROUP);
    }
    FelixObject newObject = read(review.object(), "request.object");
    FelixObject oldObject = read(review.oldObject(), "request.oldObject");
    return new AdmissionInput(
        review.operation(),
        review.group(),
        oldObject,
        newObject,
        review.user(),
        review.dryRun(),
        review.oldObject() == null ? null : FelixPath.read(review.oldObject()),
        review.object() == null ? null : FelixPath.read(review.object()));
  }

  private static FelixObject read(com.fasterxml.jackson.databind.JsonNode json, String path)
      throws BadReviewException {
    if (json == null) {
      return null;
    }
    try {
      return FelixObjects.read(json);
    } catch (IllegalArgumentException e) {
      throw new BadReviewException(path + " " + e.getMessage());
    }
  }

  private static void log(ReviewRequest review, Decision decision) {
    DecisionLog.log(
        LOG,
        WEBHOOK,
        "group=" + Messages.clip(review.group()) + " name=" + Messages.clip(review.name()),
        review,
        decision);
  }
}
