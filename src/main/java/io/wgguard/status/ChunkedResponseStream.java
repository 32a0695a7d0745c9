package io.wgguard.status;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An {@link OutputStream} over a chunked Vert.x response, for a worker thread: bytes go out in
 * chunks of {@value #CHUNK} bytes, and when the connection's write queue is full the writer waits
 * for it to drain, so a slow client holds a few chunks in memory, not the whole document. Not for
 * the event loop (it blocks). Does not end the response.
 */
final class ChunkedResponseStream extends OutputStream {

  /**
   * Bytes per chunk: under Netty's default high-water mark of 64 KiB, so one chunk never fills it.
   */
  static final int CHUNK = 16 * 1024;

  /** How long a client may take to drain the write queue before the response is given up. */
  private static final long DRAIN_TIMEOUT_SECONDS = 60;

  private final HttpServerResponse response;
  private final byte[] buffer = new byte[CHUNK];
  private int used;

  ChunkedResponseStream(HttpServerResponse response) {
    this.response = response;
  }

  @Override
  public void write(int b) throws IOException {
    if (used == buffer.length) {
      flush();
    }
    buffer[used++] = (byte) b;
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    while (length > 0) {
      if (used == buffer.length) {
        flush();
      }
      int n = Math.min(length, buffer.length - used);
      System.arraycopy(bytes, offset, buffer, used, n);
      used += n;
      offset += n;
      length -= n;
    }
  }

  @Override
  public void flush() throws IOException {
    if (used == 0) {
      return;
    }
    if (response.closed()) {
      throw new IOException("the client closed the connection");
    }
    response.write(Buffer.buffer(used).appendBytes(buffer, 0, used));
    used = 0;
    awaitDrain();
  }

  private void awaitDrain() throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_TIMEOUT_SECONDS);
    while (response.writeQueueFull()) {
      if (response.closed()) {
        throw new IOException("the client closed the connection");
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "the client read nothing for " + DRAIN_TIMEOUT_SECONDS + " s: response given up");
      }
      CountDownLatch drained = new CountDownLatch(1);
      response.drainHandler(ignored -> drained.countDown());
      if (!response.writeQueueFull()) {
        return; // drained before the handler was set
      }
      try {
        drained.await(100, TimeUnit.MILLISECONDS); // bounded: closed() is checked again
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while the client read", e);
      }
    }
  }

  @Override
  public void close() throws IOException {
    flush();
  }
}
