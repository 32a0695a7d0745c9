package io.wgguard.checker;

import static io.wgguard.it.KubeCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How pass requests become passes: folded, never lost, never run on an unready cache. */
class PassRequestsTest {

  final AtomicBoolean ready = new AtomicBoolean();
  final AtomicInteger passes = new AtomicInteger();
  final AtomicInteger passesOnUnready = new AtomicInteger();
  Runnable body = () -> {};
  final PassRequests requests =
      new PassRequests(
          ready::get,
          () -> {
            if (!ready.get()) {
              passesOnUnready.incrementAndGet();
            }
            body.run();
            passes.incrementAndGet();
          },
          Duration.ofMillis(20));

  @AfterEach
  void stop() {
    requests.stop();
  }

  /**
   * Every watch event of the first list asks for a pass before the cache has synced. Guards the
   * re-check in {@code PassRequests.run}: the old reconciler's pass returned on an unsynced cache
   * and the request was gone, so no pass ran until the scheduled one (AgentIT saw none in 20 s).
   */
  @Test
  void aRequestMadeBeforeTheCacheIsReadyRunsOnceItIsWithoutAnotherRequest() throws Exception {
    requests.request();
    requests.request();
    Thread.sleep(200);
    assertThat(passes.get()).as("no pass on an unready cache").isZero();

    ready.set(true);

    await(Duration.ofSeconds(30), "the pass", () -> passes.get() == 1);
    Thread.sleep(200);
    assertThat(passes.get()).as("the requests folded into one pass").isEqualTo(1);
    assertThat(passesOnUnready.get()).isZero();
  }

  @Test
  void aRequestDuringAPassGetsAPassAfterIt() throws Exception {
    ready.set(true);
    CountDownLatch inPass = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    body =
        () -> {
          if (passes.get() == 0) {
            inPass.countDown();
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    requests.request();
    assertThat(inPass.await(30, TimeUnit.SECONDS)).isTrue();

    requests.request(); // a change seen while the first pass reads the cache
    release.countDown();

    await(Duration.ofSeconds(30), "the second pass", () -> passes.get() == 2);
  }

  @Test
  void aDelayedRequestRunsAPassLater() {
    ready.set(true);

    requests.requestIn(Duration.ofMillis(100));

    await(Duration.ofSeconds(30), "the delayed pass", () -> passes.get() == 1);
  }
}
