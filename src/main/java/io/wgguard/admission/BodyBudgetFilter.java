package io.wgguard.admission;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.wgguard.Names;
import io.wgguard.config.WgguardConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Admits an AdmissionReview body to the webhook port only within the {@link BodyBudget}, before a
 * byte of it is read: its {@code Content-Length} (the largest accepted body when it has none) is
 * reserved until the response has ended or the connection closed. Over the budget: 429 with {@code
 * Retry-After: 1}, which the API server retries; declared over {@code
 * wgguard.admission.max-body-bytes}: 413 at once, without reading it.
 */
@ApplicationScoped
public class BodyBudgetFilter {

  private static final Logger LOG = Logger.getLogger(BodyBudgetFilter.class);

  /** Before the REST layer, which buffers the body whole. */
  static final int ORDER = -100;

  private final BodyBudget budget;
  private final long maxBody;
  private final Counter throttled;

  public BodyBudgetFilter(WgguardConfig config, MeterRegistry registry) {
    this.maxBody = config.admission().maxBodyBytes();
    // PolicyProducer.validate holds the budget at least max-body-bytes.
    this.budget = new BodyBudget(config.admission().bodyBudgetBytes());
    this.throttled =
        Counter.builder(Names.METRIC_ADMISSION_THROTTLED)
            .description(
                "Admission requests answered 429 because the bodies in flight would exceed"
                    + " wgguard.admission.body-budget-bytes")
            .register(registry);
  }

  void install(@Observes Router router) {
    router.route("/admission/*").order(ORDER).handler(this::admit);
  }

  void admit(RoutingContext context) {
    if (context.request().method() != HttpMethod.POST) {
      context.next();
      return;
    }
    long declared = declaredLength(context.request().getHeader("Content-Length"));
    if (declared > maxBody) {
      context
          .response()
          .setStatusCode(413)
          .putHeader("Content-Type", "text/plain")
          .putHeader("Connection", "close")
          .end("body is %d bytes, over the limit of %d bytes\n".formatted(declared, maxBody));
      return;
    }
    long reserve = declared >= 0 ? declared : maxBody;
    if (!budget.tryReserve(reserve)) {
      throttled.increment();
      LOG.debugf(
          "429: %d bytes of bodies in flight, %d more would exceed the budget of %d",
          budget.inFlight(), reserve, budget.limit());
      context
          .response()
          .setStatusCode(429)
          .putHeader("Retry-After", "1")
          .putHeader("Content-Type", "text/plain")
          .end(
              "too many admission bodies in flight (budget %d bytes): retry\n"
                  .formatted(budget.limit()));
      return;
    }
    context.addEndHandler(done -> budget.release(reserve));
    context.next();
  }

  /** The Content-Length, -1 when absent or not a number (judged as the largest body). */
  static long declaredLength(String header) {
    if (header == null) {
      return -1;
    }
    try {
      long length = Long.parseLong(header.strip());
      return length < 0 ? -1 : length;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
