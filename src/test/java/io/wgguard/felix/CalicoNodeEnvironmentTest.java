package io.wgguard.felix;

import static io.wgguard.felix.CalicoNode.calicoNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wgguard.felix.CalicoNodeEnvironment.ConfigMaps;
import io.wgguard.felix.EnvironmentSetting.State;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CalicoNodeEnvironmentTest {

  static final GuardedField V4 = GuardedField.WIREGUARD_ENABLED;
  static final GuardedField V6 = GuardedField.WIREGUARD_ENABLED_V6;
  static final GuardedField HOST = GuardedField.WIREGUARD_HOST_ENCRYPTION;

  /** ConfigMap calico-config in calico-system is readable; nothing else is. */
  static final ConfigMaps READABLE =
      (namespace, name) ->
          "calico-system".equals(namespace) && "calico-config".equals(name)
              ? Optional.of(
                  Map.of(
                      "WIREGUARDENABLED", "false",
                      "felix_wireguardEnabledV6", "true",
                      "wireguard_key", "false"))
              : Optional.empty();

  static Arguments c(
      String sentence, CalicoNode daemonSet, GuardedField field, State state, String variable) {
    return Arguments.of(sentence, daemonSet, field, ConfigMaps.none(), state, variable);
  }

  static Arguments r(
      String sentence, CalicoNode daemonSet, GuardedField field, State state, String variable) {
    return Arguments.of(sentence, daemonSet, field, READABLE, state, variable);
  }

  static CalicoNode ds() {
    return calicoNode("calico-system");
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // Names: Felix lower-cases the whole name, prefix included.
        c(
            "no FELIX_ variable leaves FelixConfigurations in charge",
            ds(),
            V4,
            State.UNSET,
            "FELIX_WIREGUARDENABLED"),
        c(
            "FELIX_WIREGUARDENABLED=false forces IPv4 off",
            ds().env("FELIX_WIREGUARDENABLED", "false"),
            V4,
            State.OFF,
            "FELIX_WIREGUARDENABLED"),
        c(
            "the name in camel case counts",
            ds().env("FELIX_WireguardEnabled", "false"),
            V4,
            State.OFF,
            "FELIX_WireguardEnabled"),
        c(
            "a lower-case prefix counts too",
            ds().env("felix_wireguardenabled", "false"),
            V4,
            State.OFF,
            "felix_wireguardenabled"),
        c(
            "a mixed-case prefix counts too",
            ds().env("Felix_WIREGUARDENABLED", "0"),
            V4,
            State.OFF,
            "Felix_WIREGUARDENABLED"),
        c(
            "a name without the FELIX_ prefix is not Felix's",
            ds().env("WIREGUARDENABLED", "false"),
            V4,
            State.UNSET,
            "FELIX_WIREGUARDENABLED"),
        c(
            "CALICO_ is not Felix's prefix",
            ds().env("CALICO_WIREGUARDENABLED", "false"),
            V4,
            State.UNSET,
            "FELIX_WIREGUARDENABLED"),
        c(
            "a longer name is another parameter",
            ds().env("FELIX_WIREGUARDENABLEDV6", "false"),
            V4,
            State.UNSET,
            "FELIX_WIREGUARDENABLED"),
        c(
            "the IPv6 variable forces IPv6 off",
            ds().env("FELIX_WIREGUARDENABLEDV6", "false"),
            V6,
            State.OFF,
            "FELIX_WIREGUARDENABLEDV6"),
        c(
            "host encryption has its own variable",
            ds().env("FELIX_WIREGUARDHOSTENCRYPTIONENABLED", "false"),
            HOST,
            State.OFF,
            "FELIX_WIREGUARDHOSTENCRYPTIONENABLED"),
        // Values, as Felix's BoolParam reads them.
        c(
            "0 is false",
            ds().env("FELIX_WIREGUARDENABLED", "0"),
            V4,
            State.OFF,
            "FELIX_WIREGUARDENABLED"),
        c(
            "no is false",
            ds().env("FELIX_WIREGUARDENABLED", "no"),
            V4,
            State.OFF,
            "FELIX_WIREGUARDENABLED"),
        c(
            "n is false",
            ds().env("FELIX_WIREGUARDENABLED", "n"),
            V4,
            State.OFF,
            "FELIX_WIREGUARDENABLED"),
        c(
            "f is false",
            ds().env("FELIX_WIREGUARDENABLED", "f"),
            V4,
            State.OFF,
            "FELIX_WIREGUARDENABLED"),
        c(
            "FaLsE in mixed case is false",
            ds().env("FELIX_WIREGUARDENABLED", "FaLsE"),
            V4,
            State.OFF,
            "FELIX_WIREGUARDENABLED"),
        c(
            "none is the zero value, false",
            ds().env("FELIX_WIREGUARDENABLED", "None"),
            V4,
            State.OFF,
            "FELIX_WIREGUARDENABLED"),
        c(
            "garbage is replaced by the default, false, at the environment's precedence",
            ds().env("FELIX_WIREGUARDENABLED", "disabled"),
            V4,
            State.OFF,
            "FELIX_WIREGUARDENABLED"),
        c(
            "Felix does not trim: ' true' is garbage, so false",
            ds().env("FELIX_WIREGUARDENABLED", " true"),
            V4,
            State.OFF,
            "FELIX_WIREGUARDENABLED"),
        c(
            "an empty value is ignored by Felix",
            ds().env("FELIX_WIREGUARDENABLED", ""),
            V4,
            State.UNSET,
            "FELIX_WIREGUARDENABLED"),
        c(
            "true forces IPv4 on",
            ds().env("FELIX_WIREGUARDENABLED", "true"),
            V4,
            State.ON,
            "FELIX_WIREGUARDENABLED"),
        c(
            "Yes in mixed case is true",
            ds().env("FELIX_WIREGUARDENABLED", "Yes"),
            V4,
            State.ON,
            "FELIX_WIREGUARDENABLED"),
        c(
            "a later entry of the same name replaces an earlier one",
            ds().env("FELIX_WIREGUARDENABLED", "false").env("FELIX_WIREGUARDENABLED", "true"),
            V4,
            State.ON,
            "FELIX_WIREGUARDENABLED"),
        c(
            "names differing in case reach Felix in no defined order: off wins",
            ds().env("FELIX_WIREGUARDENABLED", "true").env("felix_wireguardenabled", "false"),
            V4,
            State.OFF,
            "felix_wireguardenabled"),
        // Containers.
        c(
            "an init container's environment does not configure Felix",
            ds().initEnv("FELIX_WIREGUARDENABLED", "false"),
            V4,
            State.UNSET,
            "FELIX_WIREGUARDENABLED"),
        c(
            "another container's environment does not configure Felix",
            ds().sidecarEnv("calico-node-metrics", "FELIX_WIREGUARDENABLED", "false"),
            V4,
            State.UNSET,
            "FELIX_WIREGUARDENABLED"),
        // References wgguard cannot judge without the cluster.
        c(
            "a value from a ConfigMap key cannot be judged",
            ds().envFromConfigMapKey("FELIX_WIREGUARDENABLED", "calico-config", "wg"),
            V4,
            State.UNKNOWN,
            "FELIX_WIREGUARDENABLED"),
        c(
            "a value from a Secret key cannot be judged",
            ds().envFromSecretKey("FELIX_WIREGUARDENABLED", "calico-secret", "wg"),
            V4,
            State.UNKNOWN,
            "FELIX_WIREGUARDENABLED"),
        c(
            "a value from a field cannot be judged",
            ds().envFromField("FELIX_WIREGUARDENABLED", "metadata.annotations['wg']"),
            V4,
            State.UNKNOWN,
            "FELIX_WIREGUARDENABLED"),
        c(
            "envFrom a ConfigMap without prefix may set any variable",
            ds().envFromConfigMap("calico-config", null),
            V4,
            State.UNKNOWN,
            "FELIX_WIREGUARDENABLED"),
        c(
            "envFrom a Secret with prefix FELIX_ may set it",
            ds().envFromSecret("felix-env", "FELIX_"),
            V4,
            State.UNKNOWN,
            "FELIX_WIREGUARDENABLED"),
        c(
            "envFrom with prefix felix_wire (any case) may set it",
            ds().envFromConfigMap("x", "felix_wire"),
            V4,
            State.UNKNOWN,
            "FELIX_WIREGUARDENABLED"),
        c(
            "envFrom with prefix CALICO_ cannot set it",
            ds().envFromConfigMap("calico-config", "CALICO_"),
            V4,
            State.UNSET,
            "FELIX_WIREGUARDENABLED"),
        c(
            "a literal false beats an unknown reference: off either way",
            ds().envFromSecret("s", "").env("FELIX_WIREGUARDENABLED", "false"),
            V4,
            State.OFF,
            "FELIX_WIREGUARDENABLED"),
        c(
            "a literal true next to an unknown reference stays unknown",
            ds().envFromSecret("s", "").env("felix_wireguardenabled", "true"),
            V4,
            State.UNKNOWN,
            "FELIX_WIREGUARDENABLED"),
        // ConfigMaps the checker could read.
        r(
            "a readable ConfigMap key is read as a literal",
            ds().envFromConfigMapKey("FELIX_WIREGUARDENABLED", "calico-config", "wireguard_key"),
            V4,
            State.OFF,
            "FELIX_WIREGUARDENABLED"),
        r(
            "a missing key of a readable ConfigMap stays unknown",
            ds().envFromConfigMapKey("FELIX_WIREGUARDENABLED", "calico-config", "absent"),
            V4,
            State.UNKNOWN,
            "FELIX_WIREGUARDENABLED"),
        r(
            "envFrom a readable ConfigMap with prefix FELIX_ sets WIREGUARDENABLED",
            ds().envFromConfigMap("calico-config", "FELIX_"),
            V4,
            State.OFF,
            "FELIX_WIREGUARDENABLED"),
        r(
            "envFrom a readable ConfigMap without prefix sets felix_wireguardEnabledV6",
            ds().envFromConfigMap("calico-config", null),
            V6,
            State.ON,
            "felix_wireguardEnabledV6"),
        r(
            "an env entry of the same exact name replaces the envFrom value",
            ds().envFromConfigMap("calico-config", "FELIX_").env("FELIX_WIREGUARDENABLED", "true"),
            V4,
            State.ON,
            "FELIX_WIREGUARDENABLED"),
        r(
            "a ConfigMap that cannot be read stays unknown",
            ds().envFromConfigMap("other", "FELIX_"),
            V4,
            State.UNKNOWN,
            "FELIX_WIREGUARDENABLED"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void readsTheEnvironmentAsFelixDoes(
      String sentence,
      CalicoNode daemonSet,
      GuardedField field,
      ConfigMaps configMaps,
      State state,
      String variable) {
    EnvironmentSetting setting = daemonSet.environment().setting(field, configMaps);
    assertThat(setting.state()).as(setting.detail()).isEqualTo(state);
    assertThat(setting.variable()).isEqualTo(variable);
    assertThat(setting.field()).isEqualTo(field);
  }

  @Test
  void aGarbageValueSaysFelixFallsBackToItsDefault() {
    EnvironmentSetting setting =
        ds().env("FELIX_WIREGUARDENABLED", "disabled").environment().setting(V4, ConfigMaps.none());
    assertThat(setting.detail())
        .isEqualTo(
            "FELIX_WIREGUARDENABLED=disabled on DaemonSet calico-system/calico-node, which Felix"
                + " cannot read as a boolean, so it uses the default, false: WireGuard off for IPv4"
                + " pod traffic on every node it runs on");
    assertThat(setting.source()).isEqualTo("env FELIX_WIREGUARDENABLED");
  }

  @Test
  void anUnknownReferenceSaysWhereTheValueComesFrom() {
    EnvironmentSetting setting =
        ds().envFromSecretKey("FELIX_WIREGUARDENABLED", "calico-secret", "wg")
            .environment()
            .setting(V4, ConfigMaps.none());
    assertThat(setting.detail())
        .isEqualTo(
            "FELIX_WIREGUARDENABLED on DaemonSet calico-system/calico-node may be set by env"
                + " FELIX_WIREGUARDENABLED from Secret calico-secret key wg, which wgguard cannot"
                + " read");
  }

  @Test
  void keepsOnlyEntriesThatMayConfigureAGuardedParameter() {
    CalicoNodeEnvironment read =
        ds().env("FELIX_LOGSEVERITYSCREEN", "Info")
            .envFromConfigMap("calico-config", "CALICO_")
            .env("FELIX_WIREGUARDENABLED", "false")
            .nodeSelector("kubernetes.io/os", "linux")
            .environment();
    assertThat(read.entries())
        .containsExactly(
            new CalicoNodeEnvironment.Entry(
                CalicoNodeEnvironment.Kind.LITERAL, "FELIX_WIREGUARDENABLED", "false", "", ""));
    assertThat(read.nodeSelector()).isEqualTo(Map.of("kubernetes.io/os", "linux"));
    assertThat(read.id()).isEqualTo("calico-system/calico-node");
    assertThat(read.hasContainer()).isTrue();
  }

  @Test
  void aTemplateWithoutTheCalicoNodeContainerIsReported() {
    CalicoNodeEnvironment read =
        ds().env("FELIX_WIREGUARDENABLED", "false").renameContainer("felix").environment();
    assertThat(read.hasContainer()).isFalse();
    assertThat(read.entries()).isEmpty();
  }

  @Test
  void fingerprintsChangeOnlyWithTheFieldsEntries() {
    CalicoNode before = ds().env("FELIX_WIREGUARDENABLED", "true");
    CalicoNode imageBump = before.copy().image("calico/node:v3.31.1");
    CalicoNode turnedOff = before.copy().env("FELIX_WIREGUARDENABLED", "false");
    assertThat(imageBump.environment().fingerprint(V4))
        .isEqualTo(before.environment().fingerprint(V4));
    assertThat(turnedOff.environment().fingerprint(V4))
        .isNotEqualTo(before.environment().fingerprint(V4));
    assertThat(turnedOff.environment().fingerprint(V6))
        .isEqualTo(before.environment().fingerprint(V6));
  }

  @Test
  void malformedTemplatesNameTheFieldPath() {
    var json = ds().json();
    ((com.fasterxml.jackson.databind.node.ObjectNode)
            json.path("spec").path("template").path("spec").path("containers").get(0))
        .put("env", "FELIX_WIREGUARDENABLED=false");
    assertThatThrownBy(() -> CalicoNodeEnvironment.read(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("spec.template.spec.containers[calico-node].env is not an array");
  }
}
