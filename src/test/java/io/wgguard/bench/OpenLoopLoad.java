package io.wgguard.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import io.wgguard.it.WgguardProcess;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * An open-loop (fixed-rate) HTTPS load generator that does not coordinate-omit: request {@code i}
 * is due at {@code start + i / rate} whatever happened to earlier ones, and its latency is measured
 * from that intended time to the complete response, so a stall in the server (or the client) shows
 * up in every request it delayed. A sender thread keeps the schedule; a Vert.x HTTP/1.1 client on
 * one event loop, with a pool of keep-alive connections, sends and receives (opening another
 * connection only while all are busy). Latencies go into an HdrHistogram.
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
      Map<String, Long> errorCauses,
      Histogram[] bySecond) {

    double achieved() {
      return ok / seconds;
    }

    /**
     * The latencies of the requests due in seconds {@code from} (inclusive) to {@code to}
     * (exclusive) of the measured part.
     */
    Histogram seconds(int from, int to) {
      Histogram merged = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
      for (int s = Math.max(0, from); s < Math.min(to, bySecond.length); s++) {
        merged.add(bySecond[s]);
      }
      return merged;
    }
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final Context context;

  OpenLoopLoad(int connections) {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setSsl(true)
                .setTrustOptions(
                    new PemTrustOptions()
                        .addCertPath(WgguardProcess.TEST_TLS.resolve("ca.crt").toString()))
                .setVerifyHost(true)
                .setKeepAlive(true)
                .setConnectTimeout(5000),
            new PoolOptions().setHttp1MaxSize(connections));
    context = vertx.getOrCreateContext();
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
    Buffer payload = Buffer.buffer(body);
    RequestOptions request =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setAbsoluteURI(uri.toString())
            .putHeader("Content-Type", "application/json")
            .setTimeout(10_000);
    Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    Histogram lateness = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    AtomicLong ok = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong completed = new AtomicLong();
    Map<String, AtomicLong> causes = new ConcurrentHashMap<>();
    long warmupCount = (long) (warmup.toNanos() / 1e9 * rate);
    long total = warmupCount + (long) (measure.toNanos() / 1e9 * rate);
    double interval = 1e9 / rate;
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
    long measureStart = start + (long) (warmupCount * interval);
    Histogram[] bySecond = new Histogram[(int) measure.toSeconds() + 1];
    for (int s = 0; s < bySecond.length; s++) {
      bySecond[s] = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    }
    double cpu0 = 0;
    double self0 = 0;
    Proc.MachineCpu machine0 = null;
    long measured0 = 0;
    long sent = 0;
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
        sent++;
      }
      // Sent from the client's one event-loop context: Vert.x clients are meant to be driven from
      // their context (called from a foreign thread, some requests were never answered).
      Histogram second =
          record
              ? bySecond[
                  (int) Math.min(bySecond.length - 1, (intended - measureStart) / 1_000_000_000L)]
              : null;
      context.runOnContext(
          ignored ->
              send(
                  request, payload, record, intended, latency, second, ok, errors, causes,
                  completed));
    }
    long measured1 = System.nanoTime();
    double cpu1 = Proc.cpuSeconds(serverPid);
    double self1 = Proc.cpuSeconds(ProcessHandle.current().pid());
    Proc.MachineCpu machine1 = Proc.MachineCpu.now();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (completed.get() < total && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    long lost = sent - ok.get() - errors.get();
    if (lost != 0 || completed.get() != total) {
      System.err.printf(
          "bench: %s: %d of %d requests answered; %d measured ones unanswered%n",
          endpoint, completed.get(), total, lost);
    }
    double seconds = (measured1 - measured0) / 1e9;
    return new Result(
        endpoint,
        rate,
        sent,
        ok.get(),
        errors.get() + Math.max(0, lost),
        latency,
        lateness,
        seconds,
        (cpu1 - cpu0) / seconds,
        (self1 - self0) / seconds,
        machine1.busySince(machine0),
        causes.entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get())),
        bySecond);
  }

  private void send(
      RequestOptions request,
      Buffer payload,
      boolean record,
      long intended,
      Histogram latency,
      Histogram second,
      AtomicLong ok,
      AtomicLong errors,
      Map<String, AtomicLong> causes,
      AtomicLong completed) {
    client
        .request(request)
        .compose(r -> r.send(payload))
        .compose(
            response ->
                response.statusCode() == 200
                    ? response.body()
                    : Future.failedFuture("HTTP " + response.statusCode()))
        .onComplete(
            answer -> {
              long done = System.nanoTime();
              if (record) {
                if (answer.succeeded() && answer.result().toString().contains("\"response\"")) {
                  latency.recordValue(done - intended);
                  second.recordValue(done - intended);
                  ok.incrementAndGet();
                } else {
                  errors.incrementAndGet();
                  String cause =
                      answer.succeeded()
                          ? "200 without a response"
                          : String.valueOf(answer.cause().getMessage());
                  causes.computeIfAbsent(cause, c -> new AtomicLong()).incrementAndGet();
                }
              }
              completed.incrementAndGet();
            });
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
    client.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }
}
