package io.wgguard.status;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wgguard.Names;
import io.wgguard.guard.RegistrationMode;
import io.wgguard.guard.RegistrationReport;
import io.wgguard.pass.Departure;
import io.wgguard.pass.StandingOverride;
import io.wgguard.taints.TaintPlan;
import io.wgguard.tunnels.TunnelEvidence;
import java.util.List;

/**
 * The fields {@code GET /status} and {@code audit -o json} share, written from one {@link
 * CheckerStatus} by one method, so the two documents cannot drift apart.
 */
public final class StatusDocument {

  private StatusDocument() {}

  /**
   * Writes the cluster-wide part of a pass: families, the brake, counts, problems, standing
   * overrides, faults, held removals, pending changes and the tunnel report.
   */
  public static void write(ObjectNode root, CheckerStatus status, TunnelEvidence tunnelEvidence) {
    TaintPlan plan = status.plan();
    root.put("felixApiVersion", status.felixApiVersion());
    ArrayNode families = root.putArray("clusterFamilies");
    plan.clusterFamilies().forEach(f -> families.add(f.label()));
    root.put("brakeEngaged", plan.brakeEngaged());
    ObjectNode counts = root.putObject("counts");
    plan.counts().forEach((state, n) -> counts.put(Names.label(state), n));
    ArrayNode withheld = root.putArray("withheld");
    plan.withheld().forEach(withheld::add);
    ArrayNode problems = root.putArray("problems");
    problems(status).forEach(problems::add);
    overrides(root.putArray("overrides"), status.overrides());
    ArrayNode faults = root.putArray("faults");
    status.faults().forEach(faults::add);
    root.put("heldRemovals", status.held());
    ArrayNode changes = root.putArray("pendingChanges");
    plan.changes().forEach(c -> changes.add(c.describe()));
    NodeRows.tunnels(root.putObject("tunnels"), status.assessment().tunnels(), tunnelEvidence);
    if (status.registration().mode() != RegistrationMode.OFF) {
      guard(root.putObject("guard"), status.registration());
    }
  }

  /** wgguard's own registrations: in place, or what differs, what is restored, break-glass. */
  public static void guard(ObjectNode guard, RegistrationReport report) {
    guard.put("mode", Names.label(report.mode()));
    guard.put("known", report.known());
    guard.put("inPlace", report.inPlace());
    guard.put("summary", report.summary());
    ArrayNode findings = guard.putArray("findings");
    for (RegistrationReport.Finding f : report.findings()) {
      ObjectNode row = findings.addObject();
      row.put("registration", f.registration());
      row.put("field", f.field());
      row.put("kind", Names.label(f.kind()));
      row.put("detail", f.detail());
    }
    ArrayNode breakGlass = guard.putArray("breakGlass");
    for (RegistrationReport.BreakGlass b : report.breakGlass()) {
      ObjectNode row = breakGlass.addObject();
      row.put("registration", b.registration());
      row.put("value", b.value());
    }
    ArrayNode restoring = guard.putArray("restoring");
    report.restores().forEach(r -> restoring.add(r.desired().name()));
    ArrayNode notRestorable = guard.putArray("notRestorable");
    report.notRestorable().forEach(notRestorable::add);
  }

  /** What keeps the pass from reading the cluster's WireGuard settings, one sentence each. */
  public static List<String> problems(CheckerStatus status) {
    List<String> problems = new java.util.ArrayList<>();
    if (status.felixApiVersion().isEmpty()) {
      problems.add(
          "no FelixConfiguration API is served (crd.projectcalico.org/v1 or projectcalico.org/v3):"
              + " is Calico installed? WireGuard counts as off");
    }
    problems.addAll(status.plan().problems());
    status
        .unreadable()
        .forEach((name, why) -> problems.add("FelixConfiguration %s: %s".formatted(name, why)));
    return problems;
  }

  /** One row per FelixConfiguration carrying an override label. */
  public static void overrides(ArrayNode array, List<StandingOverride> overrides) {
    for (StandingOverride o : overrides) {
      ObjectNode row = array.addObject();
      row.put("object", o.object());
      row.put("ticket", o.ticket());
      row.put("expires", o.expires());
      row.put("state", o.stale() ? "stale" : "active");
      row.put("why", o.why());
    }
  }

  /** One row per node that left WireGuard. */
  public static void departures(ArrayNode array, List<Departure> departures) {
    for (Departure d : departures) {
      ObjectNode row = array.addObject();
      row.put("node", d.node());
      ArrayNode families = row.putArray("families");
      d.families().forEach(f -> families.add(f.label()));
      row.put("cause", d.cause().name());
      row.put("detail", d.detail());
    }
  }
}
