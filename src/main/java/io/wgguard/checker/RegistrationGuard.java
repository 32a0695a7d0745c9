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

  /** The registrations present, by name; empty while not listed or not watched. */
  public Optional<Map<String, Registration>> observed() {
    return settings.mode() == RegistrationMode.OFF ? Optional.empty() : watch.observed();
  }

  /** The serving chain and the CA file beside it, read now. */
  public RegistrationPolicy.Trust trust() {
    return settings.mode() == RegistrationMode.OFF
        ? new RegistrationPolicy.Trust(List.of(), "")
        : new RegistrationPolicy.Trust(chain(), ca());
  }

  /**
   * Publishes what the pass found ({@link RegistrationPolicy}, in the pass) and, when {@code
   * writer}, records Events and writes the restores.
   */
  public void apply(RegistrationReport report, boolean writer) {
    if (report.mode() == RegistrationMode.OFF) {
      return;
    }
    metrics.registration(report);
    if (!report.summary().equals(lastSummary)) {
      if (report.inPlace()) {
        LOG.infof("%s", report.summary());
      } else {
        LOG.warnf("%s", report.summary());
      }
      lastSummary = report.summary();
    }
    if (!report.known() || !writer) {
      // Events once per difference, by the writer: a replica that becomes the writer reports what
      // is still wrong.
      return;
    }
    Set<String> seen = new HashSet<>();
    Map<String, List<Finding>> fresh = new LinkedHashMap<>();
    for (Finding f : report.findings()) {
      String key = f.registration() + " " + f.detail();
      seen.add(key);
      if (!reported.contains(key)) {
        fresh.computeIfAbsent(f.registration(), k -> new java.util.ArrayList<>()).add(f);
      }
    }
    fresh.forEach(
        (name, findings) ->
            events.onRegistration(
                name,
                findings.stream().anyMatch(f -> f.kind() == RegistrationReport.Kind.MISSING)
                    ? Names.EVENT_REGISTRATION_MISSING
                    : Names.EVENT_REGISTRATION_CHANGED,
                String.join("; ", findings.stream().map(Finding::detail).toList()),
                true));
    Set<String> glass = new HashSet<>();
    for (BreakGlass b : report.breakGlass()) {
      String key = b.registration() + " " + b.value();
      glass.add(key);
      if (!glassReported.contains(key)) {
        events.onRegistration(
            b.registration(), Names.EVENT_REGISTRATION_BREAK_GLASS, b.detail(), true);
      }
    }
    reported = seen;
    glassReported = glass;
    for (Restore restore : report.restores()) {
      restore(restore);
    }
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
