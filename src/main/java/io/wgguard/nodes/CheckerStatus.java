package io.wgguard.nodes;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The latest outcome of a checker pass, as every replica computes it: what health, {@code /status},
 * metrics and pod admission read. Never blocks, never calls the API server.
 *
 * @param plan the taint plan of the last pass
 * @param assessment the readiness assessment of the last pass
 * @param at when the pass ran
 * @param felixApiVersion the FelixConfiguration API watched, empty when none is served
 * @param unreadable FelixConfigurations that could not be read, with reasons
 * @param leader whether this replica writes taints
 * @param dryRun whether taint writes are only reported
 */
public record CheckerStatus(
    TaintPlan plan,
    ClusterAssessment assessment,
    Instant at,
    String felixApiVersion,
    Map<String, String> unreadable,
    boolean leader,
    boolean dryRun) {

  public CheckerStatus {
    unreadable = Map.copyOf(unreadable);
  }

  /** The verdict on one node, if the last pass saw it. */
  public Optional<NodeVerdict> verdict(String node) {
    return assessment.verdicts().stream().filter(v -> v.name().equals(node)).findFirst();
  }
}
