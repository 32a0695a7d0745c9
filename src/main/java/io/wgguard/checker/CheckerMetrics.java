package io.wgguard.checker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.wgguard.Names;
import io.wgguard.readiness.NodeState;
import io.wgguard.readiness.Posture;
import io.wgguard.readiness.TaintChange;
import io.wgguard.readiness.TaintPlan;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Checker metrics: {@code wgguard_nodes{state}}, {@code wgguard_posture{posture}} (1 for the
 * current posture, 0 for the others, all 0 before the first pass), {@code
 * wgguard_taint_changes_total{action}}, {@code wgguard_active_overrides}, {@code
 * wgguard_safety_brake_engaged}.
 */
@ApplicationScoped
public class CheckerMetrics {

  private final Map<NodeState, AtomicInteger> nodes;
  private final Map<Posture, AtomicInteger> postures;
  private final Map<TaintChange.Action, Counter> changes = new EnumMap<>(TaintChange.Action.class);
  private final AtomicInteger overrides = new AtomicInteger();
  private final AtomicInteger brake = new AtomicInteger();

  public CheckerMetrics(MeterRegistry registry) {
    nodes =
        gauges(
            registry,
            NodeState.class,
            "wgguard_nodes",
            "Nodes by WireGuard readiness state, as of the last checker pass",
            "state");
    postures =
        gauges(
            registry,
            Posture.class,
            "wgguard_posture",
            "1 for the cluster's WireGuard posture as of the last checker pass",
            "posture");
    for (TaintChange.Action action : TaintChange.Action.values()) {
      changes.put(
          action,
          Counter.builder("wgguard_taint_changes")
              .description("Taint writes made by this replica")
              .tag("action", Names.label(action))
              .register(registry));
    }
    Gauge.builder("wgguard_active_overrides", overrides, AtomicInteger::get)
        .description("FelixConfigurations carrying the wgguard.io/override label")
        .register(registry);
    Gauge.builder("wgguard_safety_brake_engaged", brake, AtomicInteger::get)
        .description("1 while the safety brake holds new taints back")
        .register(registry);
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
  void pass(TaintPlan plan, int activeOverrides) {
    plan.counts().forEach((state, count) -> nodes.get(state).set(count));
    postures.forEach((posture, value) -> value.set(posture == plan.posture() ? 1 : 0));
    overrides.set(activeOverrides);
    brake.set(plan.brakeEngaged() ? 1 : 0);
  }

  /** Counts a taint written. */
  void changed(TaintChange.Action action) {
    changes.get(action).increment();
  }
}
