package io.wgguard.checker;

import io.wgguard.Names;
import io.wgguard.config.WgguardConfig;
import io.wgguard.guard.Registration;
import io.wgguard.guard.RegistrationMode;
import io.wgguard.guard.RegistrationPolicy;
import io.wgguard.guard.RegistrationReport;
import io.wgguard.guard.RegistrationReport.BreakGlass;
import io.wgguard.guard.RegistrationReport.Finding;
import io.wgguard.guard.RegistrationReport.Restore;
import io.wgguard.guard.RegistrationSettings;
import io.wgguard.tls.ServingCertificate;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The checker's stage for wgguard's own registrations: reads what {@link RegistrationWatch} saw,
 * the serving certificate and the {@code ca.crt} beside it, runs the pure {@link
 * RegistrationPolicy}, publishes metrics, and on the taint writer records Events and writes the
 * planned restores. Events only on a change: a new difference, a break-glass that starts, a restore
 * written.
 */
@ApplicationScoped
public class RegistrationGuard {

  private static final Logger LOG = Logger.getLogger(RegistrationGuard.class);

  private final RegistrationWatch watch;
  private final RegistrationSettings settings;
  private final Instance<ServingCertificate> serving;
  private final Path caFile;
  private final EventRecorder events;
  private final CheckerMetrics metrics;

  // What the last pass reported; checker thread only.
  private Set<String> reported = Set.of();
  private Set<String> glassReported = Set.of();
  private String lastSummary = "";

  public RegistrationGuard(
      RegistrationWatch watch,
      RegistrationSettings settings,
      Instance<ServingCertificate> serving,
      WgguardConfig config,
      EventRecorder events,
      CheckerMetrics metrics) {
    this.watch = watch;
    this.settings = settings;
    this.serving = serving;
    this.caFile =
        Path.of(
            config
                .registration()
                .caFile()
                .orElseGet(
                    () -> {
                      Path parent = Path.of(config.tls().certFile()).getParent();
                      return (parent == null ? Path.of("ca.crt") : parent.resolve("ca.crt"))
                          .toString();
                    }));
    this.events = events;
    this.metrics = metrics;
  }

  /** Starts the registrations' watch; {@code onChange} asks for a pass. */
  public void start(Runnable onChange) {
    watch.start(onChange);
  }

  /** Stops the watch. */
  public void stop() {
    watch.stop();
  }

  /**
   * One look: compare, publish, and when {@code writer} record Events and write the restores.
   *
   * @return the report of this pass, for the status
   */
  public RegistrationReport pass(Instant now, boolean writer) {
    if (settings.mode() == RegistrationMode.OFF) {
      return RegistrationReport.off();
    }
    Optional<Map<String, Registration>> observed = watch.observed();
    RegistrationReport report =
        RegistrationPolicy.check(
            settings, observed, new RegistrationPolicy.Trust(chain(), ca()), now);
    metrics.registration(report);
    if (!report.summary().equals(lastSummary)) {
      if (report.inPlace()) {
        LOG.infof("%s", report.summary());
      } else {
        LOG.warnf("%s", report.summary());
      }
      lastSummary = report.summary();
    }
    if (!report.known()) {
      return report;
    }
    Set<String> now_ = new HashSet<>();
    Map<String, StringBuilder> fresh = new LinkedHashMap<>();
    for (Finding f : report.findings()) {
      String key = f.registration() + " " + f.detail();
      now_.add(key);
      if (!reported.contains(key)) {
        fresh
            .computeIfAbsent(f.registration(), k -> new StringBuilder())
            .append(fresh.get(f.registration()).isEmpty() ? "" : "; ")
            .append(f.detail());
      }
    }
    Set<String> glass = new HashSet<>();
    report.breakGlass().forEach(b -> glass.add(b.registration() + " " + b.value()));
    if (writer) {
      fresh.forEach(
          (name, detail) ->
              events.onRegistration(
                  name,
                  report.findings().stream()
                          .anyMatch(
                              f ->
                                  f.registration().equals(name)
                                      && f.kind() == RegistrationReport.Kind.MISSING)
                      ? Names.EVENT_REGISTRATION_MISSING
                      : Names.EVENT_REGISTRATION_CHANGED,
                  detail.toString(),
                  true));
      for (BreakGlass b : report.breakGlass()) {
        if (!glassReported.contains(b.registration() + " " + b.value())) {
          events.onRegistration(
              b.registration(), Names.EVENT_REGISTRATION_BREAK_GLASS, b.detail(), true);
        }
      }
      for (Restore restore : report.restores()) {
        restore(restore);
      }
    }
    // Events once per difference: a non-writer does not mark them seen, so a replica that becomes
    // the writer reports what is still wrong.
    if (writer) {
      reported = now_;
      glassReported = glass;
    }
    return report;
  }

  private void restore(Restore restore) {
    String name = restore.desired().name();
    switch (watch.restore(restore)) {
      case WRITTEN -> {
        metrics.restored(name);
        LOG.warnf("%s", restore.detail());
        events.onRegistration(name, Names.EVENT_REGISTRATION_RESTORED, restore.detail(), true);
        // Restored: the next difference on it is news again.
        reported = Set.of();
      }
      case CONFLICT ->
          LOG.infof(
              "ValidatingWebhookConfiguration %s changed meanwhile; the next pass decides", name);
      case FAILED -> {
        // logged by the watch
      }
    }
  }

  private List<X509Certificate> chain() {
    return serving.isResolvable() ? serving.get().chain() : List.of();
  }

  private String ca() {
    try {
      return Files.readString(caFile);
    } catch (NoSuchFileException e) {
      return "";
    } catch (IOException e) {
      LOG.warnf("cannot read %s (%s): a wrong caBundle cannot be restored", caFile, e.getMessage());
      return "";
    }
  }
}
