package io.wgguard.it;

import static io.wgguard.it.SeedNodes.KEY_ANNOTATION;
import static io.wgguard.it.SeedNodes.annotate;
import static io.wgguard.it.SeedNodes.taints;
import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.it.KubeCluster.User;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas, the taint writer killed with SIGKILL (no lease release): the other one takes over
 * once the lease expires, and at no time do both write.
 */
class LeaderFailoverIT {

  static final String TAINT = "wgguard.io/wireguard-not-ready";
  static final Duration GENEROUS = Duration.ofMinutes(3);
  static final Pattern WRITE =
      Pattern.compile(
          "(add|replace|remove) wgguard\\.io/wireguard-not-ready\\S* .*(to|on|from) \\w+");

  KubeCluster cluster;
  WgguardProcess a;
  WgguardProcess b;

  @BeforeEach
  void twoReplicas() throws Exception {
    cluster = KubeCluster.startSeedCluster();
    // Two of three nodes not ready is over the default brake; this test is about the writer.
    Map<String, String> props =
        Map.of("wgguard.checker.interval", "2s", "wgguard.checker.brake-fraction", "0.7");
    a = WgguardProcess.start("leader-failover-a", cluster.kubeconfig(User.ADMIN), props);
    b = WgguardProcess.start("leader-failover-b", cluster.kubeconfig(User.ADMIN), props);
  }

  @AfterEach
  void stop() {
    KubeCluster.closeAll(a, b, cluster);
  }

  @Test
  void theOtherReplicaWritesAfterTheLeaderIsKilledAndNeverBothWrite() {
    KubeCluster.await(GENEROUS, "one taint writer", () -> writer(a) || writer(b));
    WgguardProcess leader = writer(a) ? a : b;
    WgguardProcess other = leader == a ? b : a;
    assertThat(writer(other)).as("never two taint writers").isFalse();

    annotate(cluster.admin(), "worker2", KEY_ANNOTATION, null);
    KubeCluster.await(
        GENEROUS,
        "worker2 tainted",
        () -> taints(cluster.admin(), "worker2").contains(TAINT + "=no-public-key:NoSchedule"));
    // Both replicas see worker2 not ready; only the writer wrote.
    KubeCluster.await(
        GENEROUS,
        "the other replica to see worker2",
        () -> other.statusRow("worker2").path("tainted").asBoolean());
    assertThat(writes(leader)).as(leader.log()).isEqualTo(1);
    assertThat(writes(other)).as(other.log()).isZero();
    assertThat(changes(other)).isZero();

    ProcessHandle.of(leader.pid()).orElseThrow().destroyForcibly(); // SIGKILL: the lease stays
    ProcessHandle.of(leader.pid())
        .ifPresent(p -> p.onExit().orTimeout(60, TimeUnit.SECONDS).join());
    long killed = System.nanoTime();
    annotate(cluster.admin(), "worker1", KEY_ANNOTATION, null);

    KubeCluster.await(
        GENEROUS,
        "worker1 tainted by the other replica",
        () -> taints(cluster.admin(), "worker1").contains(TAINT + "=no-public-key:NoSchedule"));
    Duration takeover = Duration.ofNanos(System.nanoTime() - killed);

    assertThat(writer(other)).isTrue();
    assertThat(writes(other)).as(other.log()).isEqualTo(1);
    assertThat(writes(leader)).as("the killed writer wrote once, before it died").isEqualTo(1);
    assertThat(taints(cluster.admin(), "worker2"))
        .filteredOn(t -> t.startsWith(TAINT))
        .containsExactly(TAINT + "=no-public-key:NoSchedule");
    // The lease (15 s) expires, the other replica's next try (every 2 s) takes it, its pass
    // writes: well inside the lease duration plus one retry, given room for a busy machine.
    assertThat(takeover).as(other.log()).isLessThan(Duration.ofSeconds(45));
    System.out.printf("taint writer takeover after SIGKILL: %d ms%n", takeover.toMillis());
  }

  static boolean writer(WgguardProcess wgguard) {
    try {
      return wgguard.isAlive() && wgguard.status().path("taintWriter").asBoolean();
    } catch (RuntimeException notYet) {
      return false;
    }
  }

  /** Taint writes the replica logged. */
  static long writes(WgguardProcess wgguard) {
    return wgguard.log().lines().filter(l -> WRITE.matcher(l).find()).count();
  }

  static int changes(WgguardProcess wgguard) {
    String metrics = wgguard.get("/q/metrics").body();
    int sum = 0;
    Matcher m = Pattern.compile("wgguard_taint_changes_total\\{[^}]*} ([0-9.]+)").matcher(metrics);
    while (m.find()) {
      sum += (int) Double.parseDouble(m.group(1));
    }
    return sum;
  }
}
