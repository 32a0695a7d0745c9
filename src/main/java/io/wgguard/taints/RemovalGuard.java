package io.wgguard.taints;

import io.wgguard.taints.TaintChange.Action;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Keeps one bad reading of the cluster from untainting it. Pure: the reconciler passes the plan,
 * what it remembers from earlier passes and the time, and writes what comes back.
 *
 * <ul>
 *   <li>While the checker's view has a fault (an API lost after it was seen, a watch down), no
 *       taint is removed: a missing FelixConfiguration or node is then no evidence of anything.
 *   <li>A mass removal, more than {@link TaintSettings#brakeFraction()} of the tainted nodes at
 *       once, is written only when a second pass at least the confirmation delay later still plans
 *       it. Until then the other changes are written and the removals wait.
 * </ul>
 */
public final class RemovalGuard {

  private RemovalGuard() {}

  /**
   * What to write this pass.
   *
   * @param write the plan to apply (the whole plan, or the plan without its removals)
   * @param massRemovalSince when a mass removal was first planned and is still to be confirmed;
   *     null when none waits
   * @param recheckIn when to run the confirming pass; null when none is needed
   * @param held why removals were held back this pass; empty when none were
   */
  public record Decision(
      TaintPlan write, Instant massRemovalSince, Duration recheckIn, String held) {}

  /**
   * Decides what of {@code plan} to write now.
   *
   * @param faults what keeps the checker's view from being the cluster's; empty when none
   * @param massRemovalSince the {@link Decision#massRemovalSince()} of the previous pass
   */
  public static Decision decide(
      TaintPlan plan,
      List<String> faults,
      TaintSettings settings,
      Instant massRemovalSince,
      Instant now) {
    double brakeFraction = settings.brakeFraction();
    Duration confirmDelay = settings.removalConfirmDelay();
    long removals = removals(plan);
    if (removals == 0) {
      return new Decision(plan, null, null, "");
    }
    if (!faults.isEmpty()) {
      String why = "%d taint removal(s) held: %s".formatted(removals, String.join("; ", faults));
      return new Decision(withoutRemovals(plan), null, null, why);
    }
    long tainted = plan.nodes().stream().filter(n -> !n.current().isEmpty()).count();
    boolean mass =
        BigDecimal.valueOf(removals)
                .compareTo(BigDecimal.valueOf(brakeFraction).multiply(BigDecimal.valueOf(tainted)))
            > 0;
    if (!mass) {
      return new Decision(plan, null, null, "");
    }
    Instant since = massRemovalSince == null ? now : massRemovalSince;
    Duration waited = Duration.between(since, now);
    if (waited.compareTo(confirmDelay) >= 0) {
      return new Decision(plan, null, null, "");
    }
    String why =
        ("%d of %d tainted nodes would lose their taint at once, more than the brake fraction:"
                + " written only if a pass %s s later still plans it")
            .formatted(removals, tainted, seconds(confirmDelay));
    return new Decision(withoutRemovals(plan), since, confirmDelay.minus(waited), why);
  }

  private static long removals(TaintPlan plan) {
    return plan.changes().stream().filter(c -> c.action() == Action.REMOVE).count();
  }

  private static TaintPlan withoutRemovals(TaintPlan plan) {
    return new TaintPlan(
        plan.posture(),
        plan.clusterFamilies(),
        plan.nodes(),
        plan.changes().stream().filter(c -> c.action() != Action.REMOVE).toList(),
        plan.counts(),
        plan.notReady(),
        plan.brakeEngaged(),
        plan.withheld(),
        plan.problems(),
        plan.summary());
  }

  private static String seconds(Duration duration) {
    return BigDecimal.valueOf(duration.toMillis())
        .movePointLeft(3)
        .stripTrailingZeros()
        .toPlainString();
  }
}
