package io.wgguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.wgguard.it.KubeCluster.Result;
import io.wgguard.it.KubeCluster.User;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guarding the guard on a real API server: wgguard registers its FelixConfiguration webhook by URL
 * ({@code wgguard.registration.url}), and whatever an admin does to the registration with kubectl
 * (delete it, set failurePolicy Ignore, add an objectSelector, drop DELETE, replace the caBundle)
 * is reported (Event, metric) and put back by the next pass; break-glass stops that and is reported
 * while it lasts; a switch-off that lands while the registration is emptied is named as one without
 * override. Each test starts from the registration in place, with the API server calling wgguard.
 */
class RegistrationIT {

  static final String VWC = "validatingwebhookconfiguration";
  static final String NAME = "wgguard";
  static final String FELIX = "felixconfigurations.crd.projectcalico.org";
  static final Duration GENEROUS = Duration.ofSeconds(60);
  static final String OFF = "{\"spec\":{\"wireguardEnabled\":false}}";
  static final String ON = "{\"spec\":{\"wireguardEnabled\":true}}";

  static KubeCluster cluster;
  static WgguardProcess wgguard;
  static String caBundle;

  @BeforeAll
  static void start() throws IOException {
    cluster = KubeCluster.startSeedCluster();
    cluster.grantFelixConfigurationWriters();
    caBundle =
        Base64.getEncoder()
            .encodeToString(Files.readAllBytes(WgguardProcess.TEST_TLS.resolve("ca.crt")));
    // No registration installed: wgguard creates its own, aimed at its own port.
    wgguard =
        WgguardProcess.start(
            "registration-it",
            cluster.kubeconfig(User.ADMIN),
            Map.of(
                "wgguard.registration.mode", "restore",
                "wgguard.registration.registrations", "felixconfiguration",
                "wgguard.registration.url", "https://127.0.0.1:${quarkus.http.ssl-port}",
                "wgguard.checker.interval", "2s"));
  }

  @AfterAll
  static void stop() {
    KubeCluster.closeAll(wgguard, cluster);
  }

  @BeforeEach
  void theGuardIsInPlaceAndCalled() {
    KubeCluster.await(
        GENEROUS,
        "the registration in place",
        () -> wgguard.status().path("guard").path("inPlace").asBoolean());
    // The API server picks registrations up asynchronously: wait until it calls wgguard.
    KubeCluster.await(GENEROUS, "the API server to call wgguard", RegistrationIT::refused);
  }

  @AfterEach
  void putItBack() {
    kubectl("annotate", VWC, NAME, "wgguard.io/break-glass-");
    kubectl("patch", FELIX, "default", "--type=merge", "-p", ON);
  }

  @Test
  void aDeletedRegistrationIsReportedAndRecreated() {
    Set<String> missing = eventNames("WebhookRegistrationMissing");
    int restored = events("WebhookRegistrationRestored");
    double restores = restores();

    assertThat(kubectl("delete", VWC, NAME).exitCode()).isZero();

    KubeCluster.await(
        GENEROUS,
        "the Event WebhookRegistrationMissing",
        () -> !messagesSince("WebhookRegistrationMissing", missing).isEmpty());
    KubeCluster.await(
        GENEROUS,
        "the Event WebhookRegistrationRestored",
        () -> events("WebhookRegistrationRestored") > restored);
    KubeCluster.await(GENEROUS, "the restore counted", () -> restores() > restores);
    ValidatingWebhook webhook = webhook();
    assertThat(webhook.getFailurePolicy()).isEqualTo("Fail");
    assertThat(webhook.getClientConfig().getUrl())
        .isEqualTo(wgguard.webhookBase() + "/admission/felixconfiguration");
    assertThat(webhook.getClientConfig().getCaBundle()).isEqualTo(caBundle);
    assertThat(messagesSince("WebhookRegistrationMissing", missing))
        .contains(
            "ValidatingWebhookConfiguration wgguard is gone: FelixConfiguration writes reach no guard");
    KubeCluster.await(GENEROUS, "the API server to call wgguard again", RegistrationIT::refused);
  }

  static Stream<Arguments> tampering() {
    String otherCa;
    try {
      otherCa =
          Base64.getEncoder()
              .encodeToString(Files.readAllBytes(WgguardProcess.TEST_TLS.resolve("other-ca.crt")));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return Stream.of(
        Arguments.of(
            "failurePolicy set to Ignore",
            "[{\"op\":\"replace\",\"path\":\"/webhooks/0/failurePolicy\",\"value\":\"Ignore\"}]",
            "failurePolicy is Ignore, expected Fail",
            (Predicate<ValidatingWebhook>) w -> "Fail".equals(w.getFailurePolicy())),
        Arguments.of(
            "an objectSelector skipping bypass=true added",
            "[{\"op\":\"add\",\"path\":\"/webhooks/0/objectSelector\",\"value\":{\"matchExpressions\":"
                + "[{\"key\":\"bypass\",\"operator\":\"NotIn\",\"values\":[\"true\"]}]}}]",
            "objectSelector is bypass NotIn (true), expected everything",
            (Predicate<ValidatingWebhook>)
                w ->
                    w.getObjectSelector() == null
                        || w.getObjectSelector().getMatchExpressions() == null
                        || w.getObjectSelector().getMatchExpressions().isEmpty()),
        Arguments.of(
            "DELETE removed from the operations",
            "[{\"op\":\"replace\",\"path\":\"/webhooks/0/rules/0/operations\","
                + "\"value\":[\"CREATE\",\"UPDATE\"]}]",
            "rules changed: expected CREATE, DELETE, UPDATE",
            (Predicate<ValidatingWebhook>)
                w -> w.getRules().get(0).getOperations().contains("DELETE")),
        Arguments.of(
            "the caBundle replaced by another CA's",
            "[{\"op\":\"replace\",\"path\":\"/webhooks/0/clientConfig/caBundle\",\"value\":\""
                + otherCa
                + "\"}]",
            "the caBundle (CN=not-wgguard-ca) does not verify the serving certificate",
            (Predicate<ValidatingWebhook>)
                w -> caBundle.equals(w.getClientConfig().getCaBundle())));
  }

  @ParameterizedTest(name = "{0}: reported and restored")
  @MethodSource("tampering")
  void aChangedRegistrationIsReportedAndRestored(
      String change, String jsonPatch, String reported, Predicate<ValidatingWebhook> restored) {
    // The previous case's restore may still be on its way: start from the registration in place,
    // so the Event read below is this change's.
    KubeCluster.await(
        GENEROUS, "the registration in place", () -> metric("wgguard_guard_in_place") == 1.0);
    Set<String> seen = eventNames("WebhookRegistrationChanged");
    double restores = restores();

    Result patch = kubectl("patch", VWC, NAME, "--type=json", "-p", jsonPatch);
    assertThat(patch.exitCode()).as(patch.toString()).isZero();

    KubeCluster.await(
        GENEROUS,
        "the Event WebhookRegistrationChanged",
        () -> !messagesSince("WebhookRegistrationChanged", seen).isEmpty());
    // Only this change's Events: the previous case's may share its creation second.
    assertThat(messagesSince("WebhookRegistrationChanged", seen))
        .anyMatch(m -> m.contains(reported));
    KubeCluster.await(GENEROUS, "the restore counted", () -> restores() > restores);
    KubeCluster.await(GENEROUS, "the registration restored", () -> restored.test(webhook()));
  }

  @Test
  void breakGlassStopsTheRestoreAndIsReportedWhileItLasts() {
    int glass = events("WebhookRegistrationBreakGlass");
    assertThat(
            kubectl("annotate", VWC, NAME, "wgguard.io/break-glass=INC-7 calico-node stuck")
                .exitCode())
        .isZero();
    Result ignore =
        kubectl(
            "patch",
            VWC,
            NAME,
            "--type=json",
            "-p",
            "[{\"op\":\"replace\",\"path\":\"/webhooks/0/failurePolicy\",\"value\":\"Ignore\"}]");
    assertThat(ignore.exitCode()).as(ignore.toString()).isZero();

    KubeCluster.await(
        GENEROUS,
        "break-glass in /status",
        () -> wgguard.status().path("guard").path("breakGlass").size() == 1);
    KubeCluster.await(
        GENEROUS,
        "the Event WebhookRegistrationBreakGlass",
        () -> events("WebhookRegistrationBreakGlass") > glass);
    JsonNode guard = wgguard.status().path("guard");
    assertThat(guard.path("inPlace").asBoolean()).isFalse();
    assertThat(guard.path("breakGlass").get(0).path("value").asText())
        .isEqualTo("INC-7 calico-node stuck");
    assertThat(guard.path("findings").get(0).path("field").asText())
        .isEqualTo("webhooks[felixconfiguration.wgguard.io].failurePolicy");
    var health = wgguard.get("/q/health/group/wireguard");
    assertThat(health.statusCode()).isEqualTo(503);
    assertThat(health.body()).contains("under break-glass").contains("failurePolicy is Ignore");
    assertThat(metric("wgguard_registration_break_glass{registration=\"wgguard\"}")).isEqualTo(1);
    assertThat(metric("wgguard_guard_in_place")).isZero();
    // Several full passes later (2 s apart), still as the admin left it.
    double passes = metric("wgguard_checker_passes_total");
    KubeCluster.await(
        GENEROUS, "three more passes", () -> metric("wgguard_checker_passes_total") >= passes + 3);
    assertThat(webhook().getFailurePolicy()).isEqualTo("Ignore");

    assertThat(kubectl("annotate", VWC, NAME, "wgguard.io/break-glass-").exitCode()).isZero();

    KubeCluster.await(
        GENEROUS, "the registration restored", () -> "Fail".equals(webhook().getFailurePolicy()));
    KubeCluster.await(
        GENEROUS, "the guard back in place", () -> metric("wgguard_guard_in_place") == 1);
  }

  @Test
  void aSwitchOffWhileTheRegistrationIsEmptiedLandsAndIsNamed() {
    int unexplained = nodeEvents("WireGuardOffWithoutOverride");
    double counted = metric("wgguard_switch_offs_without_override_total");
    // Taken away under break-glass (a deleted registration would be re-created at once).
    assertThat(kubectl("annotate", VWC, NAME, "wgguard.io/break-glass=INC-8").exitCode()).isZero();
    Result empty =
        kubectl(
            "patch",
            VWC,
            NAME,
            "--type=json",
            "-p",
            "[{\"op\":\"replace\",\"path\":\"/webhooks\",\"value\":[]}]");
    assertThat(empty.exitCode()).as(empty.toString()).isZero();
    KubeCluster.await(
        GENEROUS,
        "the API server to stop calling wgguard",
        () ->
            cluster
                    .kubectl(
                        User.EDITOR,
                        "patch",
                        FELIX,
                        "default",
                        "--type=merge",
                        "-p",
                        OFF,
                        "--dry-run=server")
                    .exitCode()
                == 0);

    Result off = cluster.kubectl(User.EDITOR, "patch", FELIX, "default", "--type=merge", "-p", OFF);

    assertThat(off.exitCode()).as("the switch-off lands: " + off).isZero();
    KubeCluster.await(
        GENEROUS,
        "the Event WireGuardOffWithoutOverride",
        () -> nodeEvents("WireGuardOffWithoutOverride") >= unexplained + 3);
    assertThat(metric("wgguard_switch_offs_without_override_total")).isEqualTo(counted + 3);
    assertThat(
            cluster.admin().v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> "WireGuardOffWithoutOverride".equals(e.getReason()))
                .filter(e -> "worker1".equals(e.getInvolvedObject().getName()))
                .map(e -> e.getMessage())
                .toList())
        .anyMatch(
            m ->
                m.startsWith(
                    "WireGuard (IPv4) went off on node worker1, now off by FelixConfiguration"
                        + " default (spec.wireguardEnabled), and no object that changed or"
                        + " decides (FelixConfiguration default) carries a fresh"
                        + " wgguard.io/override"));
  }

  /** A switch-off is refused, judged by wgguard (dry-run). */
  static boolean refused() {
    Result r =
        cluster.kubectl(
            User.EDITOR, "patch", FELIX, "default", "--type=merge", "-p", OFF, "--dry-run=server");
    return r.exitCode() != 0
        && r.stderr().contains("admission webhook \"felixconfiguration.wgguard.io\" denied");
  }

  static Result kubectl(String... args) {
    return cluster.kubectl(User.ADMIN, args);
  }

  static ValidatingWebhook webhook() {
    ValidatingWebhookConfiguration config =
        cluster
            .admin()
            .admissionRegistration()
            .v1()
            .validatingWebhookConfigurations()
            .withName(NAME)
            .get();
    assertThat(config).as("the registration").isNotNull();
    assertThat(config.getWebhooks()).hasSize(1);
    return config.getWebhooks().get(0);
  }

  /** Events of this reason on the registration. */
  static int events(String reason) {
    return (int) eventsOn("ValidatingWebhookConfiguration", reason).count();
  }

  static int nodeEvents(String reason) {
    return (int) eventsOn("Node", reason).count();
  }

  static Stream<io.fabric8.kubernetes.api.model.Event> eventsOn(String kind, String reason) {
    return cluster.admin().v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> kind.equals(e.getInvolvedObject().getKind()))
        .filter(e -> reason.equals(e.getReason()));
  }

  /** The names of the Events of this reason on the registration, to tell later ones apart. */
  static Set<String> eventNames(String reason) {
    return eventsOn("ValidatingWebhookConfiguration", reason)
        .map(e -> e.getMetadata().getName())
        .collect(Collectors.toSet());
  }

  /** The messages of the Events of this reason on the registration that are not in {@code seen}. */
  static List<String> messagesSince(String reason, Set<String> seen) {
    return eventsOn("ValidatingWebhookConfiguration", reason)
        .filter(e -> !seen.contains(e.getMetadata().getName()))
        .map(io.fabric8.kubernetes.api.model.Event::getMessage)
        .toList();
  }

  static double restores() {
    return metric("wgguard_registration_restores_total{registration=\"wgguard\"}");
  }

  /** One sample of the exposition, 0 when absent. */
  static double metric(String series) {
    String body = wgguard.get("/q/metrics").body();
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(series) + "(?:\\{[^}]*})? ([0-9.eE+-]+)$")
            .matcher(body);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
