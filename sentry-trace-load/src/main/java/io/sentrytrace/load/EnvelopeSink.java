package io.sentrytrace.load;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback Sentry: answers POST /api/&lt;id&gt;/envelope/ with 200, or misbehaves as {@link #mode}
 * says. Counts envelopes per SDK (sentry-java's {@code sentry_client} starts with {@code sentry.java}).
 */
final class EnvelopeSink implements AutoCloseable {
  enum Mode { OK, STALL, ERROR_500, RATE_LIMIT_429, DOWN }

  private final int port;
  static final String THREAD_PREFIX = "sink-";
  private final ExecutorService workers = Executors.newFixedThreadPool(4, Threads.named("sink"));
  private HttpServer server;
  private volatile Mode mode = Mode.OK;
  /** When the current stall ends; requests arriving in a stall are held until then. */
  private volatile long stallUntilNanos;

  final AtomicLong acceptedOurs = new AtomicLong();
  final AtomicLong acceptedSentryJava = new AtomicLong();
  final AtomicLong rejected = new AtomicLong();
  final AtomicLong bytes = new AtomicLong();

  EnvelopeSink() throws IOException {
    server = start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    port = server.getAddress().getPort();
  }

  private HttpServer start(InetSocketAddress address) throws IOException {
    HttpServer s = HttpServer.create(address, 128);
    s.createContext("/api/", this::handle);
    s.setExecutor(workers);
    s.start();
    return s;
  }

  String dsn() {
    return "http://5d0e7c6b1f1d4b7f9c4e2a1b3c5d7e9f@127.0.0.1:" + port + "/1";
  }

  Mode mode() {
    return mode;
  }

  /** Switches the behaviour; DOWN stops the server (connections refused), leaving DOWN starts it on the same port. */
  synchronized void mode(Mode next, long stallNanos) throws IOException, InterruptedException {
    Mode previous = mode;
    if (next == previous) return;
    if (next == Mode.STALL) stallUntilNanos = System.nanoTime() + stallNanos;
    if (next == Mode.DOWN) {
      mode = next;
      server.stop(0);
      return;
    }
    if (previous == Mode.DOWN) {
      // Same port again; the old socket may linger for a moment.
      for (int attempt = 0; ; attempt++) {
        try {
          server = start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
          break;
        } catch (BindException e) {
          if (attempt > 100) throw e;
          Thread.sleep(20);
        }
      }
    }
    mode = next;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange; InputStream in = exchange.getRequestBody()) {
      long n = in.transferTo(java.io.OutputStream.nullOutputStream());
      if (!"POST".equals(exchange.getRequestMethod()) || !exchange.getRequestURI().getPath().endsWith("/envelope/")) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      Mode m = mode;
      if (m == Mode.STALL) {
        long wait = stallUntilNanos - System.nanoTime();
        if (wait > 0) {
          try {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      } else if (m == Mode.ERROR_500) {
        rejected.incrementAndGet();
        exchange.sendResponseHeaders(500, -1);
        return;
      } else if (m == Mode.RATE_LIMIT_429) {
        rejected.incrementAndGet();
        exchange.getResponseHeaders().set("Retry-After", "1");
        exchange.sendResponseHeaders(429, -1);
        return;
      }
      bytes.addAndGet(n);
      String auth = exchange.getRequestHeaders().getFirst("X-Sentry-Auth");
      if (auth != null && auth.contains("sentry_client=sentry.java")) acceptedSentryJava.incrementAndGet();
      else acceptedOurs.incrementAndGet();
      exchange.sendResponseHeaders(200, -1);
    }
  }

  @Override
  public synchronized void close() {
    if (mode != Mode.DOWN) server.stop(0);
    workers.shutdownNow();
  }
}
