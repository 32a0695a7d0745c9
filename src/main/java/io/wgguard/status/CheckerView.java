package io.wgguard.status;

import java.util.Optional;

/**
 * What the checker shows everyone else: the outcome of its last pass. Admission, health and {@code
 * /status} read it through this interface; only the checker writes it. Never blocks and never calls
 * the API server.
 */
public interface CheckerView {

  /** The status of the last pass, empty before the caches have synced. */
  Optional<CheckerStatus> status();

  /** True when the checker is off or its caches have synced. */
  boolean synced();
}
