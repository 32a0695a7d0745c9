package io.wgguard.evidence;

import static io.wgguard.evidence.ModuleSource.CONDITION;
import static io.wgguard.evidence.ModuleSource.KEY;
import static io.wgguard.evidence.ModuleSource.LABEL;
import static io.wgguard.evidence.Nodes.ADDR6_CONTROL1;
import static io.wgguard.evidence.Nodes.ADDR6_WORKER1;
import static io.wgguard.evidence.Nodes.DEFAULTS;
import static io.wgguard.evidence.Nodes.KEY6_CONTROL1;
import static io.wgguard.evidence.Nodes.KEY6_WORKER1;
import static io.wgguard.evidence.Nodes.KEY_CONTROL1;
import static io.wgguard.evidence.Nodes.KEY_WORKER1;
import static io.wgguard.evidence.Nodes.MODULE_LABEL;
import static io.wgguard.evidence.Nodes.NOW;
import static io.wgguard.evidence.Nodes.ZERO_KEY;
import static io.wgguard.evidence.Nodes.control1;
import static io.wgguard.evidence.Nodes.exemptSelector;
import static io.wgguard.evidence.Nodes.facts;
import static io.wgguard.evidence.Nodes.felix;
import static io.wgguard.evidence.Nodes.node;
import static io.wgguard.evidence.Nodes.sources;
import static io.wgguard.evidence.Nodes.wgDefault;
import static io.wgguard.evidence.Nodes.wgDefaultV6;
import static io.wgguard.evidence.Nodes.wgDualStack;
import static io.wgguard.evidence.Nodes.withoutInterfaceAddress;
import static io.wgguard.evidence.Nodes.worker1;
import static io.wgguard.evidence.Nodes.worker2;
import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.felix.Felix;
import io.wgguard.felix.FelixObject;
import io.wgguard.pass.CheckerPass;
import io.wgguard.pass.PassSettings;
import io.wgguard.tunnels.ClusterAssessment;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NodeReadinessPolicyTest {

  static final List<FelixObject> WG_ON = felix(wgDefault());
  static final List<FelixObject> WG_V6 = felix(wgDefaultV6());
  static final List<FelixObject> WG_DUAL = felix(wgDualStack());

  static final String CONTROL1_READY = "control1 ready [IPv4] key{IPv4=gsxCZHLj…}";
  static final String WORKER1_READY = "worker1 ready [IPv4] key{IPv4=HmNsTyzg…}";
  static final String WORKER2_READY = "worker2 ready [IPv4] key{IPv4=lDSws3G/…}";
  static final String NO_KEY = "no-public-key [IPv4] {no-public-key/IPv4, module-not-ready/IPv4}";
  static final String BARE =
      "no-public-key [IPv4] {no-public-key/IPv4, module-not-ready/IPv4,"
          + " no-interface-address/IPv4}";

  static Arguments c(
      String sentence,
      PassSettings settings,
      List<FelixObject> felix,
      List<NodeFacts> nodes,
      String... verdicts) {
    return Arguments.of(sentence, settings, felix, nodes, List.of(verdicts));
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // The seed.
        c(
            "the seed's three nodes after the patch are ready",
            DEFAULTS,
            WG_ON,
            facts(control1(), worker1(), worker2()),
            CONTROL1_READY,
            WORKER1_READY,
            WORKER2_READY),
        c(
            "before the patch no family is on, so nodes without keys are ready",
            DEFAULTS,
            felix(Felix.felix("default")),
            facts(node("control1"), node("worker1")),
            "control1 ready []",
            "worker1 ready []"),
        c(
            "verdicts come ordered by node name",
            DEFAULTS,
            WG_ON,
            facts(worker2(), control1(), worker1()),
            CONTROL1_READY,
            WORKER1_READY,
            WORKER2_READY),

        // Each reason.
        c(
            "a node without a key is not ready, and the key source fails with it",
            DEFAULTS,
            WG_ON,
            facts(control1(), worker2().noKey()),
            CONTROL1_READY,
            "worker2 " + NO_KEY),
        c(
            "an empty key annotation counts as no key",
            DEFAULTS,
            WG_ON,
            facts(worker2().key("")),
            "worker2 " + NO_KEY),
        c(
            "a key one character short is invalid",
            DEFAULTS,
            WG_ON,
            facts(worker2().key(KEY_CONTROL1.substring(1))),
            "worker2 invalid-public-key [IPv4] {invalid-public-key/IPv4} key{IPv4=sxCZHLjK…}"),
        c(
            "a key in URL-safe base64 is invalid",
            DEFAULTS,
            WG_ON,
            facts(worker1().key(KEY_WORKER1.replace('/', '_').replace('+', '-'))),
            "worker1 invalid-public-key [IPv4] {invalid-public-key/IPv4} key{IPv4=HmNsTyzg…}"),
        c(
            "a 44-character key of 31 bytes is invalid",
            DEFAULTS,
            WG_ON,
            facts(worker1().key(KEY_WORKER1.substring(0, 42) + "==")),
            "worker1 invalid-public-key [IPv4] {invalid-public-key/IPv4} key{IPv4=HmNsTyzg…}"),
        c(
            "a key with unused bits set is not canonical and so invalid",
            DEFAULTS,
            WG_ON,
            facts(worker1().key(KEY_WORKER1.replace("VfmA=", "VfmB="))),
            "worker1 invalid-public-key [IPv4] {invalid-public-key/IPv4} key{IPv4=HmNsTyzg…}"),
        c(
            "the all-zero key is invalid",
            DEFAULTS,
            WG_ON,
            facts(worker1().key(ZERO_KEY)),
            "worker1 invalid-public-key [IPv4] {invalid-public-key/IPv4} key{IPv4=AAAAAAAA…}"),
        c(
            "a key shared by two nodes holds both not ready",
            DEFAULTS,
            WG_ON,
            facts(control1(), worker1(), worker2().key(KEY_WORKER1)),
            CONTROL1_READY,
            "worker1 duplicate-public-key [IPv4] {duplicate-public-key/IPv4} key{IPv4=HmNsTyzg…}",
            "worker2 duplicate-public-key [IPv4] {duplicate-public-key/IPv4} key{IPv4=HmNsTyzg…}"),
        c(
            "a key shared with an exempt node still flags the other node",
            DEFAULTS,
            WG_ON,
            facts(worker1().exempt(), worker2().key(KEY_WORKER1)),
            "worker1 exempt [IPv4] key{IPv4=HmNsTyzg…}",
            "worker2 duplicate-public-key [IPv4] {duplicate-public-key/IPv4} key{IPv4=HmNsTyzg…}"),
        c(
            "a node without the interface address is not ready",
            DEFAULTS,
            WG_ON,
            facts(worker1().noAddr()),
            "worker1 no-interface-address [IPv4] {no-interface-address/IPv4} key{IPv4=HmNsTyzg…}"),
        c(
            "an IPv6 address in the IPv4 annotation is no IPv4 interface address",
            DEFAULTS,
            WG_ON,
            facts(worker1().addr(ADDR6_WORKER1)),
            "worker1 no-interface-address [IPv4] {no-interface-address/IPv4} key{IPv4=HmNsTyzg…}"),
        c(
            "an address with a prefix length is no interface address",
            DEFAULTS,
            WG_ON,
            facts(worker1().addr("10.48.127.254/32")),
            "worker1 no-interface-address [IPv4] {no-interface-address/IPv4} key{IPv4=HmNsTyzg…}"),
        // Guards "if (!settings.requireInterfaceAddress()) return" in checkFamily (issue #13,
        // defect 8): where Calico does not manage IPAM no node would ever be ready.
        c(
            "without interface-address evidence (EKS, AKS IPAM) a node with a key and no address is"
                + " ready",
            withoutInterfaceAddress(),
            WG_ON,
            facts(worker1().noAddr()),
            WORKER1_READY),
        c(
            "without interface-address evidence a malformed address is not judged either",
            withoutInterfaceAddress(),
            WG_ON,
            facts(worker1().addr("10.48.127.254/32")),
            WORKER1_READY),
        c(
            "without interface-address evidence a node without a key is still not ready",
            withoutInterfaceAddress(),
            WG_ON,
            facts(node("worker3")),
            "worker3 " + NO_KEY),
        c(
            "without interface-address evidence dual stack needs both keys, no address",
            withoutInterfaceAddress(),
            WG_DUAL,
            facts(node("control1").key(KEY_CONTROL1).keyV6(KEY6_CONTROL1)),
            "control1 ready [IPv4, IPv6] key{IPv4=gsxCZHLj…, IPv6=PsK1gYLO…}"),
        c(
            "with no key and no address the key reason is picked and every finding kept",
            DEFAULTS,
            WG_ON,
            facts(node("worker3")),
            "worker3 " + BARE),
        c(
            "an invalid key outranks a missing address",
            DEFAULTS,
            WG_ON,
            facts(node("worker3").key("not-a-key")),
            "worker3 invalid-public-key [IPv4] {invalid-public-key/IPv4,"
                + " no-interface-address/IPv4} key{IPv4=not-a-ke…}"),
        c(
            "a node already tainted shows its taint",
            DEFAULTS,
            WG_ON,
            facts(worker2().noKey().tainted("no-public-key")),
            "worker2 " + NO_KEY + " taint{no-public-key:NoSchedule}"),

        // Exemptions.
        c(
            "label node-restriction.kubernetes.io/wgguard-exempt=true exempts a node without a key",
            DEFAULTS,
            WG_ON,
            facts(node("gpu1").exempt()),
            "gpu1 exempt [IPv4]"),
        c(
            "label wgguard.io/exempt=true, which the node's kubelet may set, exempts nothing",
            DEFAULTS,
            WG_ON,
            facts(node("gpu1").label("wgguard.io/exempt", "true")),
            "gpu1 " + BARE),
        c(
            "label wgguard.io/exempt=false exempts nothing",
            DEFAULTS,
            WG_ON,
            facts(node("gpu1").label("wgguard.io/exempt", "false").key(KEY_CONTROL1)),
            "gpu1 no-interface-address [IPv4] {no-interface-address/IPv4} key{IPv4=gsxCZHLj…}"),
        c(
            "a Windows node is not exempt by kubernetes.io/os, which its kubelet sets",
            DEFAULTS,
            WG_ON,
            facts(node("win1").windows()),
            "win1 " + BARE),
        c(
            "a Windows node an admin labelled exempt is exempt",
            DEFAULTS,
            WG_ON,
            facts(node("win1").windows().exempt()),
            "win1 exempt [IPv4]"),
        c(
            "a configured exempt selector on label presence exempts matching nodes only",
            exemptSelector("node-role.kubernetes.io/edge"),
            WG_ON,
            facts(node("edge1").label("node-role.kubernetes.io/edge", ""), node("win1").windows()),
            "edge1 exempt [IPv4]",
            "win1 " + BARE),
        c(
            "an empty exempt selector exempts no node",
            exemptSelector(""),
            WG_ON,
            facts(node("win1").windows()),
            "win1 " + BARE),

        // Module sources.
        c(
            "condition: a fresh True heartbeat with a key is ready",
            sources(CONDITION),
            WG_ON,
            facts(worker1().moduleReady()),
            WORKER1_READY),
        c(
            "condition: a heartbeat exactly the allowed age is still fresh",
            sources(CONDITION),
            WG_ON,
            facts(worker1().condition("True", Duration.ofMinutes(2))),
            WORKER1_READY),
        c(
            "condition: a heartbeat one second too old is stale",
            sources(CONDITION),
            WG_ON,
            facts(worker1().condition("True", Duration.ofSeconds(121))),
            "worker1 module-not-ready [IPv4] {module-not-ready} key{IPv4=HmNsTyzg…}"),
        c(
            "condition: a heartbeat from a clock slightly ahead counts as fresh",
            sources(CONDITION),
            WG_ON,
            facts(worker1().condition("True", Duration.ofSeconds(-30))),
            WORKER1_READY),
        c(
            "condition: status False is not ready even with a key",
            sources(CONDITION),
            WG_ON,
            facts(worker1().condition("False", Duration.ofSeconds(5))),
            "worker1 module-not-ready [IPv4] {module-not-ready} key{IPv4=HmNsTyzg…}"),
        c(
            "condition: status Unknown is not ready",
            sources(CONDITION),
            WG_ON,
            facts(worker1().condition("Unknown", Duration.ofSeconds(5))),
            "worker1 module-not-ready [IPv4] {module-not-ready} key{IPv4=HmNsTyzg…}"),
        c(
            "condition: an absent condition is not ready",
            sources(CONDITION),
            WG_ON,
            facts(worker1()),
            "worker1 module-not-ready [IPv4] {module-not-ready} key{IPv4=HmNsTyzg…}"),
        c(
            "condition: True without a heartbeat is not ready",
            sources(CONDITION),
            WG_ON,
            facts(worker1().conditionWithoutHeartbeat("True")),
            "worker1 module-not-ready [IPv4] {module-not-ready} key{IPv4=HmNsTyzg…}"),
        c(
            "condition only: a missing key is found without a key-source finding",
            sources(CONDITION),
            WG_ON,
            facts(worker1().noKey().moduleReady()),
            "worker1 no-public-key [IPv4] {no-public-key/IPv4}"),
        c(
            "label: the module label with the wanted value is ready",
            sources(LABEL),
            WG_ON,
            facts(worker1().moduleLabel()),
            WORKER1_READY),
        c(
            "label: an absent module label is not ready",
            sources(LABEL),
            WG_ON,
            facts(worker1()),
            "worker1 module-not-ready [IPv4] {module-not-ready} key{IPv4=HmNsTyzg…}"),
        c(
            "label: a module label with another value is not ready",
            sources(LABEL),
            WG_ON,
            facts(worker1().label(MODULE_LABEL, "false")),
            "worker1 module-not-ready [IPv4] {module-not-ready} key{IPv4=HmNsTyzg…}"),
        c(
            "key, condition and label all holding is ready",
            sources(KEY, CONDITION, LABEL),
            WG_ON,
            facts(worker1().moduleReady().moduleLabel()),
            WORKER1_READY),
        c(
            "key and label holding but a stale condition is not ready",
            sources(KEY, CONDITION, LABEL),
            WG_ON,
            facts(worker1().condition("True", Duration.ofHours(1)).moduleLabel()),
            "worker1 module-not-ready [IPv4] {module-not-ready} key{IPv4=HmNsTyzg…}"),
        c(
            "every failing source is a finding of its own",
            sources(KEY, CONDITION, LABEL),
            WG_ON,
            facts(worker1().noKey()),
            "worker1 no-public-key [IPv4] {no-public-key/IPv4, module-not-ready/IPv4,"
                + " module-not-ready, module-not-ready}"),
        c(
            "with no module source only the key itself is checked",
            sources(),
            WG_ON,
            facts(worker1().noKey()),
            "worker1 no-public-key [IPv4] {no-public-key/IPv4}"),
        c(
            "module evidence is not asked of a node with WireGuard off",
            sources(CONDITION, LABEL),
            felix(wgDefault(), Felix.felix("node.worker1").wireguard(false)),
            facts(node("worker1")),
            "worker1 ready []"),

        // Precedence reaches the verdict.
        c(
            "node.worker2 switching WireGuard off spares worker2 the checks",
            DEFAULTS,
            felix(wgDefault(), Felix.felix("node.worker2").wireguard(false)),
            facts(worker1(), node("worker2")),
            WORKER1_READY,
            "worker2 ready []"),
        c(
            "a selector object switching WireGuard on for edge nodes checks only them",
            DEFAULTS,
            felix(
                Felix.felix("default"),
                Felix.felix("edge")
                    .selector("tier == 'edge'")
                    .created("2026-01-01T00:00:00Z")
                    .wireguard(true)),
            facts(node("core1").label("tier", "core"), node("edge1").label("tier", "edge")),
            "core1 ready []",
            "edge1 " + BARE),

        // IPv6 and dual stack.
        c(
            "IPv6 only: a node with an IPv6 key and address is ready without IPv4 ones",
            DEFAULTS,
            WG_V6,
            facts(node("control1").keyV6(KEY6_CONTROL1).addrV6(ADDR6_CONTROL1)),
            "control1 ready [IPv6] key{IPv6=PsK1gYLO…}"),
        c(
            "IPv6 only: an IPv4 key does not stand in for the IPv6 one",
            DEFAULTS,
            WG_V6,
            facts(control1()),
            "control1 no-public-key [IPv6] {no-public-key/IPv6, module-not-ready/IPv6,"
                + " no-interface-address/IPv6} key{IPv4=gsxCZHLj…}"),
        c(
            "dual stack: a node proving both families is ready",
            DEFAULTS,
            WG_DUAL,
            facts(control1().keyV6(KEY6_CONTROL1).addrV6(ADDR6_CONTROL1)),
            "control1 ready [IPv4, IPv6] key{IPv4=gsxCZHLj…, IPv6=PsK1gYLO…}"),
        c(
            "dual stack: a missing IPv6 address is found for IPv6 only",
            DEFAULTS,
            WG_DUAL,
            facts(control1().keyV6(KEY6_CONTROL1)),
            "control1 no-interface-address [IPv4, IPv6] {no-interface-address/IPv6}"
                + " key{IPv4=gsxCZHLj…, IPv6=PsK1gYLO…}"),
        c(
            "dual stack: an IPv4 address in the IPv6 annotation is no IPv6 address",
            DEFAULTS,
            WG_DUAL,
            facts(control1().keyV6(KEY6_CONTROL1).addrV6("10.48.115.87")),
            "control1 no-interface-address [IPv4, IPv6] {no-interface-address/IPv6}"
                + " key{IPv4=gsxCZHLj…, IPv6=PsK1gYLO…}"),
        c(
            "dual stack: both families missing give one finding each, IPv4 first",
            DEFAULTS,
            WG_DUAL,
            facts(node("worker3")),
            "worker3 no-public-key [IPv4, IPv6] {no-public-key/IPv4, no-public-key/IPv6,"
                + " module-not-ready/IPv4, module-not-ready/IPv6, no-interface-address/IPv4,"
                + " no-interface-address/IPv6}"),
        c(
            "dual stack: keys are unique per family, so one node's IPv4 key as another's IPv6"
                + " key is no duplicate",
            DEFAULTS,
            WG_DUAL,
            facts(
                control1().keyV6(KEY6_CONTROL1).addrV6(ADDR6_CONTROL1),
                worker1().keyV6(KEY_CONTROL1).addrV6(ADDR6_WORKER1)),
            "control1 ready [IPv4, IPv6] key{IPv4=gsxCZHLj…, IPv6=PsK1gYLO…}",
            "worker1 ready [IPv4, IPv6] key{IPv4=HmNsTyzg…, IPv6=gsxCZHLj…}"),
        c(
            "dual stack: a cloned IPv6 key flags both nodes for IPv6",
            DEFAULTS,
            WG_DUAL,
            facts(
                control1().keyV6(KEY6_WORKER1).addrV6(ADDR6_CONTROL1),
                worker1().keyV6(KEY6_WORKER1).addrV6(ADDR6_WORKER1)),
            "control1 duplicate-public-key [IPv4, IPv6] {duplicate-public-key/IPv6}"
                + " key{IPv4=gsxCZHLj…, IPv6=SCMwqelL…}",
            "worker1 duplicate-public-key [IPv4, IPv6] {duplicate-public-key/IPv6}"
                + " key{IPv4=HmNsTyzg…, IPv6=SCMwqelL…}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void assesses(
      String sentence,
      PassSettings settings,
      List<FelixObject> felix,
      List<NodeFacts> nodes,
      List<String> verdicts) {
    ClusterAssessment assessment = CheckerPass.assess(felix, nodes, settings, NOW);

    assertThat(assessment.verdicts().stream().map(Nodes::render).toList())
        .containsExactlyElementsOf(verdicts);
    assertThat(assessment.problems()).isEmpty();
  }

  static AgentLease lease(Duration renewedAgo) {
    return new AgentLease("worker1", NOW.minus(renewedAgo), Duration.ofSeconds(120));
  }

  static final String SILENT = "worker1 agent-silent [IPv4] {agent-silent} key{IPv4=HmNsTyzg…}";

  /** Module source condition at the default max age (15 min), which a quiet agent stays under. */
  static final PassSettings CONDITION_DEFAULT_AGE =
      DEFAULTS.with(
          new EvidenceSettings(
              EqualitySelector.none(),
              java.util.Set.of(CONDITION),
              "",
              java.util.Optional.empty(),
              EvidenceSettings.DEFAULT_CONDITION_MAX_AGE,
              true));

  static Stream<Arguments> leases() {
    Duration quietReport = Duration.ofMinutes(10);
    return Stream.of(
        Arguments.of(
            "a live Lease and a condition last written 10 min ago: ready (the Node is written on"
                + " change)",
            CONDITION_DEFAULT_AGE,
            facts(worker1().condition("True", quietReport)),
            lease(Duration.ofSeconds(30)),
            WORKER1_READY),
        Arguments.of(
            "an expired Lease under a fresh True condition: the agent is silent",
            sources(CONDITION),
            facts(worker1().moduleReady()),
            lease(Duration.ofSeconds(121)),
            SILENT),
        Arguments.of(
            "an expired Lease under a False condition: silent, not module-not-ready",
            sources(CONDITION),
            facts(worker1().condition("False", Duration.ofSeconds(5))),
            lease(Duration.ofMinutes(5)),
            SILENT),
        Arguments.of(
            "a Lease renewed exactly its duration ago still holds",
            sources(CONDITION),
            facts(worker1().moduleReady()),
            lease(Duration.ofSeconds(120)),
            WORKER1_READY),
        Arguments.of(
            "a Lease never renewed counts as expired",
            sources(CONDITION),
            facts(worker1().moduleReady()),
            new AgentLease("worker1", null, Duration.ofSeconds(120)),
            SILENT),
        Arguments.of(
            "no Lease: the condition is judged by its heartbeat age (Node Problem Detector)",
            sources(CONDITION),
            facts(worker1().moduleReady()),
            null,
            WORKER1_READY),
        Arguments.of(
            "module source key only: a silent agent proves nothing either way",
            DEFAULTS,
            facts(worker1()),
            lease(Duration.ofHours(1)),
            WORKER1_READY));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("leases")
  void aNodeWhoseAgentsLeaseExpiredIsSilent(
      String sentence,
      PassSettings settings,
      List<NodeFacts> nodes,
      AgentLease lease,
      String verdict) {
    ClusterAssessment assessment =
        CheckerPass.assess(
            io.wgguard.felix.EffectiveWireguard.of(
                WG_ON, io.wgguard.felix.EffectiveWireguard.Environment.NONE),
            nodes,
            lease == null ? java.util.Map.of() : java.util.Map.of("worker1", lease),
            settings,
            NOW);

    assertThat(assessment.verdicts().stream().map(Nodes::render).toList()).containsExactly(verdict);
  }

  @org.junit.jupiter.api.Test
  void aSilentAgentIsToldWhereAndHowLongAgo() {
    Finding finding = NodeReadinessPolicy.agentSilent("worker1", lease(Duration.ofMinutes(5)), NOW);

    assertThat(finding)
        .isEqualTo(
            new Finding(
                NotReadyReason.AGENT_SILENT,
                null,
                "lease[wgguard-agent-worker1].spec.renewTime",
                "the wgguard node agent's Lease wgguard-agent-worker1 was last renewed 5m ago, more"
                    + " than its duration of 2m: the agent is gone (pod removed or crash-looping,"
                    + " node down, or the API server unreachable from the node), so what it last"
                    + " wrote on the Node proves nothing now"));
  }
}
