package io.wgguard.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wgguard.Names;
import io.wgguard.pass.PassSettings;
import io.wgguard.taints.TaintSettings;
import io.wgguard.tunnels.TunnelEvidence;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The stage settings records' checks and defaults, and the wire names of the evidence enums. */
class SettingsTest {

  /** Builds the evidence and the taint settings, as the service does at start-up. */
  static PassSettings settings(
      Set<ModuleSource> sources, String label, Duration maxAge, TaintEffect effect, double brake) {
    return new PassSettings(
        new EvidenceSettings(
            EqualitySelector.none(), sources, label, Optional.empty(), maxAge, true),
        TunnelEvidence.REPORT,
        new TaintSettings(effect, brake, Duration.ofSeconds(5)));
  }

  static final Duration TWO_MINUTES = Duration.ofMinutes(2);

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(
            "the label source without a label key is refused",
            (Runnable)
                () ->
                    settings(
                        Set.of(ModuleSource.LABEL), " ", TWO_MINUTES, TaintEffect.NO_SCHEDULE, 0.5),
            "module readiness source 'label' needs the module label key to be set"),
        Arguments.of(
            "a zero heartbeat age is refused",
            (Runnable) () -> settings(Set.of(), "", Duration.ZERO, TaintEffect.NO_SCHEDULE, 0.5),
            "condition max heartbeat age must be positive"),
        Arguments.of(
            "a missing taint effect is refused",
            (Runnable) () -> settings(Set.of(), "", TWO_MINUTES, null, 0.5),
            "taint effect must be NoSchedule or NoExecute"),
        Arguments.of(
            "a brake fraction of 0 is refused",
            (Runnable) () -> settings(Set.of(), "", TWO_MINUTES, TaintEffect.NO_SCHEDULE, 0),
            "safety-brake fraction must be more than 0 and at most 1, not 0.0"),
        Arguments.of(
            "a brake fraction above 1 is refused",
            (Runnable) () -> settings(Set.of(), "", TWO_MINUTES, TaintEffect.NO_SCHEDULE, 1.5),
            "safety-brake fraction must be more than 0 and at most 1, not 1.5"),
        Arguments.of(
            "a NaN brake fraction is refused",
            (Runnable)
                () -> settings(Set.of(), "", TWO_MINUTES, TaintEffect.NO_SCHEDULE, Double.NaN),
            "safety-brake fraction must be more than 0 and at most 1, not NaN"),
        Arguments.of(
            "a negative removal confirmation delay is refused",
            (Runnable)
                () -> new TaintSettings(TaintEffect.NO_SCHEDULE, 0.5, Duration.ofSeconds(-1)),
            "removal confirmation delay must not be negative"),
        Arguments.of(
            "PreferNoSchedule is not an effect wgguard writes",
            (Runnable) () -> TaintEffect.fromWire("PreferNoSchedule"),
            "taint effect 'PreferNoSchedule' is not supported; use NoSchedule or NoExecute"),
        Arguments.of(
            "an unknown module source is refused",
            (Runnable) () -> ModuleSource.fromWire("kernel"),
            "module readiness source 'kernel' is not one of key, condition, label"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void refuses(String sentence, Runnable build, String message) {
    assertThatThrownBy(build::run).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void defaultsExemptNoSelectorUseKeyEvidenceNoScheduleAndHalf() {
    PassSettings defaults = PassSettings.defaults();

    assertThat(defaults)
        .isEqualTo(
            new PassSettings(
                new EvidenceSettings(
                    EqualitySelector.none(),
                    Set.of(ModuleSource.KEY),
                    "",
                    Optional.empty(),
                    Duration.ofMinutes(15),
                    true),
                TunnelEvidence.REPORT,
                new TaintSettings(TaintEffect.NO_SCHEDULE, 0.5, Duration.ofSeconds(5))));
  }

  @Test
  void wireNamesRoundTrip() {
    assertThat(
            Stream.of(ModuleSource.values())
                .map(s -> ModuleSource.fromWire(" " + s.wire().toUpperCase() + " ")))
        .containsExactly(ModuleSource.values());
    assertThat(Stream.of(TaintEffect.values()).map(e -> TaintEffect.fromWire(e.wire())))
        .containsExactly(TaintEffect.values());
    assertThat(Stream.of(NotReadyReason.values()).map(NotReadyReason::wire))
        .containsExactly(
            "no-public-key",
            "invalid-public-key",
            "duplicate-public-key",
            "module-not-ready",
            "agent-silent",
            "no-interface-address",
            "tunnel-key-mismatch",
            "peers-missing",
            "peers-unknown",
            "handshake-stale",
            "device-down",
            "route-bypass",
            "allowed-ips-missing",
            "mtu-too-large",
            "no-tunnel-evidence");
    assertThat(NotReadyReason.fromWire("no-interface-address"))
        .isEqualTo(NotReadyReason.NO_INTERFACE_ADDRESS);
    assertThat(NotReadyReason.fromWire("something-else")).isNull();
  }

  @Test
  void nodeFactsKeepOnlyTheAnnotationsFelixWritesForWireGuard() {
    NodeFacts facts =
        new NodeFacts(
            "worker1",
            Map.of("kubernetes.io/os", "linux"),
            Map.of(
                Names.PUBLIC_KEY_V4,
                Nodes.KEY_WORKER1,
                Names.INTERFACE_ADDR_V4,
                Nodes.ADDR_WORKER1,
                "node.alpha.kubernetes.io/ttl",
                "0",
                "kubectl.kubernetes.io/last-applied-configuration",
                "{}"),
            new NodeFacts.ModuleCondition("True", Instant.EPOCH, null, null),
            List.of());

    assertThat(facts.annotations())
        .isEqualTo(
            Map.of(
                Names.PUBLIC_KEY_V4,
                Nodes.KEY_WORKER1,
                Names.INTERFACE_ADDR_V4,
                Nodes.ADDR_WORKER1));
    assertThat(facts.condition())
        .isEqualTo(new NodeFacts.ModuleCondition("True", Instant.EPOCH, "", ""));
  }
}
