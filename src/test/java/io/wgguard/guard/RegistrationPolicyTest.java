package io.wgguard.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.Names;
import io.wgguard.guard.Registration.Requirement;
import io.wgguard.guard.Registration.Rule;
import io.wgguard.guard.Registration.Selector;
import io.wgguard.guard.Registration.Target;
import io.wgguard.guard.Registration.Webhook;
import io.wgguard.guard.RegistrationReport.Action;
import io.wgguard.guard.RegistrationReport.Finding;
import io.wgguard.guard.RegistrationReport.Kind;
import io.wgguard.guard.RegistrationReport.Restore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The comparison of wgguard's own registrations with what it ships, and the restores planned. */
class RegistrationPolicyTest {

  static final Instant NOW = Instant.parse("2026-12-02T08:00:00Z");
  static final String CA = read("ca.crt");
  static final String OTHER_CA = read("other-ca.crt");
  static final List<X509Certificate> SERVING = chain(read("tls.crt"));
  static final RegistrationPolicy.Trust TRUST = new RegistrationPolicy.Trust(SERVING, CA);

  static final String FELIX = "wgguard";
  static final String FELIX_HOOK = "felixconfiguration.wgguard.io";

  static RegistrationSettings settings(RegistrationMode mode) {
    return new RegistrationSettings(
        mode,
        Optional.empty(),
        "wgguard-system",
        "wgguard",
        443,
        Set.of(GuardedRegistration.FELIXCONFIGURATION, GuardedRegistration.PODS),
        List.of("kube-system", "wgguard-system"));
  }

  /** The expected registrations as an API server holding them would, with the test CA. */
  static Map<String, Registration> cluster() {
    Map<String, Registration> cluster = new HashMap<>();
    for (Registration r : ExpectedRegistrations.of(settings(RegistrationMode.RESTORE))) {
      cluster.put(
          r.name(),
          new Registration(
              r.name(),
              "7",
              Map.of(),
              r.webhooks().stream().map(w -> w.withCaBundle(CA)).toList()));
    }
    return cluster;
  }

  /** The cluster with the FelixConfiguration webhook changed by {@code edit}. */
  static Map<String, Registration> felixHook(UnaryOperator<Webhook> edit) {
    Map<String, Registration> cluster = cluster();
    Registration felix = cluster.get(FELIX);
    cluster.put(FELIX, felix.withWebhooks(felix.webhooks().stream().map(edit).toList()));
    return cluster;
  }

  static Webhook with(
      Webhook w,
      String failurePolicy,
      Selector objectSelector,
      List<Rule> rules,
      int timeout,
      String matchPolicy,
      Target target) {
    return new Webhook(
        w.name(),
        target,
        w.caBundle(),
        rules,
        failurePolicy,
        w.namespaceSelector(),
        objectSelector,
        w.sideEffects(),
        timeout,
        matchPolicy,
        w.admissionReviewVersions());
  }

  static UnaryOperator<Webhook> failurePolicy(String value) {
    return w ->
        with(
            w,
            value,
            w.objectSelector(),
            w.rules(),
            w.timeoutSeconds(),
            w.matchPolicy(),
            w.target());
  }

  static UnaryOperator<Webhook> objectSelector(Selector value) {
    return w ->
        with(
            w,
            w.failurePolicy(),
            value,
            w.rules(),
            w.timeoutSeconds(),
            w.matchPolicy(),
            w.target());
  }

  static UnaryOperator<Webhook> rules(List<Rule> value) {
    return w ->
        with(
            w,
            w.failurePolicy(),
            w.objectSelector(),
            value,
            w.timeoutSeconds(),
            w.matchPolicy(),
            w.target());
  }

  static UnaryOperator<Webhook> timeout(int value) {
    return w ->
        with(
            w,
            w.failurePolicy(),
            w.objectSelector(),
            w.rules(),
            value,
            w.matchPolicy(),
            w.target());
  }

  static UnaryOperator<Webhook> matchPolicy(String value) {
    return w ->
        with(
            w,
            w.failurePolicy(),
            w.objectSelector(),
            w.rules(),
            w.timeoutSeconds(),
            value,
            w.target());
  }

  static UnaryOperator<Webhook> target(Target value) {
    return w ->
        with(
            w,
            w.failurePolicy(),
            w.objectSelector(),
            w.rules(),
            w.timeoutSeconds(),
            w.matchPolicy(),
            value);
  }

  static UnaryOperator<Webhook> caBundle(String value) {
    return w -> w.withCaBundle(value);
  }

  static final Rule WITHOUT_DELETE =
      new Rule(
          List.of("crd.projectcalico.org", "projectcalico.org"),
          List.of("*"),
          List.of("CREATE", "UPDATE"),
          List.of("felixconfigurations"),
          "Cluster");

  static final Selector BYPASS =
      new Selector(Map.of(), List.of(new Requirement("bypass", "NotIn", List.of("true"))));

  static Map<String, Registration> without(String name) {
    Map<String, Registration> cluster = cluster();
    cluster.remove(name);
    return cluster;
  }

  static Map<String, Registration> extraWebhook() {
    Map<String, Registration> cluster = cluster();
    Registration felix = cluster.get(FELIX);
    List<Webhook> hooks = new ArrayList<>(felix.webhooks());
    hooks.add(
        new Webhook(
            "always-allow.example.com",
            Target.url("https://allow.example.com/"),
            CA,
            felix.webhooks().get(0).rules(),
            "Ignore",
            Selector.EVERYTHING,
            Selector.EVERYTHING,
            "None",
            5,
            "Equivalent",
            List.of("v1")));
    cluster.put(FELIX, felix.withWebhooks(hooks));
    return cluster;
  }

  static Map<String, Registration> noWebhooks() {
    Map<String, Registration> cluster = cluster();
    cluster.put(FELIX, cluster.get(FELIX).withWebhooks(List.of()));
    return cluster;
  }

  static Map<String, Registration> annotated(Map<String, Registration> cluster, String value) {
    Registration felix = cluster.get(FELIX);
    cluster.put(
        FELIX,
        new Registration(
            felix.name(),
            felix.resourceVersion(),
            Map.of(Names.BREAK_GLASS_ANNOTATION, value),
            felix.webhooks()));
    return cluster;
  }

  /** One finding as the table reads it. */
  record Found(String registration, String field, Kind kind) {
    static Found of(Finding f) {
      return new Found(f.registration(), f.field(), f.kind());
    }
  }

  static Found found(String field, Kind kind) {
    return new Found(FELIX, field, kind);
  }

  static Stream<Arguments> cases() {
    String hook = "webhooks[" + FELIX_HOOK + "]";
    return Stream.of(
        Arguments.of("as shipped: in place, nothing written", cluster(), List.of(), null),
        Arguments.of(
            "deleted: missing, re-created with ca.crt",
            without(FELIX),
            List.of(new Found(FELIX, "", Kind.MISSING)),
            Action.CREATE),
        Arguments.of(
            "failurePolicy Ignore: changed, updated",
            felixHook(failurePolicy("Ignore")),
            List.of(found(hook + ".failurePolicy", Kind.CHANGED)),
            Action.UPDATE),
        Arguments.of(
            "an objectSelector skipping bypass=true: changed, updated",
            felixHook(objectSelector(BYPASS)),
            List.of(found(hook + ".objectSelector", Kind.CHANGED)),
            Action.UPDATE),
        Arguments.of(
            "DELETE removed from the operations: rules changed, updated",
            felixHook(rules(List.of(WITHOUT_DELETE))),
            List.of(found(hook + ".rules", Kind.CHANGED)),
            Action.UPDATE),
        Arguments.of(
            "the rules in another order: in place",
            felixHook(
                rules(
                    List.of(
                        new Rule(
                            List.of("projectcalico.org", "crd.projectcalico.org"),
                            List.of("*"),
                            List.of("DELETE", "UPDATE", "CREATE"),
                            List.of("felixconfigurations"),
                            "Cluster")))),
            List.of(),
            null),
        Arguments.of(
            "timeout 30 s: changed, updated",
            felixHook(timeout(30)),
            List.of(found(hook + ".timeoutSeconds", Kind.CHANGED)),
            Action.UPDATE),
        Arguments.of(
            "matchPolicy Exact: changed, updated",
            felixHook(matchPolicy("Exact")),
            List.of(found(hook + ".matchPolicy", Kind.CHANGED)),
            Action.UPDATE),
        Arguments.of(
            "sent to another server: changed, updated",
            felixHook(target(Target.url("https://allow.example.com/admission/felixconfiguration"))),
            List.of(found(hook + ".clientConfig", Kind.CHANGED)),
            Action.UPDATE),
        Arguments.of(
            "the caBundle replaced by another CA: caBundle, restored from ca.crt",
            felixHook(caBundle(OTHER_CA)),
            List.of(found(hook + ".clientConfig.caBundle", Kind.CA_BUNDLE)),
            Action.UPDATE),
        Arguments.of(
            "the caBundle emptied: caBundle, restored from ca.crt",
            felixHook(caBundle("")),
            List.of(found(hook + ".clientConfig.caBundle", Kind.CA_BUNDLE)),
            Action.UPDATE),
        Arguments.of(
            "an injector's bundle of two CAs, ours among them: in place, kept",
            felixHook(caBundle(OTHER_CA + CA)),
            List.of(),
            null),
        Arguments.of(
            "several fields at once: each named",
            felixHook(failurePolicy("Ignore").andThen(objectSelector(BYPASS))::apply),
            List.of(
                found(hook + ".failurePolicy", Kind.CHANGED),
                found(hook + ".objectSelector", Kind.CHANGED)),
            Action.UPDATE),
        Arguments.of(
            "an extra webhook: named, removed",
            extraWebhook(),
            List.of(found("webhooks[always-allow.example.com]", Kind.WEBHOOK_EXTRA)),
            Action.UPDATE),
        Arguments.of(
            "its webhook removed: named, put back",
            noWebhooks(),
            List.of(found(hook, Kind.WEBHOOK_MISSING)),
            Action.UPDATE),
        Arguments.of(
            "break-glass with a drift: drift named, not restored",
            annotated(felixHook(failurePolicy("Ignore")), "INC-7 calico-node cannot start"),
            List.of(found(hook + ".failurePolicy", Kind.CHANGED)),
            null),
        Arguments.of(
            "a blank break-glass annotation: not honoured, restored",
            annotated(felixHook(failurePolicy("Ignore")), " "),
            List.of(found(hook + ".failurePolicy", Kind.CHANGED)),
            Action.UPDATE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void restoring(
      String name, Map<String, Registration> observed, List<Found> findings, Action action) {
    RegistrationReport report =
        RegistrationPolicy.check(
            settings(RegistrationMode.RESTORE), Optional.of(observed), TRUST, NOW);

    assertThat(report.findings()).map(Found::of).containsExactlyElementsOf(findings);
    assertThat(report.notRestorable()).isEmpty();
    if (action == null) {
      assertThat(report.restores()).isEmpty();
      return;
    }
    assertThat(report.restores()).hasSize(1);
    Restore restore = report.restores().get(0);
    assertThat(restore.action()).isEqualTo(action);
    // Written back: the shipped registration, with a bundle that verifies, on the observed object.
    Registration shipped = cluster().get(FELIX);
    assertThat(restore.desired().webhooks()).isEqualTo(shipped.webhooks());
    assertThat(restore.desired().resourceVersion()).isEqualTo(action == Action.CREATE ? "" : "7");
    assertThat(
            RegistrationPolicy.check(
                    settings(RegistrationMode.RESTORE),
                    Optional.of(applied(observed, restore)),
                    TRUST,
                    NOW)
                .inPlace())
        .as("after the restore, in place")
        .isTrue();
  }

  static Map<String, Registration> applied(Map<String, Registration> observed, Restore restore) {
    Map<String, Registration> after = new HashMap<>(observed);
    after.put(restore.desired().name(), restore.desired());
    return after;
  }

  @Test
  void anInjectorsBundleIsKept() {
    Map<String, Registration> observed =
        felixHook(failurePolicy("Ignore").andThen(caBundle(OTHER_CA + CA))::apply);

    Restore restore =
        RegistrationPolicy.check(
                settings(RegistrationMode.RESTORE), Optional.of(observed), TRUST, NOW)
            .restores()
            .get(0);

    assertThat(restore.desired().webhook(FELIX_HOOK).orElseThrow().caBundle())
        .isEqualTo(OTHER_CA + CA);
  }

  @Test
  void breakGlassIsReportedWithItsValue() {
    RegistrationReport report =
        RegistrationPolicy.check(
            settings(RegistrationMode.RESTORE),
            Optional.of(annotated(cluster(), "INC-7")),
            TRUST,
            NOW);

    assertThat(report.findings()).isEmpty();
    assertThat(report.restores()).isEmpty();
    assertThat(report.inPlace()).isFalse();
    assertThat(report.breakGlass())
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.registration()).isEqualTo(FELIX);
              assertThat(b.value()).isEqualTo("INC-7");
            });
    assertThat(report.summary())
        .isEqualTo(
            "the guard is not in place: wgguard is under break-glass (wgguard.io/break-glass=INC-7):"
                + " wgguard does not restore it while the annotation stays");
  }

  @Test
  void reportModeWritesNothing() {
    RegistrationReport report =
        RegistrationPolicy.check(
            settings(RegistrationMode.REPORT), Optional.of(without(FELIX)), TRUST, NOW);

    assertThat(report.findings())
        .map(Found::of)
        .containsExactly(new Found(FELIX, "", Kind.MISSING));
    assertThat(report.restores()).isEmpty();
    assertThat(report.inPlace()).isFalse();
  }

  @Test
  void offAndNotListedConcludeNothing() {
    assertThat(
            RegistrationPolicy.check(
                settings(RegistrationMode.OFF), Optional.of(Map.of()), TRUST, NOW))
        .isEqualTo(RegistrationReport.off());
    RegistrationReport unknown =
        RegistrationPolicy.check(settings(RegistrationMode.RESTORE), Optional.empty(), TRUST, NOW);
    assertThat(unknown.known()).isFalse();
    assertThat(unknown.inPlace()).isTrue();
    assertThat(unknown.restores()).isEmpty();
  }

  @Test
  void noCaFileThatVerifiesMeansNoBundleIsWritten() {
    var wrongFile = new RegistrationPolicy.Trust(SERVING, OTHER_CA);

    RegistrationReport gone =
        RegistrationPolicy.check(
            settings(RegistrationMode.RESTORE), Optional.of(without(FELIX)), wrongFile, NOW);
    RegistrationReport badBundle =
        RegistrationPolicy.check(
            settings(RegistrationMode.RESTORE),
            Optional.of(felixHook(caBundle(OTHER_CA))),
            new RegistrationPolicy.Trust(SERVING, ""),
            NOW);

    assertThat(gone.restores()).isEmpty();
    assertThat(gone.notRestorable())
        .singleElement()
        .asString()
        .startsWith(
            "wgguard cannot be restored: ca.crt beside the serving certificate does not verify it");
    assertThat(badBundle.restores()).isEmpty();
    assertThat(badBundle.notRestorable())
        .containsExactly(
            "wgguard cannot be restored: there is no ca.crt beside the serving certificate, and a"
                + " caBundle that does not verify the serving certificate would make the API"
                + " server refuse every request it sends");
  }

  @Test
  void sentencesSayWhatChangedAndWhatItLetsThrough() {
    assertThat(details(without(FELIX)))
        .containsExactly(
            "ValidatingWebhookConfiguration wgguard is gone: FelixConfiguration writes reach no guard");
    assertThat(details(felixHook(failurePolicy("Ignore"))))
        .containsExactly(
            "wgguard: webhook felixconfiguration.wgguard.io failurePolicy is Ignore, expected Fail");
    assertThat(details(felixHook(objectSelector(BYPASS))))
        .containsExactly(
            "wgguard: webhook felixconfiguration.wgguard.io objectSelector is bypass NotIn (true),"
                + " expected everything");
    assertThat(details(felixHook(rules(List.of(WITHOUT_DELETE)))))
        .containsExactly(
            "wgguard: webhook felixconfiguration.wgguard.io rules changed: expected CREATE, DELETE,"
                + " UPDATE on felixconfigurations in crd.projectcalico.org,projectcalico.org/*,"
                + " scope Cluster, found CREATE, UPDATE on felixconfigurations in"
                + " crd.projectcalico.org,projectcalico.org/*, scope Cluster");
    assertThat(details(felixHook(caBundle(OTHER_CA))))
        .containsExactly(
            "wgguard: webhook felixconfiguration.wgguard.io: the caBundle (CN=not-wgguard-ca) does"
                + " not verify the serving certificate CN=wgguard.wgguard-system.svc, so the API"
                + " server cannot call wgguard");
  }

  @Test
  void aUrlTargetIsExpectedWhenConfigured() {
    var byUrl =
        new RegistrationSettings(
            RegistrationMode.RESTORE,
            Optional.of("https://127.0.0.1:8443/"),
            "wgguard-system",
            "wgguard",
            443,
            Set.of(GuardedRegistration.FELIXCONFIGURATION),
            List.of());

    assertThat(ExpectedRegistrations.of(byUrl).get(0).webhooks().get(0).target())
        .isEqualTo(Target.url("https://127.0.0.1:8443/admission/felixconfiguration"));
    assertThat(details(felixHook(w -> w), byUrl))
        .containsExactly(
            "wgguard: webhook felixconfiguration.wgguard.io clientConfig is service"
                + " wgguard-system/wgguard:443/admission/felixconfiguration, expected"
                + " https://127.0.0.1:8443/admission/felixconfiguration");
  }

  static List<String> details(Map<String, Registration> observed) {
    return details(observed, settings(RegistrationMode.RESTORE));
  }

  static List<String> details(Map<String, Registration> observed, RegistrationSettings settings) {
    return RegistrationPolicy.check(settings, Optional.of(observed), TRUST, NOW).findings().stream()
        .map(Finding::detail)
        .toList();
  }

  static String read(String file) {
    try {
      return Files.readString(Path.of("src/test/resources/tls", file));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static List<X509Certificate> chain(String pem) {
    try {
      return CaBundles.parse(pem);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
