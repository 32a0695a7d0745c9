package io.wgguard.guard;

import io.wgguard.Messages;
import io.wgguard.Names;
import io.wgguard.guard.Registration.Rule;
import io.wgguard.guard.Registration.Webhook;
import io.wgguard.guard.RegistrationReport.Action;
import io.wgguard.guard.RegistrationReport.BreakGlass;
import io.wgguard.guard.RegistrationReport.Finding;
import io.wgguard.guard.RegistrationReport.Kind;
import io.wgguard.guard.RegistrationReport.Restore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Compares wgguard's own ValidatingWebhookConfigurations with the registrations it expects ({@link
 * ExpectedRegistrations}) and plans the writes that put them back.
 *
 * <p>A registration is the guard: deleting it, setting {@code failurePolicy: Ignore}, adding an
 * {@code objectSelector} that skips labelled objects or removing {@code DELETE} from a rule lets
 * the next switch-off past wgguard without a trace in its own log. Every field that decides which
 * requests reach wgguard, and what the API server does when wgguard does not answer, is compared;
 * the caBundle is compared by what it does (does it verify the certificate wgguard serves?), not
 * byte for byte, so a bundle an injector such as cert-manager's cainjector keeps current (holding
 * old and new CA during a rotation) is kept. A wrong bundle is replaced by the {@code ca.crt}
 * beside the serving certificate, and only when that one verifies: writing a bundle that does not
 * would make the API server refuse every FelixConfiguration write.
 *
 * <p>Break-glass: the annotation {@link Names#BREAK_GLASS_ANNOTATION} with a non-blank value on a
 * registration stops its restoration; it is reported (the guard is not in place) for as long as it
 * stays. A deleted registration carries no annotation and is always restored: to take a guard away
 * in an emergency, annotate it first, then edit it (README "Guarding the guard").
 */
public final class RegistrationPolicy {

  private RegistrationPolicy() {}

  /**
   * The serving certificate and the CA file beside it.
   *
   * @param servingChain the chain wgguard serves, leaf first; empty when unknown (the caBundle is
   *     then not judged)
   * @param caFile the PEM text of {@code ca.crt} beside the serving certificate; empty when absent
   */
  public record Trust(List<X509Certificate> servingChain, String caFile) {
    public Trust {
      servingChain = List.copyOf(servingChain);
    }
  }

  /**
   * Compares and plans.
   *
   * @param settings the expected registrations' settings (mode, target)
   * @param observed the registrations present in the cluster, by name; empty while the watch has
   *     not listed them (nothing is concluded then)
   * @param trust the serving certificate and CA file
   * @param now the instant certificates are checked at
   */
  public static RegistrationReport check(
      RegistrationSettings settings,
      Optional<Map<String, Registration>> observed,
      Trust trust,
      Instant now) {
    if (settings.mode() == RegistrationMode.OFF) {
      return RegistrationReport.off();
    }
    if (observed.isEmpty()) {
      return RegistrationReport.unknown(settings.mode());
    }
    boolean restoring = settings.mode() == RegistrationMode.RESTORE;
    Optional<String> caFileBundle = usableCaFile(trust, now);
    List<Finding> findings = new ArrayList<>();
    List<Restore> restores = new ArrayList<>();
    List<BreakGlass> breakGlass = new ArrayList<>();
    List<String> notRestorable = new ArrayList<>();
    for (Registration expected : ExpectedRegistrations.of(settings)) {
      String guards =
          GuardedRegistration.named(expected.name()).map(GuardedRegistration::guards).orElse("");
      Registration actual = observed.get().get(expected.name());
      if (actual == null) {
        findings.add(
            new Finding(
                expected.name(),
                "",
                Kind.MISSING,
                "ValidatingWebhookConfiguration %s is gone: %s reach no guard"
                    .formatted(expected.name(), guards)));
        if (!restoring) {
          continue;
        }
        if (caFileBundle.isEmpty()) {
          notRestorable.add(cannotRestore(expected.name(), trust, now));
          continue;
        }
        restores.add(
            new Restore(
                Action.CREATE,
                expected.withWebhooks(
                    expected.webhooks().stream()
                        .map(w -> w.withCaBundle(caFileBundle.get()))
                        .toList()),
                "wgguard re-created ValidatingWebhookConfiguration %s, which was gone"
                    .formatted(expected.name())));
        continue;
      }
      List<Finding> differences = new ArrayList<>();
      List<Webhook> desired = new ArrayList<>();
      boolean bundleUnfixable = false;
      for (Webhook want : expected.webhooks()) {
        Optional<Webhook> found = actual.webhook(want.name());
        if (found.isEmpty()) {
          differences.add(
              new Finding(
                  actual.name(),
                  path(want.name(), ""),
                  Kind.WEBHOOK_MISSING,
                  "%s: webhook %s is gone: %s reach no guard"
                      .formatted(actual.name(), want.name(), guards)));
          if (caFileBundle.isPresent()) {
            desired.add(want.withCaBundle(caFileBundle.get()));
          } else {
            bundleUnfixable = true;
          }
          continue;
        }
        Webhook have = found.get();
        compare(actual.name(), want, have, differences);
        String bundle = have.caBundle();
        if (!trust.servingChain().isEmpty()) {
          Optional<String> why =
              CaBundles.whyNotTrusted(have.caBundle(), trust.servingChain(), now);
          if (why.isPresent()) {
            differences.add(
                new Finding(
                    actual.name(),
                    path(want.name(), "clientConfig.caBundle"),
                    Kind.CA_BUNDLE,
                    "%s: webhook %s: %s, so the API server cannot call wgguard"
                        .formatted(actual.name(), want.name(), why.get())));
            if (caFileBundle.isPresent()) {
              bundle = caFileBundle.get();
            } else {
              bundleUnfixable = true;
            }
          }
        }
        desired.add(want.withCaBundle(bundle));
      }
      Set<String> wanted = new HashSet<>();
      expected.webhooks().forEach(w -> wanted.add(w.name()));
      for (Webhook extra : actual.webhooks()) {
        if (!wanted.contains(extra.name())) {
          differences.add(
              new Finding(
                  actual.name(),
                  path(extra.name(), ""),
                  Kind.WEBHOOK_EXTRA,
                  "%s: webhook %s (%s) is not wgguard's"
                      .formatted(actual.name(), extra.name(), extra.target().describe())));
        }
      }
      findings.addAll(differences);
      String glass = actual.annotations().getOrDefault(Names.BREAK_GLASS_ANNOTATION, "").strip();
      if (!glass.isEmpty()) {
        breakGlass.add(
            new BreakGlass(
                actual.name(),
                glass,
                "%s is under break-glass (%s=%s): wgguard does not restore it while the annotation stays"
                    .formatted(actual.name(), Names.BREAK_GLASS_ANNOTATION, Messages.clip(glass))));
        continue;
      }
      if (!restoring || differences.isEmpty()) {
        continue;
      }
      if (bundleUnfixable) {
        notRestorable.add(cannotRestore(actual.name(), trust, now));
        continue;
      }
      restores.add(
          new Restore(
              Action.UPDATE,
              actual.withWebhooks(desired),
              "wgguard restored ValidatingWebhookConfiguration %s: %s"
                  .formatted(
                      actual.name(),
                      String.join("; ", differences.stream().map(Finding::detail).toList()))));
    }
    return new RegistrationReport(
        settings.mode(), true, findings, restores, breakGlass, notRestorable);
  }

  /** The CA file's text when it verifies the serving certificate. */
  private static Optional<String> usableCaFile(Trust trust, Instant now) {
    if (trust.caFile().isBlank()) {
      return Optional.empty();
    }
    if (trust.servingChain().isEmpty()) {
      return Optional.of(trust.caFile());
    }
    return CaBundles.whyNotTrusted(trust.caFile(), trust.servingChain(), now).isEmpty()
        ? Optional.of(trust.caFile())
        : Optional.empty();
  }

  private static String cannotRestore(String name, Trust trust, Instant now) {
    String why =
        trust.caFile().isBlank()
            ? "there is no ca.crt beside the serving certificate"
            : CaBundles.whyNotTrusted(trust.caFile(), trust.servingChain(), now)
                .map(w -> "ca.crt beside the serving certificate does not verify it (" + w + ")")
                .orElse("");
    return "%s cannot be restored: %s, and a caBundle that does not verify the serving certificate would make the API server refuse every request it sends"
        .formatted(name, why);
  }

  private static void compare(String registration, Webhook want, Webhook have, List<Finding> out) {
    field(registration, want, have, "clientConfig", w -> w.target().describe(), out);
    rules(registration, want, have, out);
    field(registration, want, have, "failurePolicy", Webhook::failurePolicy, out);
    field(
        registration, want, have, "namespaceSelector", w -> w.namespaceSelector().describe(), out);
    field(registration, want, have, "objectSelector", w -> w.objectSelector().describe(), out);
    field(registration, want, have, "sideEffects", Webhook::sideEffects, out);
    field(registration, want, have, "timeoutSeconds", w -> String.valueOf(w.timeoutSeconds()), out);
    field(registration, want, have, "matchPolicy", Webhook::matchPolicy, out);
    field(
        registration,
        want,
        have,
        "admissionReviewVersions",
        w -> String.join(",", w.admissionReviewVersions()),
        out);
  }

  private static void field(
      String registration,
      Webhook want,
      Webhook have,
      String field,
      Function<Webhook, String> read,
      List<Finding> out) {
    String expected = read.apply(want);
    String actual = read.apply(have);
    if (!Objects.equals(expected, actual)) {
      out.add(
          new Finding(
              registration,
              path(want.name(), field),
              Kind.CHANGED,
              "%s: webhook %s %s is %s, expected %s"
                  .formatted(registration, want.name(), field, actual, expected)));
    }
  }

  private static void rules(String registration, Webhook want, Webhook have, List<Finding> out) {
    Set<Rule> wanted = new LinkedHashSet<>(want.rules());
    Set<Rule> had = new LinkedHashSet<>(have.rules());
    if (wanted.equals(had)) {
      return;
    }
    List<String> parts = new ArrayList<>();
    List<String> lost = wanted.stream().filter(r -> !had.contains(r)).map(Rule::describe).toList();
    List<String> added = had.stream().filter(r -> !wanted.contains(r)).map(Rule::describe).toList();
    if (!lost.isEmpty()) {
      parts.add("expected " + String.join("; ", lost));
    }
    if (!added.isEmpty()) {
      parts.add("found " + String.join("; ", added));
    }
    out.add(
        new Finding(
            registration,
            path(want.name(), "rules"),
            Kind.CHANGED,
            "%s: webhook %s rules changed: %s"
                .formatted(registration, want.name(), String.join(", ", parts))));
  }

  private static String path(String webhook, String field) {
    return field.isEmpty()
        ? "webhooks[%s]".formatted(webhook)
        : "webhooks[%s].%s".formatted(webhook, field);
  }
}
