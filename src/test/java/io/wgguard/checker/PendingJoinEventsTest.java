package io.wgguard.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.wgguard.felix.IpFamily;
import io.wgguard.pass.Departure;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which joins wait for the writer's Event: those of a replica's first pass, run before it took the
 * lease (JoinIT {@code aNodeThatJoinedWhileWgguardWasDownIsNamedByItsFirstPass} on a real API
 * server).
 */
class PendingJoinEventsTest {

  static final Departure WORKER3_JOINED = joined("worker3");
  static final Departure WORKER4_JOINED = joined("worker4");
  static final Departure WORKER1_RELABELLED =
      new Departure(
          "worker1", Set.of(IpFamily.V4), Departure.Cause.LABELS, "worker1 relabelled off");

  final PendingJoinEvents pending = new PendingJoinEvents();

  static Departure joined(String node) {
    return new Departure(
        node, Set.of(IpFamily.V4), Departure.Cause.JOINED, node + " joined with WireGuard off");
  }

  @Test
  void theFirstPassJoinsOfAReplicaNotWritingYetAreRecordedAtItsFirstPassAsTheWriter() {
    pending.keep(List.of(WORKER4_JOINED, WORKER1_RELABELLED, WORKER3_JOINED), true, false);

    assertThat(pending.any()).isTrue();
    assertThat(pending.release(Set.of("worker1", "worker3", "worker4")))
        .as("the joins, by node; a departure of another cause is the writer's own business")
        .containsExactly(WORKER3_JOINED, WORKER4_JOINED);
    assertThat(pending.any()).as("each is recorded once").isFalse();
    assertThat(pending.release(Set.of("worker3", "worker4"))).isEmpty();
  }

  @Test
  void aJoinOfALaterPassIsTheWritersToRecord() {
    pending.keep(List.of(WORKER3_JOINED), false, false);

    assertThat(pending.any()).isFalse();
  }

  @Test
  void aFirstPassThatRecordedItsJoinsLeavesNoneWaiting() {
    pending.keep(List.of(WORKER3_JOINED), true, true);

    assertThat(pending.any()).isFalse();
  }

  @Test
  void aNodeGoneBeforeTheReplicaWritesGetsNoEvent() {
    pending.keep(List.of(WORKER3_JOINED, WORKER4_JOINED), true, false);

    assertThat(pending.release(Set.of("worker4"))).containsExactly(WORKER4_JOINED);
    assertThat(pending.any()).isFalse();
  }
}
