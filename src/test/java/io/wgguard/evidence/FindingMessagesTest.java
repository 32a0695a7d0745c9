package io.wgguard.evidence;

import static io.wgguard.evidence.Nodes.ADDR6_WORKER1;
import static io.wgguard.evidence.Nodes.DEFAULTS;
import static io.wgguard.evidence.Nodes.KEY_WORKER1;
import static io.wgguard.evidence.Nodes.MODULE_LABEL;
import static io.wgguard.evidence.Nodes.NOW;
import static io.wgguard.evidence.Nodes.ZERO_KEY;
import static io.wgguard.evidence.Nodes.felix;
import static io.wgguard.evidence.Nodes.node;
import static io.wgguard.evidence.Nodes.sources;
import static io.wgguard.evidence.Nodes.wgDefault;
import static io.wgguard.evidence.Nodes.worker1;
import static io.wgguard.evidence.Nodes.worker2;
import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.evidence.Nodes.NodeBuilder;
import io.wgguard.felix.Felix;
import io.wgguard.pass.CheckerPass;
import io.wgguard.pass.PassSettings;
import io.wgguard.tunnels.ClusterAssessment;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Finding sentences are API (status, health data, Events): each is pinned word for word. */
class FindingMessagesTest {

  static final String KEY4 = "metadata.annotations[projectcalico.org/WireguardPublicKey] ";
  static final String ADDR4 = "metadata.annotations[projectcalico.org/IPv4WireguardInterfaceAddr] ";
  static final String COND = "status.conditions[WireGuardModuleReady] ";
  static final String LABEL = "metadata.labels[" + MODULE_LABEL + "] ";

  static final String ON_BY_DEFAULT =
      "IPv4 WireGuard is on by FelixConfiguration default (spec.wireguardEnabled)";

  static Arguments c(
      String sentence,
      PassSettings settings,
      List<Felix> felix,
      NodeBuilder node,
      String... details) {
    return Arguments.of(sentence, settings, felix, node, List.of(details));
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        c(
            "a missing key names the annotation, the deciding object and the consequence",
            DEFAULTS,
            List.of(wgDefault()),
            worker1().noKey(),
            KEY4
                + ON_BY_DEFAULT
                + ", but the node has no annotation projectcalico.org/WireguardPublicKey: Felix"
                + " has not published a key, and Calico sends traffic to this node unencrypted",
            KEY4
                + "module evidence 'key': no IPv4 public key is published, so Felix has not created the"
                + " WireGuard device"),
        c(
            "a missing key on a node switched on by node.<name> names that object",
            DEFAULTS,
            List.of(Felix.felix("node.worker1").wireguard(true)),
            worker1().noKey(),
            KEY4
                + "IPv4 WireGuard is on by FelixConfiguration node.worker1 (spec.wireguardEnabled), but"
                + " the node has no annotation projectcalico.org/WireguardPublicKey: Felix has"
                + " not published a key, and Calico sends traffic to this node unencrypted",
            KEY4
                + "module evidence 'key': no IPv4 public key is published, so Felix has not created the"
                + " WireGuard device"),
        c(
            "a short key says how long it is",
            DEFAULTS,
            List.of(wgDefault()),
            worker1().key("abc="),
            KEY4
                + "annotation projectcalico.org/WireguardPublicKey holds 'abc=', which is not a"
                + " WireGuard public key: it has 4 characters, not 44"),
        c(
            "a key outside the base64 alphabet says so",
            DEFAULTS,
            List.of(wgDefault()),
            worker1().key(KEY_WORKER1.replace('/', '_')),
            KEY4
                + "annotation projectcalico.org/WireguardPublicKey holds"
                + " 'HmNsTyzg7TKvs_Fh0AmA0VEgtS+Ij6xBHqvzXO5VfmA=', which is not a WireGuard"
                + " public key: it is not standard base64 with padding"),
        c(
            "a key of 31 bytes says so",
            DEFAULTS,
            List.of(wgDefault()),
            worker1().key(KEY_WORKER1.substring(0, 42) + "=="),
            KEY4
                + "annotation projectcalico.org/WireguardPublicKey holds"
                + " 'HmNsTyzg7TKvs/Fh0AmA0VEgtS+Ij6xBHqvzXO5Vfm==', which is not a WireGuard"
                + " public key: it decodes to 31 bytes, not 32"),
        c(
            "a non-canonical key says so",
            DEFAULTS,
            List.of(wgDefault()),
            worker1().key(KEY_WORKER1.replace("VfmA=", "VfmB=")),
            KEY4
                + "annotation projectcalico.org/WireguardPublicKey holds"
                + " 'HmNsTyzg7TKvs/Fh0AmA0VEgtS+Ij6xBHqvzXO5VfmB=', which is not a WireGuard"
                + " public key: it is not canonical base64 (unused bits are set)"),
        c(
            "the all-zero key says Felix never publishes it",
            DEFAULTS,
            List.of(wgDefault()),
            worker1().key(ZERO_KEY),
            KEY4
                + "annotation projectcalico.org/WireguardPublicKey holds '"
                + ZERO_KEY
                + "', which is not a WireGuard public key: it is the all-zero key, which Felix"
                + " never publishes"),
        c(
            "a cloned key names the other node and shows only the fingerprint",
            DEFAULTS,
            List.of(wgDefault()),
            worker1(),
            KEY4
                + "IPv4 public key HmNsTyzg… is also published by worker2: a cloned key, so every node"
                + " sharing it is held not ready"),
        c(
            "a missing address names the annotation",
            DEFAULTS,
            List.of(wgDefault()),
            worker1().noAddr(),
            ADDR4
                + ON_BY_DEFAULT
                + ", but the node has no annotation"
                + " projectcalico.org/IPv4WireguardInterfaceAddr"),
        c(
            "an address of the wrong family says so",
            DEFAULTS,
            List.of(wgDefault()),
            worker1().addr(ADDR6_WORKER1),
            ADDR4
                + "annotation projectcalico.org/IPv4WireguardInterfaceAddr holds 'fd00:10:48:127::254',"
                + " which is not an IPv4 address"),
        c(
            "an absent condition says who writes it",
            sources(ModuleSource.CONDITION),
            List.of(wgDefault()),
            worker1(),
            COND
                + "module evidence 'condition': node condition WireGuardModuleReady is absent (the"
                + " wgguard node agent or Node Problem Detector writes it)"),
        c(
            "a False condition quotes its reason and message",
            sources(ModuleSource.CONDITION),
            List.of(wgDefault()),
            worker1()
                .condition(
                    "False",
                    Duration.ofSeconds(10),
                    "ModuleMissing",
                    "/sys/module/wireguard not found"),
            COND
                + "module evidence 'condition': node condition WireGuardModuleReady is False"
                + " (ModuleMissing: /sys/module/wireguard not found)"),
        c(
            "a stale heartbeat gives its age and the limit",
            sources(ModuleSource.CONDITION),
            List.of(wgDefault()),
            worker1().condition("True", Duration.ofSeconds(450)),
            COND
                + "module evidence 'condition': node condition WireGuardModuleReady is True but its last"
                + " heartbeat is 7m30s old, more than the allowed 2m"),
        c(
            "a condition without heartbeat says its age is unknown",
            sources(ModuleSource.CONDITION),
            List.of(wgDefault()),
            worker1().conditionWithoutHeartbeat("True"),
            COND
                + "module evidence 'condition': node condition WireGuardModuleReady is True but has no"
                + " lastHeartbeatTime, so its age is unknown"),
        c(
            "an absent module label is named",
            sources(ModuleSource.LABEL),
            List.of(wgDefault()),
            worker1(),
            LABEL + "module evidence 'label': node label " + MODULE_LABEL + " is absent"),
        c(
            "a module label with another value quotes both values",
            sources(ModuleSource.LABEL),
            List.of(wgDefault()),
            worker1().label(MODULE_LABEL, "false"),
            LABEL
                + "module evidence 'label': node label "
                + MODULE_LABEL
                + " is 'false', not 'true'"),
        c(
            "control characters in node data never reach a message raw",
            DEFAULTS,
            List.of(wgDefault()),
            worker1().addr("10.0.0.1\nforged: line"),
            ADDR4
                + "annotation projectcalico.org/IPv4WireguardInterfaceAddr holds '10.0.0.1?forged:"
                + " line', which is not an IPv4 address"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void explains(
      String sentence,
      PassSettings settings,
      List<Felix> felix,
      NodeBuilder node,
      List<String> details) {
    NodeFacts subject = node.facts();
    // worker2 shares worker1's key only in the cloned-key case; elsewhere it is a bystander.
    NodeFacts other =
        details.get(0).contains("cloned key")
            ? worker2().key(KEY_WORKER1).facts()
            : node("bystander").exempt().facts();

    ClusterAssessment assessment =
        CheckerPass.assess(
            felix(felix.toArray(Felix[]::new)), List.of(subject, other), settings, NOW);

    NodeVerdict verdict =
        assessment.verdicts().stream()
            .filter(v -> v.name().equals(subject.name()))
            .findFirst()
            .orElseThrow();
    assertThat(verdict.findings().stream().map(f -> f.field() + " " + f.detail()).toList())
        .containsExactlyElementsOf(details);
  }
}
