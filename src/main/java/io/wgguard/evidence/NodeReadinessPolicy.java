package io.wgguard.evidence;

import io.wgguard.Messages;
import io.wgguard.Names;
import io.wgguard.evidence.NodeFacts.ModuleCondition;
import io.wgguard.felix.EffectiveSetting;
import io.wgguard.felix.EffectiveWireguard;
import io.wgguard.felix.IpFamily;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides which nodes are WireGuard-ready. Pure: records in, records out, the time is a parameter.
 *
 * <p>A node is ready when it is exempt ({@link Exemption}: label {@code
 * node-restriction.kubernetes.io/wgguard-exempt=true}, or it matches the configured exempt
 * selector), or when, for every IP family WireGuard is on for that node (see {@link
 * EffectiveWireguard}):
 *
 * <ul>
 *   <li>the key annotation holds a valid public key ({@link NotReadyReason#NO_PUBLIC_KEY}, {@link
 *       NotReadyReason#INVALID_PUBLIC_KEY});
 *   <li>no other node publishes the same key for that family, exempt nodes included ({@link
 *       NotReadyReason#DUPLICATE_PUBLIC_KEY}; every node sharing the key is not ready);
 *   <li>every configured module source holds ({@link NotReadyReason#MODULE_NOT_READY}): {@code key}
 *       per family, {@code condition} and {@code label} once per node;
 *   <li>the interface address annotation holds an address of the family ({@link
 *       NotReadyReason#NO_INTERFACE_ADDRESS}), unless {@link
 *       EvidenceSettings#requireInterfaceAddress()} is off.
 * </ul>
 *
 * A node with no family on is ready: there is nothing to prove.
 */
public final class NodeReadinessPolicy {

  private static final Comparator<Finding> FINDING_ORDER =
      Comparator.comparing(Finding::reason)
          .thenComparing(Finding::family, Comparator.nullsLast(Comparator.naturalOrder()));

  private NodeReadinessPolicy() {}

  /**
   * One verdict per node, ordered by node name, against an already computed WireGuard reading. The
   * tunnel stage ({@code io.wgguard.tunnels.TunnelPolicy}) may add findings to them.
   */
  public static List<NodeVerdict> verdicts(
      EffectiveWireguard wireguard,
      Collection<NodeFacts> nodes,
      EvidenceSettings settings,
      Instant now) {
    return verdicts(wireguard, nodes, Map.of(), settings, now);
  }

  /**
   * One verdict per node, with the node agents' Leases ({@link AgentLease}, by node): a node whose
   * agent's Lease expired is {@link NotReadyReason#AGENT_SILENT} under module source {@code
   * condition}, and its condition is not read. A node without a Lease (Node Problem Detector writes
   * its condition, or an agent from before Leases) is judged by its condition's heartbeat age
   * alone.
   */
  public static List<NodeVerdict> verdicts(
      EffectiveWireguard wireguard,
      Collection<NodeFacts> nodes,
      Map<String, AgentLease> leases,
      EvidenceSettings settings,
      Instant now) {
    Map<IpFamily, Map<String, List<String>>> owners = keyOwners(nodes);
    List<NodeVerdict> verdicts = new ArrayList<>(nodes.size());
    nodes.stream()
        .sorted(Comparator.comparing(NodeFacts::name))
        .forEach(
            node ->
                verdicts.add(
                    verdict(node, wireguard, owners, leases.get(node.name()), settings, now)));
    return verdicts;
  }

  /**
   * The finding of a node whose agent's Lease expired, null when the Lease holds or there is none.
   */
  public static Finding agentSilent(String node, AgentLease lease, Instant now) {
    if (lease == null || !lease.expired(now)) {
      return null;
    }
    String renewed =
        lease.renewTime() == null
            ? "was never renewed"
            : "was last renewed %s ago"
                .formatted(WireguardEvidence.human(Duration.between(lease.renewTime(), now)));
    return new Finding(
        NotReadyReason.AGENT_SILENT,
        null,
        Finding.agentLease(node),
        ("the wgguard node agent's Lease %s %s, more than its duration of %s: the agent is gone"
                + " (pod removed or crash-looping, node down, or the API server unreachable from"
                + " the node), so what it last wrote on the Node proves nothing now")
            .formatted(
                Names.agentLeaseName(node), renewed, WireguardEvidence.human(lease.duration())));
  }

  private static NodeVerdict verdict(
      NodeFacts node,
      EffectiveWireguard wireguard,
      Map<IpFamily, Map<String, List<String>>> owners,
      AgentLease lease,
      EvidenceSettings settings,
      Instant now) {
    Map<IpFamily, EffectiveSetting> settingsByFamily =
        wireguard.forNode(node.name(), node.felixLabels());
    Set<IpFamily> families = EnumSet.noneOf(IpFamily.class);
    for (EffectiveSetting setting : settingsByFamily.values()) {
      if (setting.enabled()) {
        families.add(setting.family());
      }
    }
    Map<IpFamily, String> fingerprints = new EnumMap<>(IpFamily.class);
    for (IpFamily family : IpFamily.values()) {
      String key = node.annotations().get(family.keyAnnotation());
      if (key != null && !key.isEmpty()) {
        fingerprints.put(family, WireguardEvidence.fingerprint(key));
      }
    }
    Exemption exemption = Exemption.of(node, settings.exemptSelector());
    if (exemption.granted()) {
      return new NodeVerdict(
          node.name(),
          true,
          true,
          null,
          List.of(),
          families,
          fingerprints,
          node.taints(),
          exemption.detail());
    }
    List<Finding> findings = new ArrayList<>();
    for (IpFamily family : families) {
      checkFamily(node, settingsByFamily.get(family), owners.get(family), settings, findings);
    }
    if (!families.isEmpty()) {
      if (settings.moduleSources().contains(ModuleSource.CONDITION)) {
        Finding silent = agentSilent(node.name(), lease, now);
        if (silent != null) {
          findings.add(silent);
        } else {
          checkCondition(node.condition(), settings.conditionMaxAge(), now, findings);
        }
      }
      if (settings.moduleSources().contains(ModuleSource.LABEL)) {
        checkLabel(node, settings, findings);
      }
    }
    if (findings.size() > 1) {
      findings.sort(FINDING_ORDER);
    }
    NotReadyReason reason = findings.isEmpty() ? null : findings.get(0).reason();
    return new NodeVerdict(
        node.name(),
        findings.isEmpty(),
        false,
        reason,
        findings,
        families,
        fingerprints,
        node.taints(),
        exemption.detail());
  }

  private static void checkFamily(
      NodeFacts node,
      EffectiveSetting setting,
      Map<String, List<String>> owners,
      EvidenceSettings settings,
      List<Finding> findings) {
    IpFamily family = setting.family();
    String key = node.annotations().getOrDefault(family.keyAnnotation(), "");
    if (key.isEmpty()) {
      findings.add(
          new Finding(
              NotReadyReason.NO_PUBLIC_KEY,
              family,
              Finding.annotation(family.keyAnnotation()),
              setting.describe()
                  + ", but the node has no annotation "
                  + family.keyAnnotation()
                  + ": Felix has not published a key, and Calico sends traffic to this node"
                  + " unencrypted"));
      if (settings.moduleSources().contains(ModuleSource.KEY)) {
        findings.add(
            new Finding(
                NotReadyReason.MODULE_NOT_READY,
                family,
                Finding.annotation(family.keyAnnotation()),
                "module evidence 'key': no "
                    + family.label()
                    + " public key is published, so Felix has not created the WireGuard device"));
      }
    } else {
      String problem = node.keyProblems().get(family);
      if (problem != null) {
        findings.add(
            new Finding(
                NotReadyReason.INVALID_PUBLIC_KEY,
                family,
                Finding.annotation(family.keyAnnotation()),
                "annotation "
                    + family.keyAnnotation()
                    + " holds '"
                    + Messages.clip(key)
                    + "', which is not a WireGuard public key: "
                    + problem));
      } else {
        Set<String> sharing = othersPublishing(owners.get(key), node.name());
        if (!sharing.isEmpty()) {
          findings.add(
              new Finding(
                  NotReadyReason.DUPLICATE_PUBLIC_KEY,
                  family,
                  Finding.annotation(family.keyAnnotation()),
                  family.label()
                      + " public key "
                      + WireguardEvidence.fingerprint(key)
                      + " is also published by "
                      + Messages.names(sharing)
                      + ": a cloned key, so every node sharing it is held not ready"));
        }
      }
    }
    if (!settings.requireInterfaceAddress()) {
      return; // another IPAM than Calico's: Felix publishes no interface address
    }
    String address = node.annotations().getOrDefault(family.addressAnnotation(), "");
    if (address.isEmpty()) {
      findings.add(
          new Finding(
              NotReadyReason.NO_INTERFACE_ADDRESS,
              family,
              Finding.annotation(family.addressAnnotation()),
              setting.describe()
                  + ", but the node has no annotation "
                  + family.addressAnnotation()));
    } else if (!WireguardEvidence.isAddress(address, family)) {
      findings.add(
          new Finding(
              NotReadyReason.NO_INTERFACE_ADDRESS,
              family,
              Finding.annotation(family.addressAnnotation()),
              "annotation "
                  + family.addressAnnotation()
                  + " holds '"
                  + Messages.clip(address)
                  + "', which is not an "
                  + family.label()
                  + " address"));
    }
  }

  private static void checkCondition(
      ModuleCondition condition, Duration maxAge, Instant now, List<Finding> findings) {
    String name = "module evidence 'condition': node condition " + Names.MODULE_READY_CONDITION;
    String problem;
    if (condition == null) {
      problem = name + " is absent (the wgguard node agent or Node Problem Detector writes it)";
    } else if (!"True".equals(condition.status())) {
      String status = condition.status().isEmpty() ? "without status" : condition.status();
      String why =
          condition.reason().isEmpty() && condition.message().isEmpty()
              ? ""
              : " ("
                  + Messages.clip(
                      String.join(
                          ": ",
                          List.of(condition.reason(), condition.message()).stream()
                              .filter(s -> !s.isEmpty())
                              .toList()))
                  + ")";
      problem = name + " is " + Messages.clip(status) + why;
    } else if (condition.lastHeartbeatTime() == null) {
      problem = name + " is True but has no lastHeartbeatTime, so its age is unknown";
    } else {
      Duration age = Duration.between(condition.lastHeartbeatTime(), now);
      if (age.compareTo(maxAge) <= 0) {
        return;
      }
      problem =
          name
              + " is True but its last heartbeat is "
              + WireguardEvidence.human(age)
              + " old, more than the allowed "
              + WireguardEvidence.human(maxAge);
    }
    findings.add(
        new Finding(
            NotReadyReason.MODULE_NOT_READY,
            null,
            Finding.condition(Names.MODULE_READY_CONDITION),
            problem));
  }

  private static void checkLabel(
      NodeFacts node, EvidenceSettings settings, List<Finding> findings) {
    String key = settings.moduleLabel();
    String actual = node.labels().get(key);
    String name = "module evidence 'label': node label " + key;
    if (actual == null) {
      findings.add(
          new Finding(
              NotReadyReason.MODULE_NOT_READY, null, Finding.label(key), name + " is absent"));
    } else if (settings.moduleLabelValue().isPresent()
        && !settings.moduleLabelValue().get().equals(actual)) {
      findings.add(
          new Finding(
              NotReadyReason.MODULE_NOT_READY,
              null,
              Finding.label(key),
              name
                  + " is '"
                  + Messages.clip(actual)
                  + "', not '"
                  + settings.moduleLabelValue().get()
                  + "'"));
    }
  }

  /** The other nodes publishing a key, sorted; nothing to sort when only this node does. */
  private static Set<String> othersPublishing(List<String> publishers, String self) {
    if (publishers == null || publishers.size() < 2) {
      return Set.of();
    }
    Set<String> others = new TreeSet<>(publishers);
    others.remove(self);
    return others;
  }

  /**
   * Per family, each valid key and the nodes that publish it. A hash map: every node looks its key
   * up once per pass, and only a shared key (rare) needs its publishers sorted, which {@code
   * checkFamily} does.
   */
  private static Map<IpFamily, Map<String, List<String>>> keyOwners(Collection<NodeFacts> nodes) {
    Map<IpFamily, Map<String, List<String>>> owners = new EnumMap<>(IpFamily.class);
    for (IpFamily family : IpFamily.values()) {
      Map<String, List<String>> byKey = new HashMap<>();
      for (NodeFacts node : nodes) {
        String key = node.annotations().get(family.keyAnnotation());
        if (key != null && !key.isEmpty() && !node.keyProblems().containsKey(family)) {
          byKey.merge(
              key,
              List.of(node.name()),
              (publishers, next) -> {
                List<String> more =
                    publishers.size() == 1 ? new ArrayList<>(publishers) : publishers;
                more.addAll(next);
                return more;
              });
        }
      }
      owners.put(family, byKey);
    }
    return owners;
  }
}
