package io.wgguard.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.wgguard.felix.ClusterView;
import io.wgguard.policy.CalicoNodePolicy;
import io.wgguard.policy.Decision;
import io.wgguard.policy.FelixConfigurationPolicy;
import io.wgguard.policy.PolicySettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Thousands of mutated AdmissionReviews through the same decode-judge-encode path the webhook uses:
 * each must end as a decision or as a plain bad-request reason, never as another exception.
 */
class AdmissionFuzzTest {

  static final int MUTATIONS_PER_FIXTURE = 1_000;

  /** Three nodes and no FelixConfiguration yet: the mutated writes are judged by their effect. */
  static final ClusterView SEED_CLUSTER =
      ClusterView.of(
          true,
          List.of(),
          Map.of("control1", Map.of(), "worker1", Map.of(), "worker2", Map.of("zone", "b")));

  final FelixConfigurationAdmission admission =
      new FelixConfigurationAdmission(
          new FelixConfigurationPolicy(PolicySettings.defaults()),
          SEED_CLUSTER,
          Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC));

  final CalicoNodeAdmission calicoNode =
      new CalicoNodeAdmission(
          new CalicoNodePolicy(PolicySettings.defaults()),
          Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC),
          Set.of("calico-system", "kube-system"),
          "calico-node");

  static Stream<Path> fixtures() throws IOException {
    return Files.list(Path.of("src/test/resources/reviews")).sorted();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void mutatedReviewsNeverFailInternally(Path fixture) throws IOException {
    byte[] valid = Files.readAllBytes(fixture);
    // Each fixture goes to the webhook its kind is registered for.
    AdmissionResource.Judge judge =
        new String(valid, java.nio.charset.StandardCharsets.UTF_8)
                .contains("\"kind\": \"DaemonSet\"")
            ? calicoNode::judge
            : admission::judge;
    ReviewMutator mutator = new ReviewMutator(fixture.getFileName().toString().hashCode());
    List<String> reasons = new ArrayList<>();
    int decisions = 0;
    for (int i = 0; i < MUTATIONS_PER_FIXTURE; i++) {
      byte[] body = mutator.mutate(valid);
      try {
        ReviewRequest review = AdmissionReviews.parse(body);
        Decision decision = judge.judge(review);
        byte[] encoded = AdmissionReviews.encode(review.uid(), decision);
        assertThat(encoded).isNotEmpty();
        assertThat(decision.allowed() || !decision.message().isBlank()).isTrue();
        decisions++;
      } catch (BadReviewException e) {
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage())
            .isNotBlank()
            .doesNotContain("Exception")
            .doesNotContain("io.wgguard");
        reasons.add(e.getMessage());
      } catch (RuntimeException | Error e) {
        fail(
            "mutation " + i + " of " + fixture + " threw " + e + " for body " + new String(body),
            e);
      }
    }
    // Both paths must have been exercised, or the mutator is not doing its job.
    assertThat(decisions).isPositive();
    assertThat(reasons).isNotEmpty();
  }
}
