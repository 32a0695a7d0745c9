package io.wgguard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.wgguard.Json;
import io.wgguard.Names;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AgentLeaseTest {

  static final Instant NOW = Instant.parse("2026-12-02T07:30:05.123456789Z");
  static final String DNS_SUBDOMAIN =
      "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

  static Stream<Arguments> names() {
    String long253 = "n".repeat(240) + ".example.com";
    String cutOnDot = "a".repeat(221) + "." + "b".repeat(31);
    return Stream.of(
        Arguments.of("a short name is prefixed", "worker1", "wgguard-agent-worker1"),
        Arguments.of(
            "a name that fits with the prefix is kept whole",
            "x".repeat(253 - 14),
            "wgguard-agent-" + "x".repeat(239)),
        Arguments.of(
            "a 253-character name is cut and hashed",
            long253,
            "wgguard-agent-" + long253.substring(0, 222) + "-" + hash(long253)),
        Arguments.of(
            "a cut that ends on a dot drops it",
            cutOnDot,
            "wgguard-agent-" + "a".repeat(221) + "-" + hash(cutOnDot)));
  }

  static String hash(String node) {
    try {
      byte[] d =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(node.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d).substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("names")
  void namesTheLeaseAfterTheNodeWithinKubernetesRules(
      String description, String node, String expected) {
    String name = Names.agentLeaseName(node);
    assertThat(name).isEqualTo(expected).hasSizeLessThanOrEqualTo(253).matches(DNS_SUBDOMAIN);
  }

  @Test
  void twoLongNamesWithTheSameBeginningGetTwoLeases() {
    String a = "n".repeat(250) + "abc";
    String b = "n".repeat(250) + "abd";
    assertThat(Names.agentLeaseName(a)).isNotEqualTo(Names.agentLeaseName(b));
  }

  @ParameterizedTest(name = "''{0}''")
  @MethodSource("badNodeNames")
  void refusesWhatIsNoNodeName(String node) {
    assertThatThrownBy(() -> Names.agentLeaseName(node))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a node name");
  }

  static Stream<String> badNodeNames() {
    return Stream.of("", "Upper", "-lead", "trail-", "a..b", "x".repeat(254), "a_b");
  }

  @Test
  void aNewLeaseIsLabelledOwnedByTheNodeAndRenewedNow() throws Exception {
    JsonNode lease =
        Json.read(
            AgentLease.created("wgguard-system", "worker1", "uid-1", Duration.ofSeconds(120), NOW));
    assertThat(Json.write(lease))
        .isEqualTo(
            "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{"
                + "\"name\":\"wgguard-agent-worker1\",\"namespace\":\"wgguard-system\","
                + "\"labels\":{\"wgguard.io/agent-lease\":\"true\"},"
                + "\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"name\":\"worker1\","
                + "\"uid\":\"uid-1\"}]},"
                + "\"spec\":{\"holderIdentity\":\"worker1\",\"leaseDurationSeconds\":120,"
                + "\"renewTime\":\"2026-12-02T07:30:05.123456Z\"}}");
  }

  @Test
  void aNodeWithoutUidGivesALeaseWithoutOwner() throws Exception {
    JsonNode lease =
        Json.read(AgentLease.created("ns", "worker1", "", Duration.ofSeconds(120), NOW));
    assertThat(lease.path("metadata").has("ownerReferences")).isFalse();
  }

  @Test
  void aRenewalKeepsTheObjectAndItsVersionAndTakesTheLeaseBack() throws Exception {
    JsonNode current =
        Json.read(
            "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{"
                + "\"name\":\"wgguard-agent-worker1\",\"resourceVersion\":\"42\"},"
                + "\"spec\":{\"holderIdentity\":\"someone\",\"leaseDurationSeconds\":10,"
                + "\"renewTime\":\"2026-12-01T00:00:00.000000Z\",\"leaseTransitions\":3}}");
    JsonNode renewed =
        Json.read(AgentLease.renewed(current, "worker1", Duration.ofSeconds(120), NOW));
    assertThat(renewed.path("metadata").path("resourceVersion").asText()).isEqualTo("42");
    assertThat(Json.write(renewed.path("spec")))
        .isEqualTo(
            "{\"holderIdentity\":\"worker1\",\"leaseDurationSeconds\":120,"
                + "\"renewTime\":\"2026-12-02T07:30:05.123456Z\",\"leaseTransitions\":3}");
    assertThat(current.path("spec").path("holderIdentity").asText())
        .as("the Lease read is left as it was")
        .isEqualTo("someone");
  }

  @Test
  void microTimeHasSixFractionDigitsAlways() {
    assertThat(AgentLease.microTime(Instant.parse("2026-12-02T07:30:05Z")))
        .isEqualTo("2026-12-02T07:30:05.000000Z");
    assertThat(AgentLease.microTime(Instant.parse("2026-12-02T07:30:05.000001999Z")))
        .isEqualTo("2026-12-02T07:30:05.000001Z");
  }
}
