package io.wgguard.checker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.wgguard.Names;
import io.wgguard.evidence.NodeState;
import io.wgguard.evidence.NodeVerdict;
import io.wgguard.evidence.NotReadyReason;
import io.wgguard.guard.GuardedRegistration;
import io.wgguard.guard.RegistrationReport;
import io.wgguard.pass.Departure;
import io.wgguard.pass.StandingOverride;
import io.wgguard.taints.Posture;
import io.wgguard.taints.TaintChange;
import io.wgguard.taints.TaintPlan;
import io.wgguard.tunnels.TunnelReport;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Checker metrics: {@code wgguard_nodes{state}}, {@code wgguard_not_ready_nodes{reason}}, {@code
 * wgguard_posture{posture}} (1 for the current posture, 0 for the others, all 0 before the first
 * pass), {@code wgguard_taint_changes_total{action}}, {@code wgguard_active_overrides}, {@code
 * wgguard_stale_overrides}, {@code wgguard_nodes_left_wireguard_total{cause}}, {@code
 * wgguard_safety_brake_engaged}, {@code wgguard_wireguard_forced_off_by_environment}, and the
 * tunnel cross-check: {@code wgguard_mesh_coverage}, {@code wgguard_mesh_pairs{state}} ({@code
 * expected}, {@code healthy}), {@code wgguard_tunnel_findings{reason}}; wgguard's own
 * registrations: {@code wgguard_guard_in_place}, {@code wgguard_registration_drift{registration}},
 * {@code wgguard_registration_break_glass{registration}}, {@code
 * wgguard_registration_restores_total{registration}}. Names in {@link Names}.
 */
@ApplicationScoped
public class CheckerMetrics {

  /** The reasons the tunnel cross-check gives. */
  static final List<NotReadyReason> TUNNEL_REASONS =
      List.of(
          NotReadyReason.TUNNEL_KEY_MISMATCH,
          NotReadyReason.PEERS_MISSING,
          NotReadyReason.PEERS_UNKNOWN,
          NotReadyReason.HANDSHAKE_STALE,
          NotReadyReason.DEVICE_DOWN,
          NotReadyReason.ROUTE_BYPASS,
          NotReadyReason.ALLOWED_IPS_MISSING,
          NotReadyReason.MTU_TOO_LARGE,
          NotReadyReason.NO_TUNNEL_EVIDENCE);

  private final Map<NodeState, AtomicInteger> nodes;
  private final Map<Posture, AtomicInteger> postures;
  private final Map<TaintChange.Action, Counter> changes = new EnumMap<>(TaintChange.Action.class);
  private final AtomicInteger overrides = new AtomicInteger();
  private final AtomicInteger staleOverrides = new AtomicInteger();
  private final Map<Departure.Cause, Counter> departures = new EnumMap<>(Departure.Cause.class);
  private final AtomicInteger brake = new AtomicInteger();
  private final AtomicInteger forcedOff = new AtomicInteger();
  private final AtomicReference<Double> coverage = new AtomicReference<>(Double.NaN);
  private final Map<String, AtomicLong> pairs = new LinkedHashMap<>();
  private final Map<NotReadyReason, AtomicInteger> notReady = new EnumMap<>(NotReadyReason.class);
  private final Map<NotReadyReason, AtomicInteger> tunnelFindings =
      new EnumMap<>(NotReadyReason.class);
  private final AtomicInteger guardInPlace = new AtomicInteger(1);
  private final Map<GuardedRegistration, AtomicInteger> registrationDrift =
      new EnumMap<>(GuardedRegistration.class);
  private final Map<GuardedRegistration, AtomicInteger> breakGlass =
      new EnumMap<>(GuardedRegistration.class);
  private final Map<GuardedRegistration, Counter> restores =
      new EnumMap<>(GuardedRegistration.class);
  private final Counter offWithoutOverride;
  private final Map<String, AtomicInteger> exempt = new LinkedHashMap<>();
  private final Counter passRequests;
  private final Counter passes;

  public CheckerMetrics(MeterRegistry registry) {
    nodes =
        gauges(
            registry,
            NodeState.class,
            Names.METRIC_NODES,
            "Nodes by WireGuard readiness state, as of the last checker pass",
            "state");
    postures =
        gauges(
            registry,
            Posture.class,
            Names.METRIC_POSTURE,
            "1 for the cluster's WireGuard posture as of the last checker pass",
            "posture");
    for (TaintChange.Action action : TaintChange.Action.values()) {
      changes.put(
          action,
          Counter.builder(Names.METRIC_TAINT_CHANGES)
              .description("Taint writes made by this replica")
              .tag("action", Names.label(action))
              .register(registry));
    }
    Gauge.builder(Names.METRIC_ACTIVE_OVERRIDES, overrides, AtomicInteger::get)
        .description(
            "FelixConfigurations whose wgguard.io/override label covers a switch-off in force")
        .register(registry);
    Gauge.builder(Names.METRIC_STALE_OVERRIDES, staleOverrides, AtomicInteger::get)
        .description(
            "FelixConfigurations still carrying a wgguard.io/override label that should go:"
                + " WireGuard is back on in the object, or the expiry has passed")
        .register(registry);
    for (Departure.Cause cause : Departure.Cause.values()) {
      departures.put(
          cause,
          Counter.builder(Names.METRIC_NODES_LEFT_WIREGUARD)
              .description("Nodes on which WireGuard went from on to off, by cause")
              .tag("cause", Names.label(cause))
              .register(registry));
    }
    Gauge.builder(Names.METRIC_SAFETY_BRAKE, brake, AtomicInteger::get)
        .description("1 while the safety brake holds new taints back")
        .register(registry);
    Gauge.builder(Names.METRIC_FORCED_OFF_BY_ENVIRONMENT, forcedOff, AtomicInteger::get)
        .description(
            "IP families a calico-node DaemonSet forces off by a FELIX_* environment variable,"
                + " above every FelixConfiguration")
        .register(registry);
    Gauge.builder(Names.METRIC_MESH_COVERAGE, coverage, AtomicReference::get)
        .description(
            "Healthy WireGuard node pairs over expected pairs, from the node agents' tunnel"
                + " summaries; NaN while no node publishes one")
        .register(registry);
    for (String state : List.of("expected", "healthy")) {
      AtomicLong value = new AtomicLong();
      pairs.put(state, value);
      Gauge.builder(Names.METRIC_MESH_PAIRS, value, AtomicLong::get)
          .description("Directed node pairs that should have a WireGuard tunnel, and those proven")
          .tag("state", state)
          .register(registry);
    }
    for (NotReadyReason reason : NotReadyReason.values()) {
      AtomicInteger value = new AtomicInteger();
      notReady.put(reason, value);
      Gauge.builder(Names.METRIC_NOT_READY_NODES, value, AtomicInteger::get)
          .description("Not-ready nodes by the reason they are tainted for, as of the last pass")
          .tag("reason", reason.wire())
          .register(registry);
    }
    for (NotReadyReason reason : TUNNEL_REASONS) {
      AtomicInteger value = new AtomicInteger();
      tunnelFindings.put(reason, value);
      Gauge.builder(Names.METRIC_TUNNEL_FINDINGS, value, AtomicInteger::get)
          .description("Nodes with a tunnel finding of this reason, as of the last checker pass")
          .tag("reason", reason.wire())
          .register(registry);
    }
    Gauge.builder(Names.METRIC_GUARD_IN_PLACE, guardInPlace, AtomicInteger::get)
        .description(
            "1 while wgguard's webhook registrations are all there, as shipped, and none is under"
                + " break-glass (1 too when they are not watched)")
        .register(registry);
    for (GuardedRegistration registration : GuardedRegistration.values()) {
      String name = registration.objectName();
      AtomicInteger drift = new AtomicInteger();
      registrationDrift.put(registration, drift);
      Gauge.builder(Names.METRIC_REGISTRATION_DRIFT, drift, AtomicInteger::get)
          .description(
              "Differences between a wgguard registration and what wgguard ships (a registration"
                  + " gone counts 1), as of the last checker pass")
          .tag("registration", name)
          .register(registry);
      AtomicInteger glass = new AtomicInteger();
      breakGlass.put(registration, glass);
      Gauge.builder(Names.METRIC_REGISTRATION_BREAK_GLASS, glass, AtomicInteger::get)
          .description("1 while the registration carries the wgguard.io/break-glass annotation")
          .tag("registration", name)
          .register(registry);
      restores.put(
          registration,
          Counter.builder(Names.METRIC_REGISTRATION_RESTORES)
              .description("Registrations wgguard wrote back after deletion or drift")
              .tag("registration", name)
              .register(registry));
    }
    for (String grant : List.of("label", "selector", "refused")) {
      AtomicInteger value = new AtomicInteger();
      exempt.put(grant, value);
      Gauge.builder(Names.METRIC_EXEMPTIONS, value, AtomicInteger::get)
          .description(
              "Nodes exempt from WireGuard readiness by what grants it (label, selector), and"
                  + " nodes whose claim to exemption is not honoured (refused)")
          .tag("granted_by", grant)
          .register(registry);
    }
    offWithoutOverride =
        Counter.builder(Names.METRIC_OFF_WITHOUT_OVERRIDE)
            .description(
                "Nodes that left WireGuard by a FelixConfiguration or calico-node change carrying"
                    + " no fresh wgguard.io/override: a switch-off admission never judged")
            .register(registry);
    passRequests =
        Counter.builder(Names.METRIC_PASS_REQUESTS)
            .description(
                "Checker passes asked for, by watch events and the schedule, before folding")
            .register(registry);
    passes =
        Counter.builder(Names.METRIC_PASSES).description("Checker passes run").register(registry);
  }

  /** Counts a pass asked for. */
  void passRequested() {
    passRequests.increment();
  }

  /** One gauge per constant of {@code type}, tagged with its {@link Names#label}. */
  private static <E extends Enum<E>> Map<E, AtomicInteger> gauges(
      MeterRegistry registry, Class<E> type, String name, String description, String tag) {
    Map<E, AtomicInteger> values = new EnumMap<>(type);
    for (E constant : type.getEnumConstants()) {
      AtomicInteger value = new AtomicInteger();
      values.put(constant, value);
      Gauge.builder(name, value, AtomicInteger::get)
          .description(description)
          .tag(tag, Names.label(constant))
          .register(registry);
    }
    return values;
  }

  /** Publishes the counts of a pass. */
  void pass(TaintPlan plan, List<StandingOverride> standing) {
    passes.increment();
    plan.counts().forEach((state, count) -> nodes.get(state).set(count));
    notReady.forEach(
        (reason, value) -> value.set(plan.notReady().getOrDefault(reason, List.of()).size()));
    postures.forEach((posture, value) -> value.set(posture == plan.posture() ? 1 : 0));
    int stale = (int) standing.stream().filter(StandingOverride::stale).count();
    overrides.set(standing.size() - stale);
    staleOverrides.set(stale);
    brake.set(plan.brakeEngaged() ? 1 : 0);
  }

  /** Counts a node that left WireGuard. */
  void departed(Departure.Cause cause) {
    departures.get(cause).increment();
  }

  /** Publishes how many families calico-node's environment forces off. */
  void forcedOffByEnvironment(int families) {
    forcedOff.set(families);
  }

  /** Publishes the tunnel cross-check of a pass. */
  void tunnels(TunnelReport report) {
    coverage.set(report.collected() ? report.coverage() : Double.NaN);
    pairs.get("expected").set(report.expectedPairs());
    pairs.get("healthy").set(report.healthyPairs());
    tunnelFindings.forEach(
        (reason, value) -> value.set(report.notReady().getOrDefault(reason, List.of()).size()));
  }

  /** Publishes what a pass found of wgguard's own registrations. */
  void registration(RegistrationReport report) {
    guardInPlace.set(report.inPlace() ? 1 : 0);
    registrationDrift.forEach(
        (registration, value) ->
            value.set(
                (int)
                    report.findings().stream()
                        .filter(f -> f.registration().equals(registration.objectName()))
                        .count()));
    breakGlass.forEach(
        (registration, value) ->
            value.set(
                report.breakGlass().stream()
                        .anyMatch(b -> b.registration().equals(registration.objectName()))
                    ? 1
                    : 0));
  }

  /** Publishes the pass's exemptions, by what grants them. */
  void exemptions(List<NodeVerdict> verdicts) {
    int label = 0;
    int selector = 0;
    int refused = 0;
    for (NodeVerdict verdict : verdicts) {
      if (verdict.exempt()) {
        if (verdict.exemption().startsWith("label")) {
          label++;
        } else {
          selector++;
        }
      } else if (!verdict.exemption().isEmpty()) {
        refused++;
      }
    }
    exempt.get("label").set(label);
    exempt.get("selector").set(selector);
    exempt.get("refused").set(refused);
  }

  /** Counts a node that left WireGuard by a change no fresh override explains. */
  void switchOffWithoutOverride() {
    offWithoutOverride.increment();
  }

  /** Counts a registration written back. */
  void restored(String registration) {
    GuardedRegistration.named(registration).map(restores::get).ifPresent(Counter::increment);
  }

  /** Counts a taint written. */
  void changed(TaintChange.Action action) {
    changes.get(action).increment();
  }
}
