package io.wgguard.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.wgguard.Names;
import io.wgguard.felix.IpFamily;
import io.wgguard.readiness.TunnelPolicy;
import io.wgguard.readiness.TunnelSummary;
import io.wgguard.readiness.TunnelSummary.Device;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Reads each mesh member's real device ({@code wg show <iface> dump}) into the {@link
 * TunnelSummary} the node agent publishes, and publishes it on the member's Node every second, as
 * the agent's {@code device} source does. It stands in for the agent in {@link TunnelsIT} until the
 * agent reads devices itself: the facts (keys, peers, handshakes, transfer counters) are the real
 * devices'.
 *
 * <p>A peer counts as stale when its transmitted bytes grew within the last {@link #SENT_WINDOW}
 * (traffic was sent: WireGuard retries a handshake every 5 s while traffic waits) and its latest
 * handshake is absent or older than WireGuard's reject time.
 */
final class DeviceSummaries implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final NamespaceMesh mesh;
  private final KubernetesClient client;

  /** How recent a growth of a peer's transmitted bytes counts as "traffic was sent". */
  static final Duration SENT_WINDOW = Duration.ofSeconds(30);

  private record Sent(long tx, Instant grew) {}

  private final Map<String, Map<String, Sent>> previousTx = new HashMap<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "device-summaries");
            thread.setDaemon(true);
            return thread;
          });

  private DeviceSummaries(NamespaceMesh mesh, KubernetesClient client) {
    this.mesh = mesh;
    this.client = client;
  }

  /** Starts publishing every second. */
  static DeviceSummaries start(NamespaceMesh mesh, KubernetesClient client) {
    DeviceSummaries summaries = new DeviceSummaries(mesh, client);
    summaries.timer.scheduleWithFixedDelay(summaries::publishAll, 0, 1, TimeUnit.SECONDS);
    return summaries;
  }

  private void publishAll() {
    for (NamespaceMesh.Member member : mesh.members()) {
      try {
        ObjectNode patch = JSON.createObjectNode();
        patch
            .putObject("metadata")
            .putObject("annotations")
            .put(Names.TUNNELS_ANNOTATION, read(member).toJson());
        client
            .nodes()
            .withName(member.node())
            .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
      } catch (RuntimeException e) {
        // the next round retries; a test waiting for a finding times out with its own message
      }
    }
  }

  /** One reading of the member's device. */
  TunnelSummary read(NamespaceMesh.Member member) {
    Instant now = Instant.now();
    NamespaceMesh.Result dump = mesh.dump(member);
    if (!dump.ok()) {
      return new TunnelSummary(now, "device", Map.of(IpFamily.V4, Device.missing(member.iface())));
    }
    String[] lines = dump.out().strip().split("\n");
    String[] self = lines[0].split("\t");
    List<String> peers = new ArrayList<>();
    List<String> stale = new ArrayList<>();
    int staleCount = 0;
    Map<String, Sent> previous = previousTx.computeIfAbsent(member.node(), n -> new HashMap<>());
    for (int i = 1; i < lines.length; i++) {
      String[] f = lines[i].split("\t");
      String key = f[0];
      long handshake = Long.parseLong(f[4]);
      long tx = Long.parseLong(f[6]);
      peers.add(key);
      Sent last = previous.getOrDefault(key, new Sent(0, null));
      Sent current = tx > last.tx() ? new Sent(tx, now) : last;
      previous.put(key, current);
      boolean sent =
          current.grew() != null
              && Duration.between(current.grew(), now).compareTo(SENT_WINDOW) < 0;
      boolean old =
          handshake == 0
              || Duration.between(Instant.ofEpochSecond(handshake), now)
                      .compareTo(TunnelPolicy.REJECT_AFTER)
                  > 0;
      if (sent && old) {
        staleCount++;
        if (stale.size() < TunnelSummary.MAX_NAMED_PEERS) {
          stale.add(key.substring(0, TunnelSummary.PEER_NAME_LENGTH));
        }
      }
    }
    Device device =
        new Device(
            member.iface(),
            true,
            self[1],
            Integer.parseInt(self[2]),
            peers.size(),
            TunnelSummary.peerDigest(peers),
            staleCount,
            stale);
    return new TunnelSummary(now, "device", Map.of(IpFamily.V4, device));
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
