package io.sentrytrace.opentelemetry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A JDK HttpServer on 127.0.0.1 with one handler, for the chain tests. */
final class Loopback implements AutoCloseable {
  interface Handler {
    String handle(HttpExchange exchange) throws Exception;
  }

  /** Reads request headers of the JDK server, for OpenTelemetry propagators. */
  static final TextMapGetter<HttpExchange> GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpExchange exchange) {
          return exchange.getRequestHeaders().keySet();
        }

        @Override
        public String get(HttpExchange exchange, String key) {
          return exchange == null ? null : exchange.getRequestHeaders().getFirst(key);
        }
      };

  private final HttpServer server;

  private Loopback(HttpServer server) {
    this.server = server;
  }

  static Loopback serve(Handler handler) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      byte[] body;
      int status = 200;
      try {
        body = handler.handle(exchange).getBytes(StandardCharsets.UTF_8);
      } catch (Exception e) {
        status = 500;
        body = String.valueOf(e).getBytes(StandardCharsets.UTF_8);
      }
      exchange.sendResponseHeaders(status, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    return new Loopback(server);
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  static String header(HttpExchange exchange, String name) {
    List<String> values = exchange.getRequestHeaders().get(name);
    return values == null || values.isEmpty() ? null : String.join(",", values);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
