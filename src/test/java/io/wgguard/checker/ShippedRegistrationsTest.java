package io.wgguard.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.wgguard.guard.ExpectedRegistrations;
import io.wgguard.guard.GuardedRegistration;
import io.wgguard.guard.Registration;
import io.wgguard.guard.RegistrationMode;
import io.wgguard.guard.RegistrationSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the checker expects of each registration is what {@code manifests/base} ships: a change to
 * one without the other would make wgguard "restore" its own manifests away, or miss a drift.
 */
class ShippedRegistrationsTest {

  static final RegistrationSettings DEFAULTS =
      new RegistrationSettings(
          RegistrationMode.RESTORE,
          Optional.empty(),
          "wgguard-system",
          "wgguard",
          443,
          Set.of(GuardedRegistration.values()),
          List.of("kube-system", "calico-system", "tigera-operator", "wgguard-system"));

  static final Map<GuardedRegistration, String> FILES =
      Map.of(
          GuardedRegistration.FELIXCONFIGURATION, "webhook.yaml",
          GuardedRegistration.CALICO_NODE, "calico-node-webhook.yaml",
          GuardedRegistration.PODS, "pod-webhook.yaml");

  @ParameterizedTest(name = "{0}")
  @EnumSource(GuardedRegistration.class)
  void theManifestIsWhatTheCheckerExpects(GuardedRegistration registration) throws IOException {
    ValidatingWebhookConfiguration shipped;
    try (InputStream in =
        Files.newInputStream(Path.of("manifests", "base", FILES.get(registration)))) {
      shipped = new KubernetesSerialization().unmarshal(in, ValidatingWebhookConfiguration.class);
    }

    Registration read = RegistrationMapper.read(shipped);

    assertThat(read).isEqualTo(ExpectedRegistrations.of(registration, DEFAULTS));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(GuardedRegistration.class)
  void writtenAndReadBackItIsTheSame(GuardedRegistration registration) {
    Registration expected = ExpectedRegistrations.of(registration, DEFAULTS);
    Registration withBundle =
        expected.withWebhooks(
            expected.webhooks().stream().map(w -> w.withCaBundle("-----PEM-----\n")).toList());

    ValidatingWebhookConfiguration written =
        RegistrationMapper.write(withBundle, RegistrationWatch.LABELS);

    assertThat(RegistrationMapper.read(written)).isEqualTo(withBundle);
    assertThat(written.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/name", "wgguard");
  }
}
