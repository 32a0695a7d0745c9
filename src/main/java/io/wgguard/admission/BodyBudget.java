package io.wgguard.admission;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes of AdmissionReview bodies that may be in memory at once. A body is buffered whole before it
 * is judged, and parsing it costs several times its size again: unbounded, sixteen concurrent 4 MiB
 * bodies from any pod that reaches the webhook port exhausted the Deployment's 192 MiB heap. A
 * request that would exceed the budget is answered 429 before its body is read, which the API
 * server retries (k8s.io/apiserver webhook backoff treats 429 as transient); a replica never runs
 * out of memory for it. The API server's own reviews are a few KiB, so the budget holds hundreds of
 * them at once.
 */
public final class BodyBudget {

  private final long limit;
  private final AtomicLong inFlight = new AtomicLong();

  /**
   * @param limit bytes that may be reserved at once; at least the largest body accepted, so that
   *     one maximum-size body always fits when nothing else is in flight
   */
  public BodyBudget(long limit) {
    if (limit <= 0) {
      throw new IllegalArgumentException(
          "wgguard.admission.body-budget-bytes is %d; use a positive number of bytes"
              .formatted(limit));
    }
    this.limit = limit;
  }

  /** Reserves {@code bytes}; false, reserving nothing, when they do not fit. */
  public boolean tryReserve(long bytes) {
    while (true) {
      long now = inFlight.get();
      if (now + bytes > limit) {
        return false;
      }
      if (inFlight.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  /** Gives back what {@link #tryReserve} reserved. */
  public void release(long bytes) {
    inFlight.addAndGet(-bytes);
  }

  /** Bytes reserved now. */
  public long inFlight() {
    return inFlight.get();
  }

  /** The budget. */
  public long limit() {
    return limit;
  }
}
