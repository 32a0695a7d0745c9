package io.wgguard.tunnels;

import io.wgguard.Messages;
import io.wgguard.Names;
import io.wgguard.evidence.AgentLease;
import io.wgguard.evidence.Finding;
import io.wgguard.evidence.NodeFacts;
import io.wgguard.evidence.NodeReadinessPolicy;
import io.wgguard.evidence.NodeVerdict;
import io.wgguard.evidence.NotReadyReason;
import io.wgguard.evidence.WireguardEvidence;
import io.wgguard.felix.IpFamily;
import io.wgguard.tunnels.TunnelReport.NodeTunnels;
import io.wgguard.tunnels.summary.PeerDigest;
import io.wgguard.tunnels.summary.TunnelSummary;
import io.wgguard.tunnels.summary.TunnelSummary.Device;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Cross-checks what the node agents saw of the WireGuard devices ({@link TunnelSummary}, annotation
 * {@code wgguard.io/tunnels}) against the keys every node publishes. Pure: records in, records out.
 *
 * <p>Per node that is not exempt and per family WireGuard is on for it:
 *
 * <ul>
 *   <li>the device exists and holds the public key the node publishes ({@link
 *       NotReadyReason#TUNNEL_KEY_MISMATCH});
 *   <li>its peers are exactly the expected ones ({@link NotReadyReason#PEERS_MISSING}, {@link
 *       NotReadyReason#PEERS_UNKNOWN}). Expected are the usable keys of every other node: valid,
 *       and published by no second node, because Felix programs a peer for every node that
 *       publishes a key of its own and skips keys several nodes share. Exempt nodes count too when
 *       they publish a key: Felix peers them all the same. The device's peers are compared by
 *       {@link PeerDigest}, so no peer list travels: the digest of all usable keys is summed once
 *       per pass and each node's expected digest is that sum minus its own key;
 *   <li>no peer that traffic was sent to lacks a handshake within WireGuard's reject time ({@link
 *       NotReadyReason#HANDSHAKE_STALE}); the agent counts those, since an idle peer's old
 *       handshake is normal.
 * </ul>
 *
 * A node without a usable summary (absent, unreadable, older than the condition max age, or missing
 * the family) has {@link NotReadyReason#NO_TUNNEL_EVIDENCE}: nothing proves its tunnels. When no
 * node publishes a summary and the evidence is only reported, the node agents do not read devices
 * and nothing is listed ({@link TunnelReport#collected()} false).
 *
 * <p>With {@link TunnelEvidence#REPORT} (the default) the findings are reported and the verdicts
 * are left alone; with {@link TunnelEvidence#ENFORCE} they join the node's verdict, which makes it
 * not ready. Mesh coverage counts directed pairs: each checked node and each peer it should have.
 */
public final class TunnelPolicy {

  /** WireGuard's REJECT_AFTER_TIME: a session older than this carries no traffic. */
  public static final Duration REJECT_AFTER = Duration.ofSeconds(180);

  private static final Comparator<Finding> FINDING_ORDER =
      Comparator.comparing(Finding::reason)
          .thenComparing(Finding::family, Comparator.nullsLast(Comparator.naturalOrder()));

  private static final String FIELD = Finding.annotation(Names.TUNNELS_ANNOTATION);

  /** Owner of a key several nodes publish; compared by identity. */
  @SuppressWarnings("StringOperationCanBeSimplified")
  private static final String SHARED = new String("(shared)");

  private TunnelPolicy() {}

  /**
   * The assessment with the tunnel cross-check added (and, when enforced, applied), without the
   * blocks: the path's routes and allowed-ips are not judged.
   */
  public static ClusterAssessment crossCheck(
      ClusterAssessment assessment,
      Collection<NodeFacts> nodes,
      TunnelEvidence evidence,
      Duration maxAge,
      Instant now) {
    return crossCheck(assessment, nodes, BlockAffinities.UNKNOWN, Map.of(), evidence, maxAge, now);
  }

  /**
   * The assessment with the tunnel cross-check added (and, when enforced, applied), the path
   * ({@link PathPolicy}) judged against these blocks; a node whose agent's Lease expired has {@link
   * NotReadyReason#AGENT_SILENT} instead of a judgement of its last summary.
   */
  public static ClusterAssessment crossCheck(
      ClusterAssessment assessment,
      Collection<NodeFacts> nodes,
      BlockAffinities affinities,
      Map<String, AgentLease> leases,
      TunnelEvidence evidence,
      Duration maxAge,
      Instant now) {
    boolean enforce = evidence == TunnelEvidence.ENFORCE;
    Map<String, NodeFacts> byName = new HashMap<>(nodes.size() * 2);
    boolean anySummary = false;
    for (NodeFacts node : nodes) {
      byName.put(node.name(), node);
      anySummary |= node.tunnels() != null || node.tunnelsProblem() != null;
    }
    if (!anySummary && !enforce) {
      return assessment;
    }
    Map<IpFamily, Mesh> meshes = new EnumMap<>(IpFamily.class);
    // A block younger than the summaries' allowed age may not be in a fresh summary yet.
    Instant settled = now.minus(maxAge);
    for (IpFamily family : IpFamily.values()) {
      Mesh mesh = Mesh.of(family, nodes);
      meshes.put(
          family,
          mesh.withIntent(
              anySummaryPath(nodes, family)
                  ? PathPolicy.Intent.of(family, nodes, mesh::usable, affinities, settled)
                  : PathPolicy.Intent.NONE));
    }
    Map<String, NodeTunnels> checked = new HashMap<>();
    Map<NotReadyReason, List<String>> notReady = new TreeMap<>();
    long expected = 0;
    long healthy = 0;
    List<NodeVerdict> verdicts = new ArrayList<>(assessment.verdicts().size());
    for (NodeVerdict verdict : assessment.verdicts()) {
      NodeFacts node = byName.get(verdict.name());
      if (verdict.exempt() || verdict.families().isEmpty() || node == null) {
        verdicts.add(verdict);
        continue;
      }
      NodeTunnels tunnels = check(node, verdict, meshes, leases.get(node.name()), maxAge, now);
      checked.put(node.name(), tunnels);
      expected += tunnels.expectedPairs();
      healthy += tunnels.healthyPairs();
      NotReadyReason last = null;
      for (Finding finding : tunnels.findings()) { // sorted by reason: each reason once
        if (finding.reason() != last) {
          last = finding.reason();
          notReady.computeIfAbsent(last, k -> new ArrayList<>()).add(node.name());
        }
      }
      verdicts.add(enforce ? enforced(verdict, tunnels.findings()) : verdict);
    }
    return new ClusterAssessment(
        assessment.cluster(),
        verdicts,
        assessment.problems(),
        new TunnelReport(true, checked, expected, healthy, notReady));
  }

  private static NodeTunnels check(
      NodeFacts node,
      NodeVerdict verdict,
      Map<IpFamily, Mesh> meshes,
      AgentLease lease,
      Duration maxAge,
      Instant now) {
    List<Finding> findings = new ArrayList<>(0);
    long expected = 0;
    long healthy = 0;
    TunnelSummary summary = node.tunnels();
    Finding silent = NodeReadinessPolicy.agentSilent(node.name(), lease, now);
    // A silent agent's summary is not judged: "" stands for "no evidence" below.
    String noEvidence = silent != null ? "" : noEvidence(node, maxAge, now);
    if (silent != null) {
      findings.add(silent);
    } else if (noEvidence != null) {
      findings.add(new Finding(NotReadyReason.NO_TUNNEL_EVIDENCE, null, FIELD, noEvidence));
    }
    for (IpFamily family : verdict.families()) {
      Mesh mesh = meshes.get(family);
      PeerDigest own = mesh.usable(node) ? node.keyDigests().get(family) : null;
      int expectedPeers = own == null ? mesh.count : mesh.count - 1;
      expected += expectedPeers;
      if (noEvidence != null) {
        continue;
      }
      Device device = summary.devices().get(family);
      if (device == null) {
        findings.add(
            new Finding(
                NotReadyReason.NO_TUNNEL_EVIDENCE,
                family,
                FIELD,
                "the node agent's tunnel summary has no %1$s device, but WireGuard is on for %1$s on this node"
                    .formatted(family.label())));
        continue;
      }
      healthy += checkDevice(node, family, device, mesh, own, expectedPeers, findings);
    }
    if (findings.size() > 1) {
      findings.sort(FINDING_ORDER);
    }
    return new NodeTunnels(
        node.name(),
        findings,
        expected,
        healthy,
        summary == null ? "" : summary.source(),
        summary == null ? null : summary.at());
  }

  /** Why the node's summary proves nothing, or null when it is there and fresh. */
  private static String noEvidence(NodeFacts node, Duration maxAge, Instant now) {
    if (node.tunnelsProblem() != null) {
      return "annotation %s %s".formatted(Names.TUNNELS_ANNOTATION, node.tunnelsProblem());
    }
    if (node.tunnels() == null) {
      return ("no annotation %s: the wgguard node agent has not published what the node's"
              + " WireGuard devices show (agent tunnel source device or felix-metrics)")
          .formatted(Names.TUNNELS_ANNOTATION);
    }
    // Seconds first: this runs for every node in every pass, and almost every summary is fresh.
    if (now.getEpochSecond() - node.tunnels().at().getEpochSecond() < maxAge.getSeconds()) {
      return null;
    }
    Duration age = Duration.between(node.tunnels().at(), now);
    if (age.compareTo(maxAge) > 0) {
      return "the node agent's tunnel summary is %s old, more than the allowed %s"
          .formatted(WireguardEvidence.human(age), WireguardEvidence.human(maxAge));
    }
    return null;
  }

  /** Adds the device's findings; returns the pairs it proves. */
  private static long checkDevice(
      NodeFacts node,
      IpFamily family,
      Device device,
      Mesh mesh,
      PeerDigest own,
      int expectedPeers,
      List<Finding> findings) {
    String published = node.annotations().getOrDefault(family.keyAnnotation(), "");
    if (!device.present()) {
      String name = name(family, device);
      findings.add(
          new Finding(
              NotReadyReason.TUNNEL_KEY_MISMATCH,
              family,
              FIELD,
              published.isEmpty()
                  ? "the node agent found no %s".formatted(name)
                  : ("the node agent found no %s: the published key %s belongs to no device, so"
                          + " peers encrypt to a key nobody holds")
                      .formatted(name, WireguardEvidence.fingerprint(published))));
      return 0;
    }
    boolean keyOk = true;
    if (own != null && !published.equals(device.publicKey())) {
      keyOk = false;
      String name = name(family, device);
      findings.add(
          new Finding(
              NotReadyReason.TUNNEL_KEY_MISMATCH,
              family,
              FIELD,
              "%s has public key %s, but the node publishes %s: peers encrypt to a key the device does not hold"
                  .formatted(
                      name,
                      device.publicKey().isEmpty()
                          ? "(none)"
                          : WireguardEvidence.fingerprint(device.publicKey()),
                      WireguardEvidence.fingerprint(published))));
    }
    PeerDigest wanted = own == null ? mesh.sum : mesh.sum.minus(own);
    int missing = 0;
    if (!wanted.matches(device.peerDigest())) {
      String name = name(family, device);
      int peers = device.peers();
      missing = peers < expectedPeers ? expectedPeers - peers : peers == expectedPeers ? 1 : 0;
      String counts =
          "%s has %s and the other nodes publish %s, and their digests differ"
              .formatted(
                  name,
                  plural(peers, "peer"),
                  plural(expectedPeers, "usable " + family.label() + " key"));
      if (peers <= expectedPeers) {
        findings.add(
            new Finding(
                NotReadyReason.PEERS_MISSING,
                family,
                FIELD,
                "%s: %s, so traffic to those nodes is not encrypted or not delivered"
                    .formatted(
                        counts,
                        peers < expectedPeers
                            ? "at least %d missing".formatted(missing)
                            : "at least one published key has no peer")));
      }
      if (peers >= expectedPeers) {
        findings.add(
            new Finding(
                NotReadyReason.PEERS_UNKNOWN,
                family,
                FIELD,
                "%s: %s with a key no other node publishes (a stale or foreign peer)"
                    .formatted(
                        counts,
                        peers > expectedPeers
                            ? "at least %d".formatted(peers - expectedPeers)
                            : "at least one")));
      }
    }
    if (device.handshakeStale() > 0) {
      String name = name(family, device);
      List<String> named = new ArrayList<>();
      for (String peer : device.stalePeers()) {
        named.add(mesh.nameOf(peer));
      }
      findings.add(
          new Finding(
              NotReadyReason.HANDSHAKE_STALE,
              family,
              FIELD,
              ("traffic was sent to %s of %s with no handshake within %s%s; the tunnel is"
                      + " configured but carries nothing (endpoint, blocked UDP, MTU)")
                  .formatted(
                      plural(device.handshakeStale(), "peer"),
                      name,
                      WireguardEvidence.human(REJECT_AFTER),
                      named.isEmpty() ? "" : ": " + String.join(", ", named))));
    }
    long unproven = 0;
    if (device.path() != null) {
      unproven =
          PathPolicy.check(
              node,
              family,
              name(family, device),
              device.path(),
              mesh.intent,
              expectedPeers,
              findings);
    }
    if (!keyOk) {
      return 0;
    }
    return Math.max(0, expectedPeers - Math.max(missing + device.handshakeStale(), unproven));
  }

  /** True when some node's summary shows the path of a device of the family. */
  private static boolean anySummaryPath(Collection<NodeFacts> nodes, IpFamily family) {
    for (NodeFacts node : nodes) {
      Device device = node.tunnels() == null ? null : node.tunnels().devices().get(family);
      if (device != null && device.path() != null) {
        return true;
      }
    }
    return false;
  }

  private static String name(IpFamily family, Device device) {
    return family.label() + " device " + Messages.clip(device.iface());
  }

  /** The verdict with the tunnel findings joined, not ready when there are any. */
  private static NodeVerdict enforced(NodeVerdict verdict, List<Finding> tunnelFindings) {
    if (tunnelFindings.isEmpty()) {
      return verdict;
    }
    List<Finding> findings = new ArrayList<>(verdict.findings());
    findings.addAll(tunnelFindings);
    findings.sort(FINDING_ORDER);
    return new NodeVerdict(
        verdict.name(),
        false,
        false,
        findings.get(0).reason(),
        findings,
        verdict.families(),
        verdict.keyFingerprints(),
        verdict.taints());
  }

  private static String plural(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  /**
   * One family's usable keys: valid, published by one node only.
   *
   * @param family the family
   * @param owners per valid key, the one node publishing it, or {@code SHARED} when several do
   * @param sum the digest of the usable keys
   * @param count how many there are
   */
  private record Mesh(
      IpFamily family,
      Map<String, String> owners,
      PeerDigest sum,
      int count,
      PathPolicy.Intent intent) {

    Mesh withIntent(PathPolicy.Intent intent) {
      return new Mesh(family, owners, sum, count, intent);
    }

    static Mesh of(IpFamily family, Collection<NodeFacts> nodes) {
      Map<String, String> owners = new HashMap<>(nodes.size() * 2);
      for (NodeFacts node : nodes) {
        if (node.keyDigests().containsKey(family)) {
          // A second publisher marks the key shared: Felix programs no peer for it.
          owners.merge(
              node.annotations().get(family.keyAnnotation()), node.name(), (a, b) -> SHARED);
        }
      }
      PeerDigest sum = PeerDigest.EMPTY;
      int count = 0;
      for (NodeFacts node : nodes) {
        PeerDigest digest = node.keyDigests().get(family);
        if (digest != null
            && owners.get(node.annotations().get(family.keyAnnotation())) == node.name()) {
          sum = sum.plus(digest);
          count++;
        }
      }
      return new Mesh(family, owners, sum, count, PathPolicy.Intent.NONE);
    }

    /** True when the node's key of this family is one of the usable keys. */
    boolean usable(NodeFacts node) {
      String key = node.annotations().get(family.keyAnnotation());
      return key != null && node.keyDigests().containsKey(family) && owners.get(key) == node.name();
    }

    /**
     * A stale peer as the agent names it (the first characters of its key), with the node that
     * publishes the key when one does. Runs only for stale peers, so a scan is fine.
     */
    String nameOf(String prefix) {
      String shown = Messages.clip(prefix) + "…";
      if (prefix.isEmpty()) {
        return shown;
      }
      String found = null;
      for (Map.Entry<String, String> owner : owners.entrySet()) {
        if (owner.getValue() != SHARED && owner.getKey().startsWith(prefix)) {
          if (found != null) {
            return shown;
          }
          found = owner.getValue();
        }
      }
      return found == null ? shown + " (published by no node)" : found + " (" + shown + ")";
    }
  }
}
