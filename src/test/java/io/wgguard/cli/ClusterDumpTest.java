package io.wgguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How a dump is read: which objects count, which FelixConfiguration group is read, and what the
 * report notes about the rest. Dumps are piped in on standard input.
 */
class ClusterDumpTest {

  static final String KEY = "gsxCZHLjKBjJozxRFiKjbMB3QtVTluQDmbvQVfANmXE=";
  static final String NODE =
      "apiVersion: v1\nkind: Node\nmetadata:\n  name: control1\n  annotations:\n"
          + "    projectcalico.org/WireguardPublicKey: "
          + KEY
          + "\n    projectcalico.org/IPv4WireguardInterfaceAddr: 10.48.115.87\n";
  static final String V1_ON =
      "apiVersion: crd.projectcalico.org/v1\nkind: FelixConfiguration\nmetadata:\n"
          + "  name: default\nspec:\n  wireguardEnabled: true\n";
  static final String V3_OFF =
      "apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata:\n"
          + "  name: default\nspec:\n  wireguardEnabled: false\n";
  static final String CALICO_NODE_OFF =
      "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: calico-node\n"
          + "  namespace: calico-system\nspec:\n  template:\n    spec:\n      containers:\n"
          + "      - name: calico-node\n        image: calico/node:v3.31.0\n        env:\n"
          + "        - name: FELIX_WIREGUARDENABLED\n          value: \"false\"\n";
  static final String CALICO_NODE_FROM_CONFIG_MAP =
      CALICO_NODE_OFF.replace(
          "          value: \"false\"\n",
          "          valueFrom:\n            configMapKeyRef: {name: felix-env, key: wg}\n");
  static final String FELIX_ENV_CONFIG_MAP =
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: felix-env\n"
          + "  namespace: calico-system\ndata:\n  wg: \"0\"\n";
  static final String FORCED_OFF =
      "posture: WIREGUARD_OFF (WireGuard is not enabled cluster-wide: pod traffic is not"
          + " encrypted)";
  static final String READY =
      "control1  yes    -       IPv4      gsxCZHLj…   10.48.115.87       no       no";

  static Arguments c(String sentence, String dump, String set, int exit, String... lines) {
    return Arguments.of(sentence, dump, set, exit, List.of(lines));
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        c(
            "single objects in a multi-document stream count like List items",
            NODE + "---\n" + V1_ON,
            null,
            0,
            "audit of standard input: 1 node, 1 FelixConfiguration (crd.projectcalico.org/v1)",
            READY),
        c(
            "objects of other kinds are skipped and counted",
            NODE + "---\n" + V1_ON + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: pod-1}\n",
            null,
            0,
            READY,
            "notes:",
            "  skipped objects of other kinds: 1 v1 Pod"),
        c(
            "with both groups in the dump, crd.projectcalico.org is what Felix reads",
            NODE + "---\n" + V1_ON + "---\n" + V3_OFF,
            null,
            0,
            "audit of standard input: 1 node, 1 FelixConfiguration (crd.projectcalico.org/v1)",
            "  skipped 1 FelixConfiguration(s) in projectcalico.org/v3: only"
                + " crd.projectcalico.org/v1 is read"),
        c(
            "with only the v3 group, v3 is read",
            NODE + "---\n" + V3_OFF,
            null,
            1,
            "audit of standard input: 1 node, 1 FelixConfiguration (projectcalico.org/v3)",
            "posture: WIREGUARD_OFF (WireGuard is not enabled cluster-wide: pod traffic is not"
                + " encrypted)"),
        c(
            "the felix-group setting picks the group as in the service",
            NODE + "---\n" + V1_ON + "---\n" + V3_OFF,
            "wgguard.checker.felix-group=projectcalico.org",
            1,
            "audit of standard input: 1 node, 1 FelixConfiguration (projectcalico.org/v3)",
            "  skipped 1 FelixConfiguration(s) in crd.projectcalico.org/v1: only"
                + " projectcalico.org/v3 is read"),
        c(
            "without FelixConfigurations WireGuard is off by Calico's default, and the report"
                + " says what to add",
            NODE,
            null,
            1,
            "audit of standard input: 1 node, 0 FelixConfigurations",
            "posture: WIREGUARD_OFF (WireGuard is not enabled cluster-wide: pod traffic is not"
                + " encrypted)",
            "  the dump holds no FelixConfiguration, so WireGuard is off by Calico's built-in"
                + " default; include felixconfigurations.crd.projectcalico.org in the kubectl get"),
        c(
            "a FelixConfiguration that cannot be read is left out and reported, as the service"
                + " does",
            NODE + "---\n" + V1_ON.replace("metadata:\n", "metadata:\n  labels: [x]\n"),
            null,
            1,
            "  FelixConfiguration default cannot be read (metadata.labels is not an object) and is"
                + " left out"),
        c(
            "a value Felix ignores is reported among the notes",
            NODE + "---\n" + V1_ON.replace("true", "\"yes\""),
            null,
            1,
            "  FelixConfiguration default: spec.wireguardEnabled has value \"yes\", not a boolean;"
                + " Felix ignores that value"),
        c(
            "calico-node's FELIX_WIREGUARDENABLED=false in the dump forces WireGuard off above"
                + " default",
            NODE + "---\n" + V1_ON + "---\n" + CALICO_NODE_OFF,
            null,
            1,
            FORCED_OFF,
            "wireguard: IPv4 WireGuard is forced off by FELIX_WIREGUARDENABLED on DaemonSet"
                + " calico-system/calico-node; IPv6 WireGuard is off by FelixConfiguration default"
                + " (spec.wireguardEnabledV6)",
            "  WireGuard forced off by FELIX_WIREGUARDENABLED on DaemonSet calico-system/calico-node"
                + " (IPv4 pod traffic, every node)"),
        c(
            "a DaemonSet of another name or namespace is skipped like any other kind",
            NODE
                + "---\n"
                + V1_ON
                + "---\n"
                + CALICO_NODE_OFF.replace("calico-system", "monitoring"),
            null,
            0,
            READY,
            "  skipped objects of other kinds: 1 apps/v1 DaemonSet"),
        c(
            "a variable from a ConfigMap of the dump is resolved",
            NODE
                + "---\n"
                + V1_ON
                + "---\n"
                + CALICO_NODE_FROM_CONFIG_MAP
                + "---\n"
                + FELIX_ENV_CONFIG_MAP,
            null,
            1,
            FORCED_OFF),
        c(
            "a variable from a ConfigMap the dump lacks is reported as unknown",
            NODE + "---\n" + V1_ON + "---\n" + CALICO_NODE_FROM_CONFIG_MAP,
            null,
            0,
            READY,
            "  FELIX_WIREGUARDENABLED on DaemonSet calico-system/calico-node may be set by env"
                + " FELIX_WIREGUARDENABLED from ConfigMap felix-env key wg, which wgguard cannot"
                + " read; the FelixConfigurations are assumed to decide IPv4 WireGuard"),
        c(
            "a List of nodes and a List of FelixConfigurations, as two kubectl gets print them",
            "apiVersion: v1\nkind: NodeList\nitems:\n- "
                + NODE.replace("\n", "\n  ").stripTrailing()
                + "\n---\napiVersion: v1\nkind: List\nitems:\n- "
                + V1_ON.replace("\n", "\n  ").stripTrailing()
                + "\n",
            null,
            0,
            "audit of standard input: 1 node, 1 FelixConfiguration (crd.projectcalico.org/v1)",
            READY));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void dump(String sentence, String dump, String set, int exit, List<String> lines) {
    CliRun run =
        set == null
            ? CliRun.withStdin(dump, "audit", "-")
            : CliRun.withStdin(dump, "audit", "--set", set, "-");

    assertThat(run.err()).isEmpty();
    assertThat(run.outLines()).containsSubsequence(lines);
    assertThat(run.code()).isEqualTo(exit);
  }

  static final String AFFINITIES =
      "apiVersion: crd.projectcalico.org/v1\nkind: BlockAffinity\nmetadata:\n"
          + "  name: control1-10-48-115-64-26\n  creationTimestamp: \"2026-11-25T10:00:00Z\"\n"
          + "spec:\n  node: control1\n  cidr: 10.48.115.64/26\n  state: confirmed\n"
          + "  deleted: \"false\"\n---\n"
          + "apiVersion: crd.projectcalico.org/v1\nkind: BlockAffinity\nmetadata:\n"
          + "  name: control1-10-48-115-128-26\nspec:\n  node: control1\n"
          + "  cidr: 10.48.115.128/26\n  state: pending\n  deleted: \"false\"\n---\n"
          + "apiVersion: crd.projectcalico.org/v1\nkind: BlockAffinity\nmetadata:\n"
          + "  name: control1-10-48-115-192-26\nspec:\n  node: control1\n"
          + "  cidr: 10.48.115.192/26\n  state: confirmed\n  deleted: \"true\"\n";

  @org.junit.jupiter.api.Test
  void blockAffinitiesAreReadConfirmedOnly() throws BadInputException {
    String dump = NODE + "---\n" + V1_ON + "---\n" + AFFINITIES;
    ClusterDump read =
        ClusterDump.read(
            InputDocuments.parse(dump.getBytes(java.nio.charset.StandardCharsets.UTF_8), "-"),
            "standard input",
            ClusterDump.AUTO_GROUP);

    assertThat(read.affinities())
        .isEqualTo(
            new io.wgguard.tunnels.BlockAffinities(
                true,
                java.util.Map.of(
                    "control1",
                    List.of(
                        new io.wgguard.tunnels.BlockAffinities.Block(
                            io.wgguard.tunnels.summary.Cidr.parse("10.48.115.64/26"),
                            java.time.Instant.parse("2026-11-25T10:00:00Z"))))));
    assertThat(read.notes()).noneMatch(n -> n.contains("BlockAffinity"));
  }

  @org.junit.jupiter.api.Test
  void aDumpWithoutBlockAffinitiesDoesNotKnowTheBlocks() throws BadInputException {
    ClusterDump read =
        ClusterDump.read(
            InputDocuments.parse(
                (NODE + "---\n" + V1_ON).getBytes(java.nio.charset.StandardCharsets.UTF_8), "-"),
            "standard input",
            ClusterDump.AUTO_GROUP);

    assertThat(read.affinities().known()).isFalse();
  }
}
