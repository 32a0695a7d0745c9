package io.wgguard.guard;

/** What the checker does about wgguard's own webhook registrations. */
public enum RegistrationMode {
  /** Nothing: no watch, no report (an install that registers wgguard by other means). */
  OFF,
  /** Watch and report deletion and drift (health group, {@code /status}, Event, metric). */
  REPORT,
  /** Report, and put the expected registration back (the shipped manifests' choice). */
  RESTORE
}
