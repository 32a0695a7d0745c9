package io.wgguard.evidence;

import static io.wgguard.evidence.Nodes.node;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What grants an exemption, and which claims a node could make itself are not honoured. */
class ExemptionTest {

  static final EqualitySelector LAB =
      EqualitySelector.parse("node-restriction.kubernetes.io/lab=true");

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "the admin's label grants it",
            node("gpu1").exempt(),
            LAB,
            new Exemption(true, "label node-restriction.kubernetes.io/wgguard-exempt=true")),
        Arguments.of(
            "the exempt selector grants it",
            node("lab1").label("node-restriction.kubernetes.io/lab", "true"),
            LAB,
            new Exemption(
                true,
                "selector node-restriction.kubernetes.io/lab=true"
                    + " (wgguard.checker.exempt-selector)")),
        Arguments.of(
            "wgguard.io/exempt=true, which a kubelet may set, is refused and says how",
            node("gpu1").label("wgguard.io/exempt", "true"),
            LAB,
            new Exemption(
                false,
                "label wgguard.io/exempt=true is not honoured: the node's own kubelet may set it;"
                    + " an admin labels the node node-restriction.kubernetes.io/wgguard-exempt=true,"
                    + " which the NodeRestriction admission plugin keeps from kubelets")),
        Arguments.of(
            "the admin's label set to false grants nothing",
            node("gpu1").label("node-restriction.kubernetes.io/wgguard-exempt", "false"),
            LAB,
            new Exemption(false, "")),
        Arguments.of(
            "no claim, nothing to say",
            node("worker1"),
            EqualitySelector.none(),
            new Exemption(false, "")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void grantsOrRefuses(
      String sentence, Nodes.NodeBuilder node, EqualitySelector selector, Exemption expected) {
    assertThat(Exemption.of(node.facts(), selector)).isEqualTo(expected);
  }

  @Test
  void aSelectorOnALabelAKubeletSetsIsSelfAssertable() {
    assertThat(Exemption.selfAssertableKey(EqualitySelector.parse("kubernetes.io/os=windows")))
        .contains("kubernetes.io/os");
    assertThat(
            Exemption.selfAssertableKey(
                EqualitySelector.parse("node-restriction.kubernetes.io/lab=true,!wgguard.io/x")))
        .contains("wgguard.io/x");
    assertThat(Exemption.selfAssertableKey(LAB)).isEmpty();
  }
}
