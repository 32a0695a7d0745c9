package io.wgguard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.wgguard.config.TunnelSource;
import io.wgguard.config.WgguardConfig;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The agent's own settings reader gives what SmallRye Config gives the service. */
class AgentSettingsTest {

  static WgguardConfig.Agent smallrye(Map<String, String> env) {
    return new SmallRyeConfigBuilder()
        .withSources(new EnvConfigSource(env, 300))
        .withConverter(Duration.class, 200, new DurationConverter())
        .withMapping(WgguardConfig.class)
        .build()
        .getConfigMapping(WgguardConfig.class)
        .agent();
  }

  static Stream<Arguments> environments() {
    return Stream.of(
        Arguments.of("nothing set: every default", Map.of()),
        Arguments.of(
            "the DaemonSet's variables",
            Map.of(
                "WGGUARD_AGENT_HOST_ROOT", "/host",
                "WGGUARD_AGENT_TUNNEL_SOURCE", "device",
                "NODE_NAME", "worker1")),
        Arguments.of(
            "the IT's variables",
            Map.of(
                "WGGUARD_AGENT_INTERVAL", "1s",
                "WGGUARD_AGENT_HEALTH_PORT", "0",
                "WGGUARD_AGENT_TUNNEL_SOURCE", "felix-metrics",
                "WGGUARD_AGENT_WG_COMMAND", "ip netns exec t1 wg",
                "WGGUARD_AGENT_FELIX_METRICS_URL", "http://127.0.0.1:9091/metrics")),
        Arguments.of(
            "durations in every form Quarkus reads",
            Map.of(
                "WGGUARD_AGENT_INTERVAL",
                "PT15S",
                "WGGUARD_AGENT_REPORT_INTERVAL",
                "2m",
                "WGGUARD_AGENT_LEASE_DURATION",
                "1m30s")),
        Arguments.of(
            "a bare number of seconds and an interface name",
            Map.of(
                "WGGUARD_AGENT_LEASE_INTERVAL",
                "90",
                "WGGUARD_AGENT_INTERFACE_NAME",
                "wg0",
                "WGGUARD_AGENT_LEASE_NAMESPACE",
                "wgguard-system")),
        Arguments.of(
            "an enum in upper case, and a node name",
            Map.of("WGGUARD_AGENT_TUNNEL_SOURCE", "NONE", "WGGUARD_AGENT_NODE_NAME", "n1")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("environments")
  void readsWhatSmallRyeReads(String description, Map<String, String> env) throws Exception {
    WgguardConfig.Agent ours = AgentSettings.read(env, Map.of());
    WgguardConfig.Agent theirs = smallrye(env);
    for (Method setting : WgguardConfig.Agent.class.getMethods()) {
      assertThat(setting.invoke(ours)).as(setting.getName()).isEqualTo(setting.invoke(theirs));
    }
  }

  @Test
  void aSystemPropertyOutranksTheEnvironment() {
    WgguardConfig.Agent agent =
        AgentSettings.read(
            Map.of("WGGUARD_AGENT_TUNNEL_SOURCE", "device"),
            Map.of("wgguard.agent.tunnel-source", "none"));
    assertThat(agent.tunnelSource()).isEqualTo(TunnelSource.NONE);
  }

  @Test
  void durationsCombineUnitsAsQuarkusDoes() {
    assertThat(AgentSettings.duration("1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(AgentSettings.duration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(AgentSettings.duration("1d")).isEqualTo(Duration.ofDays(1));
  }

  @Test
  void everyBadSettingIsNamedWithItsVariableAndValue() {
    assertThatThrownBy(
            () ->
                AgentSettings.read(
                    Map.of(
                        "WGGUARD_AGENT_TUNNEL_SOURCE", "netlink",
                        "WGGUARD_AGENT_INTERVAL", "soon",
                        "WGGUARD_AGENT_HEALTH_PORT", "nine"),
                    Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "wgguard.agent.tunnel-source (WGGUARD_AGENT_TUNNEL_SOURCE): 'netlink' is not one of"
                + " device, felix-metrics, none")
        .hasMessageContaining(
            "wgguard.agent.interval (WGGUARD_AGENT_INTERVAL): 'soon' is not a duration")
        .hasMessageContaining(
            "wgguard.agent.health-port (WGGUARD_AGENT_HEALTH_PORT): 'nine' is not a whole number");
  }

  @Test
  void retiredAndMisspeltSettingsAreNamedNotObeyed() {
    Map<String, String> env =
        Map.of(
            "WGGUARD_AGENT_HEARTBEAT", "12s",
            "WGGUARD_AGENT_REPORT_INTERVALL", "1m",
            "WGGUARD_AGENT_INTERVAL", "6s",
            "NODE_NAME", "worker1");

    assertThat(AgentSettings.unread(env, Map.of("wgguard.agent.lease-namespce", "x")))
        .containsExactly(
            "WGGUARD_AGENT_HEARTBEAT is no longer read: the agent renews a Lease every"
                + " lease-interval and writes its Node on change and by the forced report every"
                + " report-interval (WGGUARD_AGENT_REPORT_INTERVAL)",
            "wgguard.agent.lease-namespce is not a setting of the agent; it is ignored",
            "WGGUARD_AGENT_REPORT_INTERVALL is not a setting of the agent; it is ignored");
    // They do not stop it: what it does read is read.
    assertThat(AgentSettings.read(env, Map.of()).interval()).isEqualTo(Duration.ofSeconds(6));
    assertThat(AgentSettings.unread(Map.of("WGGUARD_AGENT_LEASE_INTERVAL", "40s"), Map.of()))
        .isEmpty();
  }
}
