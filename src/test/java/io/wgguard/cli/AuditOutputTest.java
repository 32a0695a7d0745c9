package io.wgguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wgguard.felix.IpFamily;
import io.wgguard.tunnels.summary.TunnelSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
        "overrides": [],
        "faults": [],
        "heldRemovals": "",
        "departures": [],
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
            "name": "control1", "ready": true, "reason": null, "exempt": false, "exemption": null,
            "families": ["IPv4"], "keyFingerprints": {"IPv4": "gsxCZHLj…"},
            "interfaceAddresses": {"IPv4": "10.48.115.87"},
            "tainted": false, "taints": [], "findings": []
          },
          {
            "name": "worker1", "ready": true, "reason": null, "exempt": false, "exemption": null,
            "families": ["IPv4"], "keyFingerprints": {"IPv4": "HmNsTyzg…"},
            "interfaceAddresses": {"IPv4": "10.48.127.254"},
            "tainted": false, "taints": [], "findings": []
          },
          {
            "name": "worker2", "ready": false, "reason": "no-public-key", "exempt": false, "exemption": null,
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

  /**
   * Two nodes whose agents publish tunnel summaries; worker1's handshake with control1 is stale.
   */
  static String tunnelDump() {
    ObjectNode list = JSON.createObjectNode();
    list.put("apiVersion", "v1").put("kind", "List");
    var items = list.putArray("items");
    ObjectNode felix = items.addObject();
    felix.put("apiVersion", "crd.projectcalico.org/v1").put("kind", "FelixConfiguration");
    felix.putObject("metadata").put("name", "default");
    felix.putObject("spec").put("wireguardEnabled", true);
    String control1 = "gsxCZHLjKBjJozxRFiKjbMB3QtVTluQDmbvQVfANmXE=";
    String worker1 = "HmNsTyzg7TKvs/Fh0AmA0VEgtS+Ij6xBHqvzXO5VfmA=";
    String[][] nodes = {
      {"control1", control1, "10.48.115.87", worker1, ""},
      {"worker1", worker1, "10.48.127.254", control1, "gsxCZHLj"}
    };
    for (String[] n : nodes) {
      ObjectNode node = items.addObject();
      node.put("apiVersion", "v1").put("kind", "Node");
      ObjectNode metadata = node.putObject("metadata").put("name", n[0]);
      List<String> stale = n[4].isEmpty() ? List.of() : List.of(n[4]);
      metadata
          .putObject("annotations")
          .put("projectcalico.org/WireguardPublicKey", n[1])
          .put("projectcalico.org/IPv4WireguardInterfaceAddr", n[2])
          .put(
              "wgguard.io/tunnels",
              new TunnelSummary(
                      CliRun.NOW.minusSeconds(20),
                      "device",
                      Map.of(
                          IpFamily.V4,
                          new TunnelSummary.Device(
                              "wireguard.cali",
                              true,
                              n[1],
                              51820,
                              1,
                              TunnelSummary.peerDigest(List.of(n[3])),
                              stale.size(),
                              stale)))
                  .toJson());
    }
    return list.toString();
  }

  @Test
  void theTextReportGivesMeshCoverageAndTunnelFindings() {
    CliRun run = CliRun.withStdin(tunnelDump(), "audit", "-");

    assertThat(run.outLines())
        .contains(
            "tunnels: mesh coverage 50.0% (1 of 2 node pairs proven), findings reported, not"
                + " tainted (tunnel-evidence report)",
            "tunnel findings:",
            "  worker1: handshake-stale: traffic was sent to 1 peer of IPv4 device wireguard.cali"
                + " with no handshake within 3m: control1 (gsxCZHLj…); the tunnel is configured but"
                + " carries nothing (endpoint, blocked UDP, MTU)");
    assertThat(run.code()).isZero();
  }

  @Test
  void enforcedTheStaleHandshakeMakesTheNodeNotReady() throws IOException {
    CliRun run =
        CliRun.withStdin(
            tunnelDump(),
            "audit",
            "-o",
            "json",
            "--set",
            "wgguard.checker.tunnel-evidence=enforce",
            "-");

    JsonNode document = JSON.readTree(run.out());
    assertThat(document.path("tunnels").toString())
        .isEqualTo(
            "{\"collected\":true,\"evidence\":\"enforce\",\"coverage\":0.5,\"pairsExpected\":2,"
                + "\"pairsHealthy\":1,\"nodesByReason\":{\"handshake-stale\":1}}");
    assertThat(document.path("nodes").get(1).path("reason").asText()).isEqualTo("handshake-stale");
    assertThat(document.path("nodes").get(1).path("tunnels").path("reasons").toString())
        .isEqualTo("[\"handshake-stale\"]");
    assertThat(run.code()).isEqualTo(Cli.EXIT_NEGATIVE);
  }

  private static String dump(String extension) {
    return "examples/audit/seed-cluster." + extension;
  }
}
