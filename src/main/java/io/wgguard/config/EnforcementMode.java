package io.wgguard.config;

/** What the FelixConfiguration webhook does with a write that would switch WireGuard off. */
public enum EnforcementMode {
  /** Refuse it (HTTP 403 in the AdmissionReview) unless a valid override is present. */
  ENFORCE,
  /** Allow it, with a warning and audit annotations. */
  WARN
}
