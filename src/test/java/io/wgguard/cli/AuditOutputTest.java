package io.wgguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The JSON document of {@code audit --output json}, and the ways a dump reaches the command. */
class AuditOutputTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String LOST_KEY = "examples/audit/worker2-lost-key.yaml";

  static final String LOST_KEY_DOCUMENT =
      """
      {
        "schema": 1,
        "source": "examples/audit/worker2-lost-key.yaml",
        "assessedAt": "2026-11-25T12:00:00Z",
        "posture": "NODES_NOT_READY",
        "healthy": false,
        "summary": "NODES_NOT_READY: WireGuard (IPv4) is enabled cluster-wide and 1 of 3 non-exempt nodes is not ready; nodes: 2 ready, 0 exempt, 1 not ready; no-public-key: worker2; taint changes: 1 add",
        "felixApiVersion": "crd.projectcalico.org/v1",
        "clusterFamilies": ["IPv4"],
        "wireguard": {
          "IPv4": {"enabled": true, "level": "DEFAULT", "object": "default", "source": "spec.wireguardEnabled"},
          "IPv6": {"enabled": false, "level": "DEFAULT", "object": "default", "source": "spec.wireguardEnabledV6"}
        },
        "brakeEngaged": false,
        "counts": {"ready": 2, "exempt": 0, "not-ready": 1},
        "withheld": [],
        "problems": [],
        "notes": [],
        "pendingChanges": ["add wgguard.io/wireguard-not-ready=no-public-key:NoSchedule to worker2"],
        "tunnels": {
          "collected": false, "evidence": "report", "coverage": 1.0,
          "pairsExpected": 0, "pairsHealthy": 0, "nodesByReason": {}
        },
        "nodes": [
          {
            "name": "control1", "ready": true, "reason": null, "exempt": false,
            "families": ["IPv4"], "keyFingerprints": {"IPv4": "gsxCZHLj…"},
            "interfaceAddresses": {"IPv4": "10.48.115.87"},
            "tainted": false, "taints": [], "findings": []
          },
          {
            "name": "worker1", "ready": true, "reason": null, "exempt": false,
            "families": ["IPv4"], "keyFingerprints": {"IPv4": "HmNsTyzg…"},
            "interfaceAddresses": {"IPv4": "10.48.127.254"},
            "tainted": false, "taints": [], "findings": []
          },
          {
            "name": "worker2", "ready": false, "reason": "no-public-key", "exempt": false,
            "families": ["IPv4"], "keyFingerprints": {},
            "interfaceAddresses": {"IPv4": "10.48.116.146"},
            "tainted": false, "taints": [],
            "findings": [
              "IPv4 WireGuard is on by FelixConfiguration default (spec.wireguardEnabled), but the node has no annotation projectcalico.org/WireguardPublicKey: Felix has not published a key, and Calico sends traffic to this node unencrypted",
              "module evidence 'key': no IPv4 public key is published, so Felix has not created the WireGuard device"
            ]
          }
        ]
      }
      """;

  @Test
  void theJsonDocumentHoldsThePostureAndEveryNodeRow() throws IOException {
    CliRun run = CliRun.run("audit", "--output", "json", LOST_KEY);

    assertThat(JSON.readTree(run.out())).isEqualTo(JSON.readTree(LOST_KEY_DOCUMENT));
    assertThat(run.err()).isEmpty();
    assertThat(run.code()).isEqualTo(Cli.EXIT_NEGATIVE);
  }

  @Test
  void theJsonDocumentIsAsciiSoAnyTerminalShowsTheSameBytes() {
    CliRun run = CliRun.run("audit", "-o", "json", LOST_KEY);

    assertThat(run.out()).contains("\"gsxCZHLj\\u2026\"").matches("\\p{ASCII}*");
  }

  @Test
  void theYamlAndJsonDumpsOfTheSeedGiveTheSameDocument() throws IOException {
    JsonNode yaml = JSON.readTree(CliRun.run("audit", "-o", "json", dump("yaml")).out());
    JsonNode json = JSON.readTree(CliRun.run("audit", "-o", "json", dump("json")).out());

    ((ObjectNode) yaml).remove("source");
    ((ObjectNode) json).remove("source");
    assertThat(json).isEqualTo(yaml);
    assertThat(yaml.get("posture").asText()).isEqualTo("HEALTHY");
  }

  static Stream<Arguments> stdin() {
    return Stream.of(
        Arguments.of("'-' reads the dump from standard input", new String[] {"audit", "-"}),
        Arguments.of("no FILE reads it from standard input too", new String[] {"audit"}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stdin")
  void aDumpPipedIn(String sentence, String[] args) throws IOException {
    CliRun run = CliRun.withStdin(Files.readString(Path.of(dump("yaml"))), args);

    assertThat(run.outLines())
        .startsWith(
            "audit of standard input: 3 nodes, 1 FelixConfiguration (crd.projectcalico.org/v1)",
            ExamplesTest.HEALTHY);
    assertThat(run.code()).isZero();
  }

  private static String dump(String extension) {
    return "examples/audit/seed-cluster." + extension;
  }
}
