package io.wgguard.felix;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Issue 23 point 5: Calico's node labels (libcalico-go resources/node.go K8sNodeToCalico). */
class CalicoNodeLabelsTest {

  static final Map<String, String> K8S = Map.of("tier", "edge", "kubernetes.io/os", "linux");

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("without the annotation, the Kubernetes labels", Map.of(), K8S),
        Arguments.of(
            "labels of projectcalico.org/labels are added",
            Map.of(CalicoNodeLabels.ANNOTATION, "{\"pool\":\"m7i\"}"),
            Map.of("tier", "edge", "kubernetes.io/os", "linux", "pool", "m7i")),
        Arguments.of(
            "a Kubernetes label overwrites a Calico label of the same key (mergeCalicoAndK8sLabels)",
            Map.of(CalicoNodeLabels.ANNOTATION, "{\"tier\":\"core\",\"pool\":\"m7i\"}"),
            Map.of("tier", "edge", "kubernetes.io/os", "linux", "pool", "m7i")),
        Arguments.of(
            "an annotation Go cannot decode into map[string]string is ignored",
            Map.of(CalicoNodeLabels.ANNOTATION, "{\"pool\":1}"),
            K8S),
        Arguments.of(
            "invalid JSON is ignored", Map.of(CalicoNodeLabels.ANNOTATION, "{\"pool\""), K8S));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void labelsFelixSees(String sentence, Map<String, String> annotations, Map<String, String> seen) {
    assertThat(CalicoNodeLabels.of(K8S, annotations)).isEqualTo(seen);
  }

  @org.junit.jupiter.api.Test
  void aSelectorMatchesACalicoLabel() {
    Map<String, String> labels =
        CalicoNodeLabels.of(K8S, Map.of(CalicoNodeLabels.ANNOTATION, "{\"pool\":\"m7i\"}"));

    assertThat(CalicoSelector.parse("pool == 'm7i'").matches(labels)).isTrue();
  }

  @org.junit.jupiter.api.Test
  void nodeFactsKeepBothTheNodeLabelsAndTheLabelsFelixSees() {
    var facts =
        new io.wgguard.evidence.NodeFacts(
            "worker3",
            K8S,
            Map.of(
                CalicoNodeLabels.ANNOTATION, "{\"pool\":\"m7i\",\"wgguard.io/exempt\":\"true\"}"),
            null,
            java.util.List.of());

    assertThat(facts.felixLabels()).containsEntry("pool", "m7i");
    assertThat(facts.labels()).doesNotContainKey("wgguard.io/exempt");
  }
}
