package io.wgguard.bench;

import io.wgguard.TestHttps;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * An open-loop (fixed-rate) HTTPS load generator that does not coordinate-omit: request {@code i}
 * is due at {@code start + i / rate} whatever happened to earlier ones, and its latency is measured
 * from that intended time to the complete response, so a stall in the server (or the client) shows
 * up in every request it delayed. java.net.http over HTTP/1.1 with keep-alive: the client keeps a
 * pool of connections and opens another only while all are busy. Latencies go into an HdrHistogram
 * (HdrHistogram ships with wgguard's runtime through Micrometer).
 *
 * <p>The generator reports its own lateness (actual send minus intended time), so what the client
 * adds can be told apart from what the server takes.
 */
final class OpenLoopLoad implements AutoCloseable {

  /** What one run measured; times in nanoseconds. */
  record Result(
      String endpoint,
      double rate,
      long sent,
      long ok,
      long errors,
      Histogram latency,
      Histogram lateness,
      double seconds,
      double serverCores,
      double clientCores,
      double machineBusy,
      int connectionsHint) {

    double achieved() {
      return ok / seconds;
    }
  }

  private final ExecutorService executor;
  private final HttpClient client;

  OpenLoopLoad() {
    executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "load-response");
              t.setDaemon(true);
              return t;
            });
    client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(TestHttps.sslContext())
            .connectTimeout(Duration.ofSeconds(5))
            .executor(executor)
            .build();
  }

  /**
   * Sends {@code body} to {@code uri} at {@code rate} per second: {@code warmup} unrecorded, then
   * {@code measure} recorded. {@code serverPid} is the process whose CPU time is reported.
   */
  Result run(
      String endpoint,
      URI uri,
      byte[] body,
      double rate,
      Duration warmup,
      Duration measure,
      long serverPid) {
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    ConcurrentHistogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
    Histogram lateness = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    AtomicLong ok = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong sent = new AtomicLong();
    Phaser outstanding = new Phaser(1);
    long warmupCount = (long) (warmup.toNanos() / 1e9 * rate);
    long total = warmupCount + (long) (measure.toNanos() / 1e9 * rate);
    double interval = 1e9 / rate;
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
    double cpu0 = 0;
    double self0 = 0;
    Proc.MachineCpu machine0 = null;
    long measured0 = 0;
    for (long i = 0; i < total; i++) {
      long intended = start + (long) (i * interval);
      long now = waitUntil(intended);
      boolean record = i >= warmupCount;
      if (i == warmupCount) {
        cpu0 = Proc.cpuSeconds(serverPid);
        self0 = Proc.cpuSeconds(ProcessHandle.current().pid());
        machine0 = Proc.MachineCpu.now();
        measured0 = System.nanoTime();
      }
      if (record) {
        lateness.recordValue(Math.max(0, now - intended));
        sent.incrementAndGet();
      }
      outstanding.register();
      client
          .sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
          .whenComplete(
              (response, error) -> {
                long done = System.nanoTime();
                try {
                  if (record) {
                    if (error == null
                        && response.statusCode() == 200
                        && new String(response.body(), StandardCharsets.UTF_8)
                            .contains("\"response\"")) {
                      latency.recordValue(done - intended);
                      ok.incrementAndGet();
                    } else {
                      errors.incrementAndGet();
                    }
                  }
                } finally {
                  outstanding.arriveAndDeregister();
                }
              });
    }
    long measured1 = System.nanoTime();
    double cpu1 = Proc.cpuSeconds(serverPid);
    double self1 = Proc.cpuSeconds(ProcessHandle.current().pid());
    Proc.MachineCpu machine1 = Proc.MachineCpu.now();
    try {
      outstanding.awaitAdvanceInterruptibly(outstanding.arrive(), 30, TimeUnit.SECONDS);
    } catch (Exception e) {
      errors.addAndGet(sent.get() - ok.get() - errors.get());
    }
    double seconds = (measured1 - measured0) / 1e9;
    return new Result(
        endpoint,
        rate,
        sent.get(),
        ok.get(),
        errors.get(),
        latency,
        lateness,
        seconds,
        (cpu1 - cpu0) / seconds,
        (self1 - self0) / seconds,
        machine1.busySince(machine0),
        0);
  }

  /** Parks until shortly before {@code deadline}, then spins the last few microseconds. */
  private static long waitUntil(long deadline) {
    long now = System.nanoTime();
    while (deadline - now > 60_000) {
      LockSupport.parkNanos(deadline - now - 55_000);
      now = System.nanoTime();
    }
    while (deadline - now > 0) {
      Thread.onSpinWait();
      now = System.nanoTime();
    }
    return now;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
