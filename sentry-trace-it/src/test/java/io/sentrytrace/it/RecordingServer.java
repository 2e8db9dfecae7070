package io.sentrytrace.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/** A downstream service on 127.0.0.1 (a JDK HttpServer) that answers 200 and keeps the trace headers it got. */
final class RecordingServer implements AutoCloseable {
  /** The trace headers of one received request, each as all its lines (none: empty list). */
  static final class Received {
    final String path;
    final List<String> sentryTrace;
    final List<String> baggage;

    Received(String path, List<String> sentryTrace, List<String> baggage) {
      this.path = path;
      this.sentryTrace = sentryTrace;
      this.baggage = baggage;
    }
  }

  private final HttpServer server;
  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

  RecordingServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    server.createContext("/", exchange -> {
      try (exchange) {
        received.add(new Received(
            exchange.getRequestURI().getPath(),
            lines(exchange.getRequestHeaders().get("sentry-trace")),
            lines(exchange.getRequestHeaders().get("baggage"))));
        exchange.getRequestBody().readAllBytes();
        byte[] body = "in stock".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    });
    server.start();
  }

  private static List<String> lines(List<String> values) {
    return values == null ? List.of() : List.copyOf(values);
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** Matches this server's URLs and no other port's: a {@code tracePropagationTargets} entry. */
  Pattern target() {
    return Pattern.compile("^http://127\\.0\\.0\\.1:" + server.getAddress().getPort() + "/");
  }

  /** The next request received, waiting a bounded time; null when none came. */
  Received take() throws InterruptedException {
    return received.poll(5, TimeUnit.SECONDS);
  }

  /** What else was received so far, without waiting. */
  List<Received> rest() {
    return List.copyOf(received);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
