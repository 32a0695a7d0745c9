package io.wgguard.admission;

import io.smallrye.common.annotation.NonBlocking;
import io.wgguard.config.WgguardConfig;
import io.wgguard.policy.Decision;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The HTTPS edge of the admission webhooks. Malformed bodies get 400 (413 when too large) with a
 * plain-text reason; a failure inside wgguard answers with a refusal whose message starts with
 * {@code internal error:}, never with a 5xx.
 */
@Path("/admission")
public class AdmissionResource {

  private static final Logger LOG = Logger.getLogger(AdmissionResource.class);
  private static final byte[] CONSTANT_REVIEW =
      AdmissionReviews.encode("constant", Decision.allow(List.of()));

  private final FelixConfigurationAdmission felix;
  private final PodAdmission pods;
  private final CalicoNodeAdmission calicoNode;
  private final AdmissionMetrics metrics;
  private final int maxBodyBytes;
  private final boolean constantEndpoint;

  public AdmissionResource(
      FelixConfigurationAdmission felix,
      PodAdmission pods,
      CalicoNodeAdmission calicoNode,
      AdmissionMetrics metrics,
      WgguardConfig config) {
    this.felix = felix;
    this.pods = pods;
    this.calicoNode = calicoNode;
    this.metrics = metrics;
    this.maxBodyBytes = config.admission().maxBodyBytes();
    this.constantEndpoint = config.bench().constantEndpoint();
  }

  /** Judges FelixConfiguration writes (both Calico API groups). */
  @POST
  @Path("/felixconfiguration")
  @NonBlocking // pure CPU work of a few microseconds: no reason to hop to a worker thread
  public Response felixConfiguration(byte[] body) {
    return handle(FelixConfigurationAdmission.WEBHOOK, body, felix::judge);
  }

  /** Judges Pod CREATEs pinned to a node (registered with failurePolicy Ignore). */
  @POST
  @Path("/pod")
  @NonBlocking // reads the checker's last pass from memory only
  public Response pod(byte[] body) {
    return handle(PodAdmission.WEBHOOK, body, pods::judge);
  }

  /**
   * Judges writes to the calico-node DaemonSet, whose environment outranks every FelixConfiguration
   * (registered with failurePolicy Ignore; the checker and an alert catch what passes while wgguard
   * is down).
   */
  @POST
  @Path("/calico-node")
  @NonBlocking // pure CPU work; other DaemonSets are passed on their name alone
  public Response calicoNode(byte[] body) {
    return handle(CalicoNodeAdmission.WEBHOOK, body, calicoNode::judge);
  }

  /**
   * The benchmarks' ceiling: one constant allowed AdmissionReview for any body, read but not
   * decoded. 404 unless {@code wgguard.bench.constant-endpoint=true}.
   */
  @POST
  @Path("/constant")
  @NonBlocking
  public Response constant(byte[] body) {
    if (!constantEndpoint) {
      return Response.status(404).build();
    }
    return json(CONSTANT_REVIEW);
  }

  /** A webhook's decision function. */
  @FunctionalInterface
  interface Judge {
    Decision judge(ReviewRequest review) throws BadReviewException;
  }

  private Response handle(String webhook, byte[] body, Judge judge) {
    long start = System.nanoTime();
    String operation = "unknown";
    String uid = "";
    try {
      if (body != null && body.length > maxBodyBytes) {
        throw new BadReviewException(
            413, "body is " + body.length + " bytes, over the limit of " + maxBodyBytes + " bytes");
      }
      ReviewRequest review = AdmissionReviews.parse(body);
      operation = review.operation().name();
      uid = review.uid();
      Decision decision = judge.judge(review);
      metrics.record(webhook, operation, decision.verdict().tag(), System.nanoTime() - start);
      return json(AdmissionReviews.encode(uid, decision));
    } catch (BadReviewException e) {
      metrics.record(webhook, operation, "invalid", System.nanoTime() - start);
      LOG.debugf("bad AdmissionReview: %s", e.getMessage());
      return Response.status(e.status())
          .type(MediaType.TEXT_PLAIN_TYPE)
          .entity(e.getMessage() + "\n")
          .build();
    } catch (RuntimeException | StackOverflowError e) {
      metrics.record(webhook, operation, "error", System.nanoTime() - start);
      LOG.errorf(e, "internal error judging AdmissionReview uid=%s", uid);
      if (uid.isEmpty()) {
        return Response.status(400)
            .type(MediaType.TEXT_PLAIN_TYPE)
            .entity("body could not be judged as an AdmissionReview\n")
            .build();
      }
      return json(AdmissionReviews.internalError(uid, "the request could not be judged"));
    }
  }

  private static Response json(byte[] body) {
    return Response.ok(body, MediaType.APPLICATION_JSON_TYPE).build();
  }
}
