package io.sentrytrace.demo.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Small helpers shared by the demo's servers.
 *
 * <pre>{@code
 * Http.send(exchange, 404, "text/plain; charset=utf-8", "not found\n");
 * }</pre>
 */
public final class Http {
  private Http() {}

  /** An HTTP server on 127.0.0.1 only ({@code port} 0: any free port), with daemon threads. */
  public static HttpServer loopbackServer(String name, int port) {
    try {
      // 127.0.0.1 exactly (not "the loopback address", which may be ::1): the URLs we print say so.
      InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
      HttpServer server = HttpServer.create(new InetSocketAddress(loopback, port), 0);
      AtomicInteger n = new AtomicInteger();
      server.setExecutor(Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, name + "-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      }));
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port + " for " + name + ": " + e.getMessage(), e);
    }
  }

  public static URI baseUri(HttpServer server) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  public static void stop(HttpServer server) {
    server.stop(0);
    if (server.getExecutor() instanceof ExecutorService) ((ExecutorService) server.getExecutor()).shutdownNow();
  }

  public static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    send(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  public static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    if (body.length == 0) {
      exchange.sendResponseHeaders(status, -1);
    } else {
      exchange.sendResponseHeaders(status, body.length);
      try (OutputStream os = exchange.getResponseBody()) {
        os.write(body);
      }
    }
    exchange.close();
  }

  /** Answers with no body (e.g. 204 to a preflight). */
  public static void empty(HttpExchange exchange, int status) throws IOException {
    exchange.sendResponseHeaders(status, -1);
    exchange.close();
  }

  /**
   * The request body, at most {@code limit} bytes.
   *
   * @throws TooLarge when it is longer
   */
  public static byte[] readBody(InputStream in, int limit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    for (int n; (n = in.read(buf)) > 0; ) {
      if (out.size() + n > limit) throw new TooLarge(limit);
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  /** Thrown by {@link #readBody} when the body exceeds its limit; callers answer 413. */
  public static final class TooLarge extends IOException {
    TooLarge(int limit) {
      super("body longer than " + limit + " bytes");
    }
  }
}
