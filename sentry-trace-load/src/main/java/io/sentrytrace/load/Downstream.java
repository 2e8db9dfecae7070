package io.sentrytrace.load;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The service's downstream: answers {@code GET /stock?id=<trace id>} with 200 and checks that the
 * call carries the trace of the request that made it: its {@code sentry-trace} must name trace
 * {@code id} (the incoming request's, which the service passes along in the URL).
 */
final class Downstream implements AutoCloseable {
  private static final byte[] BODY = "{\"stock\":7}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final HttpServer server;
  private final ExecutorService workers;
  /** Whether calls must carry headers (false while nothing traces). */
  volatile boolean expectTrace;

  final AtomicLong calls = new AtomicLong();
  final AtomicLong missing = new AtomicLong();
  final AtomicLong mismatched = new AtomicLong();
  final AtomicLong baggageMismatched = new AtomicLong();

  Downstream(int threads) throws IOException {
    workers = Executors.newFixedThreadPool(threads, Threads.named("downstream"));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    server.createContext("/stock", this::handle);
    server.setExecutor(workers);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/stock";
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange; InputStream in = exchange.getRequestBody()) {
      in.transferTo(OutputStream.nullOutputStream());
      calls.incrementAndGet();
      if (expectTrace) check(exchange);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, BODY.length);
      exchange.getResponseBody().write(BODY);
    }
  }

  private void check(HttpExchange exchange) {
    String id = Query.param(exchange.getRequestURI().getRawQuery(), "id");
    String sentryTrace = exchange.getRequestHeaders().getFirst("sentry-trace");
    if (sentryTrace == null) {
      missing.incrementAndGet();
      return;
    }
    if (id == null || !sentryTrace.startsWith(id) || sentryTrace.length() < 33 || sentryTrace.charAt(32) != '-') {
      mismatched.incrementAndGet();
    }
    String baggage = exchange.getRequestHeaders().getFirst("baggage");
    if (baggage == null || !baggage.contains("sentry-trace_id=" + id)) baggageMismatched.incrementAndGet();
  }

  void resetCounts() {
    calls.set(0);
    missing.set(0);
    mismatched.set(0);
    baggageMismatched.set(0);
  }

  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
  }
}
