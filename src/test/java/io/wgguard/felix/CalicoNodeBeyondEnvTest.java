package io.wgguard.felix;

import static io.wgguard.felix.CalicoNode.calicoNode;
import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.felix.CalicoNodeEnvironment.ConfigMaps;
import io.wgguard.felix.EnvironmentSetting.State;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 23 point 7: what calico-node tells Felix beyond {@code env}: the container's command, and a
 * volume over {@code /etc/calico/felix.cfg} (node/pkg/node/command.go; felix/config/
 * file_loader.go; config_params.go: environment over config file over every FelixConfiguration).
 */
class CalicoNodeBeyondEnvTest {

  static final GuardedField V4 = GuardedField.WIREGUARD_ENABLED;
  static final String SH = "/bin/sh";

  /** ConfigMap felix-config holds a felix.cfg turning IPv4 WireGuard off; it is readable. */
  static final ConfigMaps READABLE =
      (namespace, name) ->
          "felix-config".equals(name)
              ? Optional.of(
                  Map.of(
                      "felix.cfg",
                      "[global]\nMetadataAddr = None\nWireguardEnabled = false ; staged\n",
                      "on.cfg",
                      "[global]\nwireguardenabled: \"true\"\n"))
              : Optional.empty();

  static Arguments c(
      String sentence, CalicoNode daemonSet, ConfigMaps maps, State state, String variable) {
    return Arguments.of(sentence, daemonSet, maps, state, variable);
  }

  static CalicoNode ds() {
    return calicoNode("calico-system");
  }

  static Stream<Arguments> cases() {
    ConfigMaps none = ConfigMaps.none();
    return Stream.of(
        c(
            "a command exporting FELIX_WIREGUARDENABLED=false forces IPv4 off",
            ds().command(SH, "-c", "export FELIX_WIREGUARDENABLED=false; exec start_runit"),
            none,
            State.OFF,
            "FELIX_WIREGUARDENABLED"),
        c(
            "the name in any case, the value quoted",
            ds().command(SH, "-c", "Felix_WireguardEnabled='no' exec start_runit"),
            none,
            State.OFF,
            "Felix_WireguardEnabled"),
        c(
            "a command exporting true turns it on",
            ds().command(SH, "-c", "export FELIX_WIREGUARDENABLED=true; exec start_runit"),
            none,
            State.ON,
            "FELIX_WIREGUARDENABLED"),
        c(
            "an exported true does not hide an env false of another spelling (off wins)",
            ds().command(SH, "-c", "export FELIX_WIREGUARDENABLED=true; exec start_runit")
                .env("felix_wireguardenabled", "false"),
            none,
            State.OFF,
            "felix_wireguardenabled"),
        c(
            "a value from the shell cannot be judged",
            ds().command(SH, "-c", "export FELIX_WIREGUARDENABLED=$(cat /x); exec start_runit"),
            none,
            State.UNKNOWN,
            "FELIX_WIREGUARDENABLED"),
        c(
            "unset cannot be judged",
            ds().command(SH, "-c", "unset FELIX_WIREGUARDENABLED; exec start_runit"),
            none,
            State.UNKNOWN,
            "FELIX_WIREGUARDENABLED"),
        c(
            "a command that writes felix.cfg cannot be judged",
            ds().command(SH, "-c", "cp /cfg/felix.cfg /etc/calico/felix.cfg; exec start_runit"),
            none,
            State.UNKNOWN,
            "FELIX_WIREGUARDENABLED"),
        c(
            "a command without Felix variables leaves the rest in charge",
            ds().command(SH, "-c", "exec start_runit"),
            none,
            State.UNSET,
            "FELIX_WIREGUARDENABLED"),
        c(
            "a longer name is another variable",
            ds().command(SH, "-c", "export FELIX_WIREGUARDENABLEDV6=false; exec start_runit"),
            none,
            State.UNSET,
            "FELIX_WIREGUARDENABLED"),
        c(
            "a ConfigMap over felix.cfg cannot be judged without its data (admission)",
            ds().mountConfigMap("felix-config", "/etc/calico/felix.cfg", "felix.cfg"),
            none,
            State.UNKNOWN,
            "felix.cfg WireguardEnabled"),
        c(
            "a readable ConfigMap over felix.cfg with WireguardEnabled = false forces IPv4 off",
            ds().mountConfigMap("felix-config", "/etc/calico/felix.cfg", "felix.cfg"),
            READABLE,
            State.OFF,
            "felix.cfg WireguardEnabled"),
        c(
            "a ConfigMap over /etc/calico provides felix.cfg by its key",
            ds().mountConfigMap("felix-config", "/etc/calico/", ""),
            READABLE,
            State.OFF,
            "felix.cfg WireguardEnabled"),
        c(
            "key: \"true\" with any case of the name turns it on",
            ds().mountConfigMap("felix-config", "/etc/calico/felix.cfg", "on.cfg"),
            READABLE,
            State.ON,
            "felix.cfg WireguardEnabled"),
        c(
            "a ConfigMap over another path is not Felix's file",
            ds().mountConfigMap("felix-config", "/etc/calico/other", ""),
            READABLE,
            State.UNSET,
            "FELIX_WIREGUARDENABLED"),
        c(
            "a hostPath over /etc/calico cannot be read",
            ds().mountHostPath("/srv/calico", "/etc/calico"),
            READABLE,
            State.UNKNOWN,
            "felix.cfg WireguardEnabled"),
        c(
            "env outranks the config file (config_params.go SourcesInDescendingOrder)",
            ds().mountConfigMap("felix-config", "/etc/calico/felix.cfg", "felix.cfg")
                .env("FELIX_WIREGUARDENABLED", "true"),
            READABLE,
            State.ON,
            "FELIX_WIREGUARDENABLED"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void readsAsFelix(
      String sentence, CalicoNode daemonSet, ConfigMaps maps, State state, String variable) {
    EnvironmentSetting setting = daemonSet.environment().setting(V4, maps);

    assertThat(setting.state()).isEqualTo(state);
    assertThat(setting.variable()).isEqualTo(variable);
  }

  @org.junit.jupiter.api.Test
  void aCommandOrMountChangeChangesTheFingerprint() {
    CalicoNodeEnvironment plain = ds().environment();
    assertThat(
            ds().command(SH, "-c", "export FELIX_WIREGUARDENABLED=false")
                .environment()
                .fingerprint(V4))
        .isNotEqualTo(plain.fingerprint(V4));
    assertThat(ds().mountConfigMap("felix-config", "/etc/calico", "").environment().fingerprint(V4))
        .isNotEqualTo(plain.fingerprint(V4));
    assertThat(ds().command(SH, "-c", "exec start_runit").environment().fingerprint(V4))
        .isEqualTo(plain.fingerprint(V4));
  }
}
