package io.wgguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file in {@code examples/}, run through the commands as a user would (in-process): its exit
 * code and the lines that matter, in order. The examples README lists the same commands.
 */
class ExamplesTest {

  static final String AUDIT = "examples/audit/";
  static final String REVIEW = "examples/review/";

  static final String HEALTHY =
      "posture: HEALTHY (WireGuard is on cluster-wide and every node is ready)";
  static final String NOT_READY =
      "posture: NODES_NOT_READY (Calico sends traffic to and from nodes that are not ready"
          + " unencrypted; the checker taints them)";
  static final String WIREGUARD_V4_ON =
      "wireguard: IPv4 WireGuard is on by FelixConfiguration default (spec.wireguardEnabled);"
          + " IPv6 WireGuard is off by FelixConfiguration default (spec.wireguardEnabledV6)";
  static final String HEADER =
      "NAME      READY  REASON  FAMILIES  PUBLIC-KEY  INTERFACE-ADDRESS  TAINTED  EXEMPT";
  static final String CONTROL1 =
      "control1  yes    -       IPv4      gsxCZHLj…   10.48.115.87       no       no";
  static final String WORKER1 =
      "worker1   yes    -       IPv4      HmNsTyzg…   10.48.127.254      no       no";
  static final String WORKER2 =
      "worker2   yes    -       IPv4      lDSws3G/…   10.48.116.146      no       no";

  static final String SEED_AUDIT =
      """
      audit of examples/audit/seed-cluster.yaml: 3 nodes, 1 FelixConfiguration (crd.projectcalico.org/v1)
      posture: HEALTHY (WireGuard is on cluster-wide and every node is ready)
      wireguard: IPv4 WireGuard is on by FelixConfiguration default (spec.wireguardEnabled); IPv6 WireGuard is off by FelixConfiguration default (spec.wireguardEnabledV6)
      nodes: 3 ready, 0 exempt, 0 not ready

      NAME      READY  REASON  FAMILIES  PUBLIC-KEY  INTERFACE-ADDRESS  TAINTED  EXEMPT
      control1  yes    -       IPv4      gsxCZHLj…   10.48.115.87       no       no
      worker1   yes    -       IPv4      HmNsTyzg…   10.48.127.254      no       no
      worker2   yes    -       IPv4      lDSws3G/…   10.48.116.146      no       no
      """;

  static final String ADMIN =
      "  request:  UPDATE FelixConfiguration \"default\" (crd.projectcalico.org) by"
          + " kubernetes-admin [kubeadm:cluster-admins, system:authenticated]";
  static final String REFUSED_DEFAULT_OFF =
      "FelixConfiguration \"default\" (crd.projectcalico.org) would switch WireGuard off"
          + " cluster-wide: spec.wireguardEnabled is false: WireGuard off for IPv4 pod traffic (was"
          + " spec.wireguardEnabled=true). Refused because the object has no wgguard.io/override"
          + " label. To proceed, label the object wgguard.io/override=<ticket> with a change ticket"
          + " matching ^[A-Z][A-Z0-9]*-[0-9]+$, optionally annotated"
          + " wgguard.io/override-expires=<RFC 3339 time>.";
  static final String[] AUDIT_DENIED = {
    "  audit:    decision=denied",
    "  audit:    disabled-fields=spec.wireguardEnabled",
    "  audit:    object=default",
    "  audit:    scope=cluster"
  };

  static Arguments c(String sentence, int exit, String command, String... lines) {
    return Arguments.of(sentence, exit, command, List.of(lines));
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // audit
        c(
            "the seed's cluster after the patch is healthy: every node has its key and address",
            0,
            "audit " + AUDIT + "seed-cluster.yaml",
            HEALTHY,
            WIREGUARD_V4_ON,
            "nodes: 3 ready, 0 exempt, 0 not ready",
            HEADER,
            CONTROL1,
            WORKER1,
            WORKER2),
        c(
            "the same dump as kubectl -o json prints it reads the same",
            0,
            "audit " + AUDIT + "seed-cluster.json",
            HEALTHY,
            HEADER,
            CONTROL1,
            WORKER1,
            WORKER2),
        c(
            "a Windows node in a multi-document dump is exempt, so the cluster stays healthy",
            0,
            "audit " + AUDIT + "seed-cluster-with-windows-node.yaml",
            "audit of examples/audit/seed-cluster-with-windows-node.yaml: 4 nodes, 1"
                + " FelixConfiguration (crd.projectcalico.org/v1)",
            HEALTHY,
            "nodes: 3 ready, 1 exempt, 0 not ready",
            CONTROL1,
            "win1      yes    -       IPv4      -           -                  no       yes",
            WORKER1,
            WORKER2,
            "exemptions:",
            "  win1: exempt by label node-restriction.kubernetes.io/wgguard-exempt=true"),
        c(
            "worker2 lost its key: not ready, and the checker would taint it",
            1,
            "audit " + AUDIT + "worker2-lost-key.yaml",
            NOT_READY,
            "nodes: 2 ready, 0 exempt, 1 not ready",
            "NAME      READY  REASON         FAMILIES  PUBLIC-KEY  INTERFACE-ADDRESS  TAINTED  EXEMPT",
            "worker2   no     no-public-key  IPv4      -           10.48.116.146      no       no",
            "findings:",
            "  worker2: IPv4 WireGuard is on by FelixConfiguration default (spec.wireguardEnabled),"
                + " but the node has no annotation projectcalico.org/WireguardPublicKey: Felix has"
                + " not published a key, and Calico sends traffic to this node unencrypted",
            "  worker2: module evidence 'key': no IPv4 public key is published, so Felix has not"
                + " created the WireGuard device",
            "taint changes the checker would make:",
            "  add wgguard.io/wireguard-not-ready=no-public-key:NoSchedule to worker2"),
        c(
            "worker2 cloned worker1's key: both are held not ready, and the brake holds the taints"
                + " back",
            1,
            "audit " + AUDIT + "duplicate-key.yaml",
            "posture: DEGRADED (more nodes are not ready than the safety brake allows: the checker"
                + " adds no new taint)",
            "nodes: 1 ready, 0 exempt, 2 not ready",
            "held back by the safety brake: worker1, worker2",
            "worker1   no     duplicate-public-key  IPv4      HmNsTyzg…   10.48.127.254      no    "
                + "   no",
            "worker2   no     duplicate-public-key  IPv4      HmNsTyzg…   10.48.116.146      no    "
                + "   no",
            "  worker1: IPv4 public key HmNsTyzg… is also published by worker2: a cloned key, so"
                + " every node sharing it is held not ready"),
        c(
            "with the brake off (--set), both clones would be tainted",
            1,
            "audit --set wgguard.checker.brake-fraction=1 " + AUDIT + "duplicate-key.yaml",
            NOT_READY,
            "taint changes the checker would make:",
            "  add wgguard.io/wireguard-not-ready=duplicate-public-key:NoSchedule to worker1",
            "  add wgguard.io/wireguard-not-ready=duplicate-public-key:NoSchedule to worker2"),
        c(
            "control1's key lost two characters: invalid, and it already carries the taint",
            1,
            "audit " + AUDIT + "invalid-key.yaml",
            NOT_READY,
            "control1  no     invalid-public-key  IPv4      gsxCZHLj…   10.48.115.87       yes   "
                + "   no",
            "  control1: annotation projectcalico.org/WireguardPublicKey holds"
                + " 'gsxCZHLjKBjJozxRFiKjbMB3QtVTluQDmbvQVfANmX', which is not a WireGuard public"
                + " key: it has 42 characters, not 44"),
        c(
            "WireGuard off in default: the posture says so, and the checker would only remove its"
                + " taint",
            1,
            "audit " + AUDIT + "wireguard-off.yaml",
            "posture: WIREGUARD_OFF (WireGuard is not enabled cluster-wide: pod traffic is not"
                + " encrypted)",
            "wireguard: IPv4 WireGuard is off by FelixConfiguration default"
                + " (spec.wireguardEnabled); IPv6 WireGuard is off by FelixConfiguration default"
                + " (spec.wireguardEnabledV6)",
            "worker2   yes    -       -         -           -                  yes      no",
            "  remove wgguard.io/wireguard-not-ready=no-public-key:NoSchedule from worker2"),
        c(
            "a staged rollout: default off, worker1 and zone b on; keyless worker2 is tainted",
            1,
            "audit " + AUDIT + "staged-rollout.yaml",
            NOT_READY,
            "nodes: 2 ready, 0 exempt, 1 not ready",
            "worker2   no     no-public-key  IPv4      -           -                  no       no",
            "  worker2: IPv4 WireGuard is on by FelixConfiguration wireguard-zone-b"
                + " (spec.wireguardEnabled), but the node has no annotation"
                + " projectcalico.org/WireguardPublicKey: Felix has not published a key, and Calico"
                + " sends traffic to this node unencrypted",
            "taint changes the checker would make:",
            "  add wgguard.io/wireguard-not-ready=no-public-key:NoSchedule to worker2"),

        // review --cluster: writes judged by their effect on the dump's nodes
        c(
            "in the staged rollout, removing node.worker1's true switches worker1 off",
            1,
            "review --cluster "
                + AUDIT
                + "staged-rollout.yaml --old "
                + REVIEW
                + "node-worker1-on.yaml --new "
                + REVIEW
                + "node-worker1-inherit.yaml",
            "  decision: denied",
            "  message:  FelixConfiguration \"node.worker1\" (crd.projectcalico.org) would switch"
                + " WireGuard off on node worker1: spec.wireguardEnabled=true is removed, so IPv4"
                + " pod traffic inherits again; now off on 1 of 3 nodes: worker1. Refused because"
                + " the object has no wgguard.io/override label. To proceed, label the object"
                + " wgguard.io/override=<ticket> with a change ticket matching"
                + " ^[A-Z][A-Z0-9]*-[0-9]+$, optionally annotated wgguard.io/override-expires=<RFC"
                + " 3339 time>.",
            "  audit:    judged-by=effect-on-nodes"),
        c(
            "in the staged rollout, narrowing wireguard-zone-b's selector switches worker2 off",
            1,
            "review --cluster "
                + AUDIT
                + "staged-rollout.yaml --old "
                + REVIEW
                + "zone-b.yaml --new "
                + REVIEW
                + "zone-b-narrowed.yaml",
            "  decision: denied",
            "  audit:    disabled-fields=spec.nodeSelector",
            "  audit:    judged-by=effect-on-nodes"),
        c(
            "with default on, deleting a redundant node.worker1 changes no node and is allowed",
            0,
            "review --cluster "
                + AUDIT
                + "seed-cluster.yaml --old "
                + REVIEW
                + "node-worker1-on.yaml",
            "  decision: allowed"),
        c(
            "without --cluster the same delete is judged by the object alone and refused",
            1,
            "review --old " + REVIEW + "node-worker1-on.yaml",
            "  decision: denied",
            "  audit:    judged-by=object-alone (no synced view of the cluster)"),

        // review: AdmissionReview files
        c(
            "the seed's patch, switching WireGuard on, is allowed",
            0,
            "review " + REVIEW + "update-default-enable.json",
            REVIEW + "update-default-enable.json",
            ADMIN,
            "  decision: allowed"),
        c(
            "switching it off without an override is denied, saying what, why and how",
            1,
            "review " + REVIEW + "update-default-disable.json",
            REVIEW + "update-default-disable.json",
            ADMIN,
            "  decision: denied",
            "  message:  " + REFUSED_DEFAULT_OFF,
            AUDIT_DENIED[0],
            AUDIT_DENIED[1],
            AUDIT_DENIED[2],
            AUDIT_DENIED[3]),
        c(
            "switching it off under override CHG-1042 is allowed, with a warning and audit"
                + " annotations",
            0,
            "review " + REVIEW + "update-default-disable-override.json",
            ADMIN,
            "  decision: allowed under override",
            "  warning:  WireGuard switched off cluster-wide under override CHG-1042 by"
                + " kubernetes-admin (expires 2099-01-01T00:00:00Z): spec.wireguardEnabled",
            "  audit:    disabled-fields=spec.wireguardEnabled",
            "  audit:    object=default",
            "  audit:    override-expires=2099-01-01T00:00:00Z",
            "  audit:    override-requester=kubernetes-admin",
            "  audit:    override-ticket=CHG-1042",
            "  audit:    scope=cluster"),
        c(
            "several files are each judged, and the worst exit code wins",
            1,
            "review "
                + REVIEW
                + "update-default-enable.json "
                + REVIEW
                + "update-default-disable.json "
                + REVIEW
                + "update-default-disable-override.json",
            REVIEW + "update-default-enable.json",
            "  decision: allowed",
            "",
            REVIEW + "update-default-disable.json",
            "  decision: denied",
            "",
            REVIEW + "update-default-disable-override.json",
            "  decision: allowed under override"),

        // review: old/new pairs
        c(
            "the seed's patch as an old/new pair is allowed",
            0,
            "review --old "
                + REVIEW
                + "felix-default-before.yaml --new "
                + REVIEW
                + "felix-default-on.yaml",
            "--old examples/review/felix-default-before.yaml --new"
                + " examples/review/felix-default-on.yaml",
            "  request:  UPDATE FelixConfiguration \"default\" (crd.projectcalico.org) by an"
                + " unknown user",
            "  decision: allowed"),
        c(
            "switching it off as a pair is denied with the webhook's message",
            1,
            "review --old "
                + REVIEW
                + "felix-default-on.yaml --new "
                + REVIEW
                + "felix-default-off.yaml",
            "  decision: denied",
            "  message:  " + REFUSED_DEFAULT_OFF,
            AUDIT_DENIED[0]),
        c(
            "switching it off with the override label is allowed for anyone by default",
            0,
            "review --old "
                + REVIEW
                + "felix-default-on.yaml --new "
                + REVIEW
                + "felix-default-off-override.yaml",
            "  decision: allowed under override",
            "  warning:  WireGuard switched off cluster-wide under override CHG-1042 by an unknown"
                + " user (expires 2099-01-01T00:00:00Z): spec.wireguardEnabled"),
        c(
            "with approver groups configured, alice in wgguard-approvers may use the override",
            0,
            "review --set wgguard.override.groups=wgguard-approvers --user alice --group"
                + " wgguard-approvers --old "
                + REVIEW
                + "felix-default-on.yaml --new "
                + REVIEW
                + "felix-default-off-override.yaml",
            "  request:  UPDATE FelixConfiguration \"default\" (crd.projectcalico.org) by alice"
                + " [wgguard-approvers]",
            "  decision: allowed under override",
            "  audit:    override-requester=alice"),
        c(
            "with approver groups configured, bob outside them is denied and told who may",
            1,
            "review --set wgguard.override.groups=wgguard-approvers --user bob --group"
                + " system:authenticated --old "
                + REVIEW
                + "felix-default-on.yaml --new "
                + REVIEW
                + "felix-default-off-override.yaml",
            "  decision: denied",
            "  message:  FelixConfiguration \"default\" (crd.projectcalico.org) would switch"
                + " WireGuard off cluster-wide: spec.wireguardEnabled is false: WireGuard off for"
                + " IPv4 pod traffic (was spec.wireguardEnabled=true). Refused because requester bob"
                + " is not among the approved override users or groups. To proceed, label the"
                + " object wgguard.io/override=<ticket> with a change ticket matching"
                + " ^[A-Z][A-Z0-9]*-[0-9]+$, optionally annotated wgguard.io/override-expires=<RFC"
                + " 3339 time>; only groups wgguard-approvers may use an override."),
        c(
            "--old alone is a DELETE of default, which switches WireGuard off",
            1,
            "review --old " + REVIEW + "felix-default-on.yaml",
            "  request:  DELETE FelixConfiguration \"default\" (crd.projectcalico.org) by an"
                + " unknown user",
            "  decision: denied",
            "  message:  Deleting FelixConfiguration \"default\" (crd.projectcalico.org) would"
                + " switch WireGuard off cluster-wide: deleting it removes"
                + " spec.wireguardEnabled=true (IPv4 pod traffic). Refused because the object has"
                + " no wgguard.io/override label. To proceed, label the object"
                + " wgguard.io/override=<ticket> with a change ticket matching"
                + " ^[A-Z][A-Z0-9]*-[0-9]+$ and annotate it wgguard.io/override-expires=<RFC 3339"
                + " time>, then delete it."),
        c(
            "--new alone is a CREATE; --v3 and --dry-run show in the request and the audit",
            1,
            "review --v3 --dry-run --new " + REVIEW + "felix-default-off.yaml",
            "  request:  CREATE FelixConfiguration \"default\" (projectcalico.org) by an unknown"
                + " user, dry run",
            "  decision: denied",
            "  audit:    dry-run=true"),
        c(
            "in warn mode (--set) the write passes, with the refusal as a warning",
            0,
            "review --set wgguard.admission.mode=warn --old "
                + REVIEW
                + "felix-default-on.yaml --new "
                + REVIEW
                + "felix-default-off.yaml",
            "  decision: allowed in warn mode (enforce mode refuses it)",
            "  warning:  wgguard is in warn mode; in enforce mode this write is refused: "
                + REFUSED_DEFAULT_OFF,
            "  audit:    decision=warn"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void example(String sentence, int exit, String command, List<String> lines) {
    CliRun run = CliRun.run(command.split(" "));

    assertThat(run.err()).isEmpty();
    assertThat(run.outLines()).containsSubsequence(lines);
    assertThat(run.code()).isEqualTo(exit);
  }

  @Test
  void theSeedAuditPrintsThePostureAndOneRowPerNode() {
    CliRun run = CliRun.run("audit", AUDIT + "seed-cluster.yaml");

    assertThat(run.out()).isEqualTo(SEED_AUDIT);
    assertThat(run.code()).isZero();
  }

  @Test
  void theSeedDumpGreppedLikeTheSeedShowsTheSeedsKeysAndAddresses() throws IOException {
    // The seed's check: kubectl get nodes -o yaml | grep 'kubernetes.io/hostname\|Wireguard'
    List<String> grepped =
        Files.readAllLines(Path.of(AUDIT, "seed-cluster.yaml")).stream()
            .filter(l -> l.contains("kubernetes.io/hostname") || l.contains("Wireguard"))
            .toList();

    assertThat(grepped)
        .containsExactly(
            "      projectcalico.org/IPv4WireguardInterfaceAddr: 10.48.115.87",
            "      projectcalico.org/WireguardPublicKey: gsxCZHLjKBjJozxRFiKjbMB3QtVTluQDmbvQVfANmXE=",
            "      kubernetes.io/hostname: ip-10-0-1-20.ca-central-1.compute.internal",
            "            f:kubernetes.io/hostname: {}",
            "            f:projectcalico.org/IPv4WireguardInterfaceAddr: {}",
            "            f:projectcalico.org/WireguardPublicKey: {}",
            "      projectcalico.org/IPv4WireguardInterfaceAddr: 10.48.127.254",
            "      projectcalico.org/WireguardPublicKey: HmNsTyzg7TKvs/Fh0AmA0VEgtS+Ij6xBHqvzXO5VfmA=",
            "      kubernetes.io/hostname: ip-10-0-1-30.ca-central-1.compute.internal",
            "            f:kubernetes.io/hostname: {}",
            "            f:projectcalico.org/IPv4WireguardInterfaceAddr: {}",
            "            f:projectcalico.org/WireguardPublicKey: {}",
            "      projectcalico.org/IPv4WireguardInterfaceAddr: 10.48.116.146",
            "      projectcalico.org/WireguardPublicKey: lDSws3G/G1KP76BGGRpVSXBnTt5N6FCqOodzTUUWs0I=",
            "      kubernetes.io/hostname: ip-10-0-1-31.ca-central-1.compute.internal",
            "            f:kubernetes.io/hostname: {}",
            "            f:projectcalico.org/IPv4WireguardInterfaceAddr: {}",
            "            f:projectcalico.org/WireguardPublicKey: {}");
  }

  @Test
  void everyExampleFileIsRunByACaseOrTheDemoAndListedInTheExamplesReadme() throws IOException {
    Set<String> files;
    try (Stream<Path> walk = Files.walk(Path.of("examples"))) {
      files =
          walk.filter(Files::isRegularFile)
              .map(p -> p.toString().replace('\\', '/'))
              .filter(p -> !p.endsWith("README.md"))
              .collect(Collectors.toCollection(TreeSet::new));
    }
    Set<String> used =
        cases()
            .flatMap(a -> Arrays.stream(((String) a.get()[2]).split(" ")))
            .collect(Collectors.toSet());
    String readme = Files.readString(Path.of("examples", "README.md"));

    String demo = Files.readString(Path.of("scripts", "demo.sh"));

    assertThat(files).isNotEmpty();
    assertThat(files)
        .allSatisfy(
            f -> {
              if (f.startsWith("examples/demo/")) {
                assertThat(demo).contains("$ROOT/" + f);
              } else {
                assertThat(used).contains(f);
              }
              assertThat(readme).contains(f.substring("examples/".length()));
            });
  }
}
