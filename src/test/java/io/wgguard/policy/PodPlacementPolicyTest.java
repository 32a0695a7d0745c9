package io.wgguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.policy.Decision.Verdict;
import io.wgguard.policy.PodPlacementPolicy.Binding;
import io.wgguard.policy.PodPlacementPolicy.NodeStanding;
import io.wgguard.policy.PodPlacementPolicy.Pod;
import io.wgguard.policy.PodPlacementPolicy.Toleration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PodPlacementPolicyTest {

  static final Set<String> EXEMPT = Set.of("kube-system", "calico-system");
  static final Set<String> SCHEDULERS = Set.of("system:kube-scheduler");
  static final PodPlacementPolicy POLICY = new PodPlacementPolicy(EXEMPT, SCHEDULERS, false);
  static final PodPlacementPolicy DRY_RUN = new PodPlacementPolicy(EXEMPT, SCHEDULERS, true);
  static final String TAINT = "wgguard.io/wireguard-not-ready";

  static final NodeStanding READY = new NodeStanding(true, false, "", "", List.of(), false);
  static final NodeStanding NO_KEY =
      new NodeStanding(
          true,
          true,
          "no-public-key",
          "NoSchedule",
          List.of("IPv4 is on but the node publishes no public key"),
          false);
  static final NodeStanding BRAKED =
      new NodeStanding(true, false, "no-public-key", "", List.of(), true);

  static Pod pod(String namespace, String node, Toleration... tolerations) {
    return new Pod(namespace, "pod-2", node, List.of(tolerations));
  }

  static Toleration tol(String key, String operator, String value, String effect) {
    return new Toleration(key, operator, value, effect);
  }

  static Arguments c(
      String sentence, Object subject, NodeStanding node, Verdict verdict, int warnings) {
    return Arguments.of(sentence, subject, node, verdict, warnings);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        c(
            "a pod the scheduler places is not judged",
            pod("default", ""),
            NO_KEY,
            Verdict.ALLOWED,
            0),
        c(
            "a pod pinned to a ready node is admitted",
            pod("default", "worker1"),
            READY,
            Verdict.ALLOWED,
            0),
        c(
            "a pod pinned to a node without a key is refused",
            pod("default", "worker2"),
            NO_KEY,
            Verdict.DENIED,
            0),
        c(
            "a pod in an exempt namespace may be pinned anywhere",
            pod("kube-system", "worker2"),
            NO_KEY,
            Verdict.ALLOWED,
            0),
        c(
            "a node the checker has not seen is not judged",
            pod("default", "new-node"),
            NodeStanding.unknown(),
            Verdict.ALLOWED,
            0),
        c(
            "the safety brake admits the pod with a warning",
            pod("default", "worker2"),
            BRAKED,
            Verdict.ALLOWED,
            1),
        c(
            "a toleration for the taint key admits the pod with a warning",
            pod("default", "worker2", tol(TAINT, "Exists", null, null)),
            NO_KEY,
            Verdict.OVERRIDDEN,
            1),
        c(
            "a toleration for the exact reason admits the pod",
            pod("default", "worker2", tol(TAINT, "Equal", "no-public-key", "NoSchedule")),
            NO_KEY,
            Verdict.OVERRIDDEN,
            1),
        c(
            "a toleration for another reason does not",
            pod("default", "worker2", tol(TAINT, "Equal", "module-not-ready", null)),
            NO_KEY,
            Verdict.DENIED,
            0),
        c(
            "a toleration for another effect does not",
            pod("default", "worker2", tol(TAINT, "Exists", null, "NoExecute")),
            NO_KEY,
            Verdict.DENIED,
            0),
        c(
            "a wildcard toleration (operator Exists, no key) tolerates everything",
            pod("default", "worker2", tol(null, "Exists", null, null)),
            NO_KEY,
            Verdict.OVERRIDDEN,
            1),
        c(
            "a toleration for another key does not",
            pod("default", "worker2", tol("node.kubernetes.io/not-ready", "Exists", null, null)),
            NO_KEY,
            Verdict.DENIED,
            0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decides(String sentence, Pod pod, NodeStanding node, Verdict verdict, int warnings) {
    Decision decision = POLICY.decide(pod, node);

    assertThat(decision.verdict()).isEqualTo(verdict);
    assertThat(decision.allowed()).isEqualTo(verdict != Verdict.DENIED);
    assertThat(decision.warnings()).hasSize(warnings);
    assertThat(decision.message().isEmpty()).isEqualTo(decision.allowed());
    assertThat(decision.violations())
        .extracting(Violation::type)
        .containsExactlyElementsOf(
            decision.allowed() ? List.of() : List.of(Violation.Type.NODE_NOT_READY));
  }

  @Test
  void theRefusalNamesTheNodeTheEvidenceAndTheWayOut() {
    Decision decision = POLICY.decide(pod("default", "worker2"), NO_KEY);

    assertThat(decision.message())
        .isEqualTo(
            "pod default/pod-2 is pinned to node worker2 (spec.nodeName), which wgguard holds not"
                + " WireGuard-ready: no-public-key (IPv4 is on but the node publishes no public key)."
                + " Calico would send its traffic unencrypted. Wait until the node is ready, let the"
                + " scheduler place the pod (no spec.nodeName), or, if it must run there unencrypted,"
                + " add a toleration for wgguard.io/wireguard-not-ready.");
    assertThat(decision.auditAnnotations())
        .containsEntry("node", "worker2")
        .containsEntry("reason", "no-public-key");
  }

  static Binding binding(String namespace, String node, String user) {
    return new Binding(namespace, "pod-2", node, user);
  }

  static Stream<Arguments> bindings() {
    return Stream.of(
        c(
            "a binding to a ready node is admitted",
            binding("default", "worker1", "kubernetes-admin"),
            READY,
            Verdict.ALLOWED,
            0),
        c(
            "a binding posted by a user to a node without a key is refused",
            binding("default", "worker2", "kubernetes-admin"),
            NO_KEY,
            Verdict.DENIED,
            0),
        c(
            "the scheduler's binding is admitted: it binds only pods that tolerate the taint",
            binding("default", "worker2", "system:kube-scheduler"),
            NO_KEY,
            Verdict.ALLOWED,
            0),
        c(
            "a binding in an exempt namespace goes anywhere",
            binding("kube-system", "worker2", "kubernetes-admin"),
            NO_KEY,
            Verdict.ALLOWED,
            0),
        c(
            "a binding to a node the checker has not seen is not judged",
            binding("default", "new-node", "kubernetes-admin"),
            NodeStanding.unknown(),
            Verdict.ALLOWED,
            0),
        c(
            "the safety brake admits a binding with a warning",
            binding("default", "worker2", "kubernetes-admin"),
            BRAKED,
            Verdict.ALLOWED,
            1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bindings")
  void decidesBindings(
      String sentence, Binding binding, NodeStanding node, Verdict verdict, int warnings) {
    Decision decision = POLICY.decide(binding, node);

    assertThat(decision.verdict()).isEqualTo(verdict);
    assertThat(decision.allowed()).isEqualTo(verdict != Verdict.DENIED);
    assertThat(decision.warnings()).hasSize(warnings);
    assertThat(decision.message().isEmpty()).isEqualTo(decision.allowed());
    assertThat(decision.violations())
        .extracting(Violation::field)
        .containsExactlyElementsOf(decision.allowed() ? List.of() : List.of("target.name"));
  }

  @Test
  void aRefusedBindingSaysWhyTheSchedulerAloneMayBindThere() {
    Decision decision = POLICY.decide(binding("default", "worker2", "alice"), NO_KEY);

    assertThat(decision.message())
        .isEqualTo(
            "binding of pod default/pod-2 to node worker2 (pods/binding by alice), which wgguard"
                + " holds not WireGuard-ready: no-public-key (IPv4 is on but the node publishes no"
                + " public key). Calico would send its traffic unencrypted. A binding carries no"
                + " tolerations, so wgguard admits one to such a node only from a scheduler"
                + " (system:kube-scheduler), which honours the taint wgguard.io/wireguard-not-ready."
                + " Wait until the node is ready, let the scheduler place the pod, or create it"
                + " with spec.nodeName and a toleration for wgguard.io/wireguard-not-ready.");
  }

  /**
   * Guards {@code if (dryRun)} in {@code PodPlacementPolicy.refuse}: before it, a dry-run wgguard
   * refused pods its checker only reported (issue #13, defect 3).
   */
  @Test
  void inDryRunWhatWouldBeRefusedIsAdmittedWithTheRefusalAsAWarning() {
    Decision enforced = POLICY.decide(pod("default", "worker2"), NO_KEY);
    Decision pod = DRY_RUN.decide(pod("default", "worker2"), NO_KEY);
    Decision bound = DRY_RUN.decide(binding("default", "worker2", "alice"), NO_KEY);

    assertThat(pod.allowed()).isTrue();
    assertThat(pod.verdict()).isEqualTo(Verdict.WARNED);
    assertThat(pod.message()).isEmpty();
    assertThat(pod.warnings())
        .containsExactly("dry run (wgguard.checker.dry-run), not refused: " + enforced.message());
    assertThat(pod.auditAnnotations())
        .containsEntry("node", "worker2")
        .containsEntry("reason", "no-public-key")
        .containsEntry("dry-run", "true");
    assertThat(pod.violations())
        .extracting(Violation::type)
        .containsExactly(Violation.Type.NODE_NOT_READY);
    assertThat(bound.allowed()).isTrue();
    assertThat(bound.verdict()).isEqualTo(Verdict.WARNED);
    assertThat(bound.warnings()).hasSize(1);
  }

  @Test
  void inDryRunWhatIsAdmittedAnywayStaysSilent() {
    assertThat(DRY_RUN.decide(pod("default", "worker1"), READY).warnings()).isEmpty();
    assertThat(
            DRY_RUN
                .decide(pod("default", "worker2", tol(TAINT, "Exists", null, null)), NO_KEY)
                .verdict())
        .isEqualTo(Verdict.OVERRIDDEN);
  }
}
