package io.sentrytrace.spring.boot;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The downstream stock service on 127.0.0.1 (the JDK's HttpServer): records each request's path
 * and trace headers. {@code /moved} redirects to {@code /stock} on {@code localhost}, a host the
 * tests' propagation targets leave out.
 */
final class Downstream implements AutoCloseable {
  /** The first {@code sentry-trace} and {@code baggage}, and how many of each the request carried. */
  record Received(String path, String sentryTrace, String baggage, int sentryTraceHeaders, int baggageHeaders) {}

  private final HttpServer server;
  final List<Received> received = new CopyOnWriteArrayList<>();

  Downstream() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      received.add(new Received(exchange.getRequestURI().getPath(),
          exchange.getRequestHeaders().getFirst("sentry-trace"), exchange.getRequestHeaders().getFirst("baggage"),
          count(exchange.getRequestHeaders().get("sentry-trace")), count(exchange.getRequestHeaders().get("baggage"))));
      if (exchange.getRequestURI().getPath().equals("/moved")) {
        exchange.getResponseHeaders().set("Location", "http://localhost:" + port() + "/stock?sku=moved");
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
        return;
      }
      byte[] body = "in stock".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  private static int count(List<String> values) {
    return values == null ? 0 : values.size();
  }

  int port() {
    return server.getAddress().getPort();
  }

  String url() {
    return "http://127.0.0.1:" + port();
  }

  Map<String, Object> properties() {
    return Map.of("downstream.url", url());
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
