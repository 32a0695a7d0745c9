package io.wgguard.config;

import io.quarkus.runtime.StartupEvent;
import io.wgguard.Names;
import io.wgguard.evidence.EqualitySelector;
import io.wgguard.evidence.EvidenceSettings;
import io.wgguard.evidence.Exemption;
import io.wgguard.felix.GuardedField;
import io.wgguard.guard.RegistrationSettings;
import io.wgguard.pass.PassSettings;
import io.wgguard.policy.CalicoNodePolicy;
import io.wgguard.policy.FelixConfigurationPolicy;
import io.wgguard.policy.PodPlacementPolicy;
import io.wgguard.policy.PolicySettings;
import io.wgguard.taints.TaintSettings;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Builds the pure policy objects from configuration, and the clock they are given. */
public class PolicyProducer {

  /**
   * Maps every setting at start-up, so that a bad value stops wgguard before it serves, with its
   * reason, rather than at the first request that needs it.
   */
  void validateAtStartup(@Observes StartupEvent event, WgguardConfig config) {
    validate(config);
  }

  /**
   * What the service checks of its configuration beyond the mapping itself (types, enums): the
   * offline commands and the test of the README's settings table run the same.
   *
   * @throws IllegalArgumentException naming the setting and what is wrong with it
   */
  public static void validate(WgguardConfig config) {
    settingsOf(config);
    passSettingsOf(config);
  }

  @Produces
  @Singleton
  Clock clock() {
    return Clock.systemUTC();
  }

  @Produces
  @Singleton
  PolicySettings settings(WgguardConfig config) {
    return settingsOf(config);
  }

  @Produces
  @Singleton
  FelixConfigurationPolicy felixPolicy(PolicySettings settings) {
    return new FelixConfigurationPolicy(settings);
  }

  @Produces
  @Singleton
  CalicoNodePolicy calicoNodePolicy(PolicySettings settings) {
    return new CalicoNodePolicy(settings);
  }

  @Produces
  @Singleton
  PodPlacementPolicy podPolicy(WgguardConfig config) {
    return new PodPlacementPolicy(
        Set.copyOf(config.pods().exemptNamespaces()),
        Set.copyOf(config.pods().schedulerUsers()),
        config.checker().dryRun());
  }

  @Produces
  @Singleton
  RegistrationSettings registrationSettings(PassSettings settings) {
    return settings.registration();
  }

  /** Maps {@code wgguard.registration.*}; a bad URL or port stops start-up with its reason. */
  public static RegistrationSettings registrationSettingsOf(WgguardConfig config) {
    WgguardConfig.Registration registration = config.registration();
    return new RegistrationSettings(
        registration.mode(),
        registration.url().filter(url -> !url.isBlank()),
        registration
            .serviceNamespace()
            .filter(namespace -> !namespace.isBlank())
            .orElseGet(
                () -> {
                  String own = System.getenv("POD_NAMESPACE");
                  return own == null || own.isBlank() ? "wgguard-system" : own;
                }),
        registration.serviceName(),
        registration.servicePort(),
        Set.copyOf(registration.registrations()),
        config.pods().exemptNamespaces());
  }

  @Produces
  @Singleton
  PassSettings passSettings(WgguardConfig config) {
    return passSettingsOf(config);
  }

  /** Maps checker configuration to pass settings; a bad value stops start-up with its reason. */
  public static PassSettings passSettingsOf(WgguardConfig config) {
    WgguardConfig.Checker checker = config.checker();
    EqualitySelector exempt;
    try {
      exempt =
          checker
              .exemptSelector()
              .filter(selector -> !selector.isBlank())
              .map(EqualitySelector::parse)
              .orElse(EqualitySelector.none());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("wgguard.checker: " + e.getMessage(), e);
    }
    Exemption.selfAssertableKey(exempt)
        .ifPresent(
            key -> {
              throw new IllegalArgumentException(
                  ("wgguard.checker.exempt-selector '%s' keys on label %s, which a node's kubelet"
                          + " may set on its own Node: a keyless node could exempt itself. Use"
                          + " labels under %s (the NodeRestriction admission plugin keeps them"
                          + " from kubelets), e.g. %s=true set by an admin")
                      .formatted(exempt, key, Names.NODE_RESTRICTION_PREFIX, Names.EXEMPT_LABEL));
            });
    RegistrationSettings registration = registrationSettingsOf(config);
    try {
      EvidenceSettings evidence =
          new EvidenceSettings(
              exempt,
              Set.copyOf(checker.moduleSources()),
              checker.moduleLabel().orElse(""),
              checker.moduleLabelValue(),
              checker.conditionMaxAge(),
              checker.requireInterfaceAddress());
      TaintSettings taints =
          new TaintSettings(
              checker.taintEffect(), checker.brakeFraction(), checker.removalConfirmDelay());
      return new PassSettings(evidence, checker.tunnelEvidence(), taints, registration);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("wgguard.checker: " + e.getMessage(), e);
    }
  }

  /** Maps configuration to policy settings; a bad ticket pattern stops start-up with its reason. */
  public static PolicySettings settingsOf(WgguardConfig config) {
    EnumSet<GuardedField> fields =
        EnumSet.of(GuardedField.WIREGUARD_ENABLED, GuardedField.WIREGUARD_ENABLED_V6);
    if (config.admission().guardHostEncryption()) {
      fields.add(GuardedField.WIREGUARD_HOST_ENCRYPTION);
    }
    Pattern ticket;
    try {
      ticket = Pattern.compile(config.override().ticketPattern());
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          "wgguard.override.ticket-pattern is not a valid regular expression: "
              + e.getDescription(),
          e);
    }
    return new PolicySettings(
        config.admission().mode() == EnforcementMode.ENFORCE,
        fields,
        ticket,
        config.override().requireExpiry(),
        config.override().maxWindow(),
        config.override().users().orElse(List.of()),
        config.override().groups().orElse(List.of()),
        config.override().relayUsers());
  }
}
