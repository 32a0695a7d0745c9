package io.wgguard.admission;

/** A request body that is not a well-formed AdmissionReview; the message is the plain reason. */
public final class BadReviewException extends Exception {

  private final int status;

  public BadReviewException(String reason) {
    this(400, reason);
  }

  public BadReviewException(int status, String reason) {
    super(reason, null, false, false);
    this.status = status;
  }

  /** HTTP status to answer with: 400, or 413 for a body over the limit. */
  public int status() {
    return status;
  }
}
