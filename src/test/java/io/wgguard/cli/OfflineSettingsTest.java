package io.wgguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wgguard.evidence.EqualitySelector;
import io.wgguard.evidence.ModuleSource;
import io.wgguard.evidence.TaintEffect;
import io.wgguard.felix.GuardedField;
import io.wgguard.pass.PassSettings;
import io.wgguard.policy.PolicySettings;
import io.wgguard.taints.TaintSettings;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The offline commands read the service's properties through the service's mapping: the same names,
 * defaults and conversions ({@code 24h} is a duration, lists split at commas).
 */
class OfflineSettingsTest {

  static final String GROUPS = "wgguard.override.groups";

  static Arguments c(
      String sentence, String set, Function<PolicySettings, Object> read, Object expected) {
    return Arguments.of(sentence, set, read, expected);
  }

  static Stream<Arguments> policyCases() {
    return Stream.of(
        c(
            "approver groups are a comma-separated list",
            GROUPS + "=wgguard-approvers,platform",
            PolicySettings::groups,
            List.of("wgguard-approvers", "platform")),
        c(
            "approver users likewise",
            "wgguard.override.users=alice,bob",
            PolicySettings::users,
            List.of("alice", "bob")),
        c(
            "warn mode switches enforcement off",
            "wgguard.admission.mode=warn",
            PolicySettings::enforce,
            false),
        c(
            "the mode is read without regard to case, as in the service",
            "wgguard.admission.mode=WARN",
            PolicySettings::enforce,
            false),
        c(
            "the override window takes Quarkus durations such as 24h",
            "wgguard.override.max-window=24h",
            PolicySettings::maxWindow,
            Optional.of(Duration.ofHours(24))),
        c(
            "and ISO-8601 durations",
            "wgguard.override.max-window=PT90M",
            PolicySettings::maxWindow,
            Optional.of(Duration.ofMinutes(90))),
        c(
            "guarding host encryption adds its field",
            "wgguard.admission.guard-host-encryption=true",
            PolicySettings::guardedFields,
            Set.of(
                GuardedField.WIREGUARD_ENABLED,
                GuardedField.WIREGUARD_ENABLED_V6,
                GuardedField.WIREGUARD_HOST_ENCRYPTION)),
        c(
            "a ticket pattern of one's own",
            "wgguard.override.ticket-pattern=^INC[0-9]+$",
            s -> s.ticketPattern().pattern(),
            "^INC[0-9]+$"),
        c(
            "require-expiry is a boolean",
            "wgguard.override.require-expiry=true",
            PolicySettings::requireExpiry,
            true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("policyCases")
  void policySetting(
      String sentence, String set, Function<PolicySettings, Object> read, Object expected)
      throws BadInputException {
    assertThat(read.apply(OfflineSettings.of(List.of(set)).policy())).isEqualTo(expected);
  }

  @Test
  void withoutPropertiesThePolicyIsTheBuiltInDefault() throws BadInputException {
    PolicySettings settings = OfflineSettings.of(List.of()).policy();
    PolicySettings defaults = PolicySettings.defaults();

    assertThat(settings.enforce()).isEqualTo(defaults.enforce());
    assertThat(settings.guardedFields()).isEqualTo(defaults.guardedFields());
    assertThat(settings.ticketPattern().pattern()).isEqualTo(defaults.ticketPattern().pattern());
    assertThat(settings.requireExpiry()).isEqualTo(defaults.requireExpiry());
    assertThat(settings.maxWindow()).isEqualTo(defaults.maxWindow());
    assertThat(settings.users()).isEqualTo(defaults.users());
    assertThat(settings.groups()).isEqualTo(defaults.groups());
    assertThat(settings.relayUsers()).isEqualTo(defaults.relayUsers());
  }

  @Test
  void withoutPropertiesThePassSettingsAreTheBuiltInDefaults() throws BadInputException {
    assertThat(OfflineSettings.of(List.of()).pass()).isEqualTo(PassSettings.defaults());
  }

  @Test
  void checkerPropertiesMapToPassSettings() throws BadInputException {
    PassSettings settings =
        OfflineSettings.of(
                List.of(
                    "wgguard.checker.module-sources=key,label",
                    "wgguard.checker.module-label=feature.node.kubernetes.io/wireguard",
                    "wgguard.checker.taint-effect=NoExecute",
                    "wgguard.checker.brake-fraction=1",
                    "wgguard.checker.exempt-selector=node-restriction.kubernetes.io/lab=true",
                    "wgguard.checker.require-interface-address=false",
                    "wgguard.checker.removal-confirm-delay=30s"))
            .pass();

    assertThat(settings.evidence().moduleSources())
        .isEqualTo(Set.of(ModuleSource.KEY, ModuleSource.LABEL));
    assertThat(settings.evidence().moduleLabel()).isEqualTo("feature.node.kubernetes.io/wireguard");
    assertThat(settings.taints())
        .isEqualTo(new TaintSettings(TaintEffect.NO_EXECUTE, 1.0, Duration.ofSeconds(30)));
    assertThat(settings.evidence().exemptSelector())
        .isEqualTo(EqualitySelector.parse("node-restriction.kubernetes.io/lab=true"));
    assertThat(settings.evidence().requireInterfaceAddress()).isFalse();
  }

  /**
   * Guards the {@code Optional<String>} of {@code exemptSelector} in {@code WgguardConfig}: as a
   * {@code String}, SmallRye Config took the README's empty value for a missing one and wgguard did
   * not start (SRCFG00040; issue #13, defect 9).
   */
  @Test
  void anEmptyExemptSelectorExemptsNoNode() throws BadInputException {
    PassSettings settings = OfflineSettings.of(List.of("wgguard.checker.exempt-selector=")).pass();

    assertThat(settings.evidence().exemptSelector()).isEqualTo(EqualitySelector.none());
  }

  @Test
  void aSystemPropertyIsReadAndSetOutranksIt() throws BadInputException {
    String before = System.getProperty(GROUPS);
    System.setProperty(GROUPS, "from-system-property");
    try {
      assertThat(OfflineSettings.of(List.of()).policy().groups())
          .containsExactly("from-system-property");
      assertThat(OfflineSettings.of(List.of(GROUPS + "=from-set")).policy().groups())
          .containsExactly("from-set");
    } finally {
      if (before == null) {
        System.clearProperty(GROUPS);
      } else {
        System.setProperty(GROUPS, before);
      }
    }
  }

  @Test
  void theLastSetOfAPropertyWins() throws BadInputException {
    assertThat(OfflineSettings.of(List.of(GROUPS + "=first", GROUPS + "=second")).policy().groups())
        .containsExactly("second");
  }

  @Test
  void anExemptSelectorOnALabelTheKubeletSetsIsRefused() {
    assertThatThrownBy(
            () ->
                OfflineSettings.of(
                        List.of("wgguard.checker.exempt-selector=kubernetes.io/os=windows"))
                    .pass())
        .hasMessage(
            "bad setting: wgguard.checker.exempt-selector 'kubernetes.io/os=windows' keys on label"
                + " kubernetes.io/os, which a node's kubelet may set on its own Node: a keyless node"
                + " could exempt itself. Use labels under node-restriction.kubernetes.io/ (the"
                + " NodeRestriction admission plugin keeps them from kubelets), e.g."
                + " node-restriction.kubernetes.io/wgguard-exempt=true set by an admin");
  }
}
