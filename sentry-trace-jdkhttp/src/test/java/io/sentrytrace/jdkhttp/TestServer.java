package io.sentrytrace.jdkhttp;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A JDK HttpServer on 127.0.0.1 that records each request, then lets a handler answer it. */
final class TestServer implements AutoCloseable {
  /** One request as the server received it. */
  static final class Received {
    final String method;
    final URI uri;
    final Headers headers;
    final String body;

    Received(String method, URI uri, Headers headers, String body) {
      this.method = method;
      this.uri = uri;
      this.headers = headers;
      this.body = body;
    }

    /** The header's only value; null when absent. Fails when it came more than once. */
    String header(String name) {
      List<String> values = headers.get(name);
      if (values == null) return null;
      if (values.size() != 1) throw new AssertionError(name + " sent " + values.size() + " times: " + values);
      return values.get(0);
    }

    boolean has(String name) {
      return headers.containsKey(name);
    }
  }

  final HttpServer server;
  private final ExecutorService executor;
  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

  private TestServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** A server that records each request and answers it with {@code handler}. */
  static TestServer start(HttpHandler handler) throws IOException {
    return start(handler, 4);
  }

  static TestServer start(HttpHandler handler, int threads) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    server.setExecutor(executor);
    TestServer test = new TestServer(server, executor);
    server.createContext(
        "/",
        exchange -> {
          Headers copy = new Headers();
          copy.putAll(exchange.getRequestHeaders());
          String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          test.received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI(), copy, body));
          handler.handle(exchange);
        });
    server.start();
    return test;
  }

  /** A server on which nothing is recorded; the caller adds contexts and filters. */
  static TestServer bare() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    ExecutorService executor = Executors.newFixedThreadPool(4);
    server.setExecutor(executor);
    return new TestServer(server, executor);
  }

  int port() {
    return server.getAddress().getPort();
  }

  URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
  }

  /** The next recorded request; fails after 5 s. */
  Received take() throws InterruptedException {
    Received r = received.poll(5, TimeUnit.SECONDS);
    if (r == null) throw new AssertionError("no request reached the server");
    return r;
  }

  /** The requests recorded and not yet taken. */
  List<Received> drain() {
    List<Received> out = new ArrayList<>();
    received.drainTo(out);
    return out;
  }

  /** Answers with {@code code} and {@code body} (with a Content-Length). */
  static void respond(HttpExchange exchange, int code, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  static String read(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
