package io.wgguard.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stream {@code /status} is written through, on a real Vert.x server: written from a worker
 * thread, every byte arrives in order across chunk boundaries; a client that goes away ends the
 * writer with an IOException instead of leaving it waiting for a drain that never comes.
 */
class ChunkedResponseStreamTest {

  Vertx vertx;
  HttpServer server;
  volatile Consumer<ChunkedResponseStream> writer;
  final CompletableFuture<Throwable> outcome = new CompletableFuture<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                request ->
                    vertx.executeBlocking(
                        () -> {
                          request.response().setChunked(true);
                          try (ChunkedResponseStream out =
                              new ChunkedResponseStream(request.response())) {
                            writer.accept(out);
                            out.flush();
                            request.response().end();
                            outcome.complete(null);
                          } catch (Throwable e) {
                            outcome.complete(e);
                          }
                          return null;
                        },
                        false))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.actualPort() + "/");
  }

  @Test
  void everyByteArrivesInOrderAcrossChunks() throws Exception {
    int size = 3 * ChunkedResponseStream.CHUNK + 17;
    writer =
        out -> {
          try {
            out.write('[');
            byte[] block = new byte[1000];
            for (int written = 1; written < size; ) {
              int n = Math.min(block.length, size - written);
              for (int i = 0; i < n; i++) {
                block[i] = (byte) ('a' + (written + i) % 26);
              }
              out.write(block, 0, n);
              written += n;
            }
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        };

    HttpResponse<byte[]> response =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(uri()).build(), HttpResponse.BodyHandlers.ofByteArray());

    byte[] body = response.body();
    assertThat(body).hasSize(size);
    assertThat(body[0]).isEqualTo((byte) '[');
    for (int i = 1; i < size; i++) {
      assertThat(body[i]).as("byte %d", i).isEqualTo((byte) ('a' + i % 26));
    }
    assertThat(outcome.get(30, TimeUnit.SECONDS)).isNull();
  }

  /** Guards the {@code response.closed()} checks: without them the writer waits for a drain. */
  @Test
  void aClientThatGoesAwayEndsTheWriterWithAnIoException() throws Exception {
    byte[] block = new byte[ChunkedResponseStream.CHUNK];
    writer =
        out -> {
          try {
            for (int i = 0; i < 100_000; i++) { // 6 GB: far more than any socket buffers
              out.write(block);
            }
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        };

    HttpResponse<InputStream> response =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .build()
            .send(HttpRequest.newBuilder(uri()).build(), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      assertThat(in.readNBytes(1000)).hasSize(1000);
    } // closed after 1,000 bytes

    Throwable ended = outcome.get(30, TimeUnit.SECONDS); // under the 60 s drain timeout
    assertThat(ended).isInstanceOf(IllegalStateException.class);
    assertThat(ended.getCause()).isInstanceOf(IOException.class);
  }
}
