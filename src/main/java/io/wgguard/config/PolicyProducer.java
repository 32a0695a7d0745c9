package io.wgguard.config;

import io.wgguard.felix.GuardedField;
import io.wgguard.policy.FelixConfigurationPolicy;
import io.wgguard.policy.PodPlacementPolicy;
import io.wgguard.policy.PolicySettings;
import io.wgguard.readiness.EqualitySelector;
import io.wgguard.readiness.ModuleSource;
import io.wgguard.readiness.ReadinessSettings;
import io.wgguard.readiness.TaintEffect;
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
  PodPlacementPolicy podPolicy(WgguardConfig config) {
    return new PodPlacementPolicy(Set.copyOf(config.pods().exemptNamespaces()));
  }

  @Produces
  @Singleton
  ReadinessSettings readinessSettings(WgguardConfig config) {
    return readinessSettingsOf(config);
  }

  /**
   * Maps checker configuration to readiness settings; a bad value stops start-up with its reason.
   */
  public static ReadinessSettings readinessSettingsOf(WgguardConfig config) {
    WgguardConfig.Checker checker = config.checker();
    Set<ModuleSource> sources = EnumSet.noneOf(ModuleSource.class);
    for (String source : checker.moduleSources()) {
      try {
        sources.add(ModuleSource.fromWire(source.strip()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("wgguard.checker.module-sources: " + e.getMessage(), e);
      }
    }
    try {
      return new ReadinessSettings(
          checker.exemptSelector().isBlank()
              ? EqualitySelector.none()
              : EqualitySelector.parse(checker.exemptSelector()),
          sources,
          checker.moduleLabel().orElse(""),
          checker.moduleLabelValue(),
          checker.conditionMaxAge(),
          TaintEffect.fromWire(checker.taintEffect()),
          checker.brakeFraction(),
          checker.tunnelEvidence());
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
