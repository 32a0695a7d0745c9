package io.wgguard.checker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.wgguard.Names;
import io.wgguard.evidence.NodeState;
import io.wgguard.evidence.NotReadyReason;
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
 * Checker metrics: {@code wgguard_nodes{state}}, {@code wgguard_posture{posture}} (1 for the
 * current posture, 0 for the others, all 0 before the first pass), {@code
 * wgguard_taint_changes_total{action}}, {@code wgguard_active_overrides}, {@code
 * wgguard_stale_overrides}, {@code wgguard_nodes_left_wireguard_total{cause}}, {@code
 * wgguard_safety_brake_engaged}, {@code wgguard_wireguard_forced_off_by_environment}, and the
 * tunnel cross-check: {@code wgguard_mesh_coverage}, {@code wgguard_mesh_pairs{state}} ({@code
 * expected}, {@code healthy}), {@code wgguard_tunnel_findings{reason}}. Names in {@link Names}.
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
  private final Map<NotReadyReason, AtomicInteger> tunnelFindings =
      new EnumMap<>(NotReadyReason.class);
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
    for (NotReadyReason reason : TUNNEL_REASONS) {
      AtomicInteger value = new AtomicInteger();
      tunnelFindings.put(reason, value);
      Gauge.builder(Names.METRIC_TUNNEL_FINDINGS, value, AtomicInteger::get)
          .description("Nodes with a tunnel finding of this reason, as of the last checker pass")
          .tag("reason", reason.wire())
          .register(registry);
    }
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

  /** Counts a taint written. */
  void changed(TaintChange.Action action) {
    changes.get(action).increment();
  }
}
