package io.sentrytrace.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A scripted peer for {@link HttpClientContract}: the JDK's own HTTP server on 127.0.0.1, answering
 * each request with the next scripted response (200 {@code hello} when none is left) and
 * recording what it received. Independent of every client under test.
 *
 * <pre>{@code
 * try (HttpClientPeer peer = new HttpClientPeer()) {
 *   peer.respond(404);
 *   client.get(peer.url("/orders"));
 *   assertThat(peer.take().header("sentry-trace")).isNotNull();
 * }
 * }</pre>
 */
public final class HttpClientPeer implements AutoCloseable {
  /** One request as the peer received it; header names lower case, one entry per line. */
  public static final class Received {
    public final String method;
    public final String target;
    public final Map<String, List<String>> headers;
    public final String body;

    Received(String method, String target, Map<String, List<String>> headers, String body) {
      this.method = method;
      this.target = target;
      this.headers = headers;
      this.body = body;
    }

    /** Every line of {@code name}, in order; empty when absent. */
    public List<String> values(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    /** The one line of {@code name}, or null when absent; fails when it came more than once. */
    public String header(String name) {
      List<String> values = values(name);
      assertThat(values).as("lines of " + name).hasSizeLessThanOrEqualTo(1);
      return values.isEmpty() ? null : values.get(0);
    }
  }

  private interface Script {
    void answer(HttpExchange exchange) throws IOException, InterruptedException;
  }

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final ConcurrentLinkedQueue<Script> scripts = new ConcurrentLinkedQueue<>();
  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

  public HttpClientPeer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 16);
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Map<String, List<String>> headers = new TreeMap<>();
      exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().toString(), headers, body));
      Script script = scripts.poll();
      if (script == null) script = respondWith(200, "hello");
      script.answer(exchange);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String url(String pathAndQuery) {
    return "http://127.0.0.1:" + port() + pathAndQuery;
  }

  /** A propagation target matching this peer's URLs and no other port's. */
  public Pattern target() {
    return Pattern.compile("^http://127\\.0\\.0\\.1:" + port() + "/");
  }

  private static Script respondWith(int code, String body) {
    return exchange -> {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
      exchange.getResponseBody().write(bytes);
    };
  }

  /** Answers the next request with {@code code} and the 5-byte body {@code hello}. */
  public HttpClientPeer respond(int code) {
    scripts.add(respondWith(code, "hello"));
    return this;
  }

  /** Answers the next request with a {@code 302} to {@code location}. */
  public HttpClientPeer redirectTo(String location) {
    scripts.add(exchange -> {
      exchange.getResponseHeaders().add("Location", location);
      exchange.sendResponseHeaders(302, -1);
    });
    return this;
  }

  /** Answers the next request with a chunked body: {@code first}, a pause, then {@code second}. */
  public HttpClientPeer stream(String first, Duration pause, String second) {
    scripts.add(exchange -> {
      exchange.sendResponseHeaders(200, 0); // 0: chunked, no Content-Length
      OutputStream out = exchange.getResponseBody();
      out.write(first.getBytes(StandardCharsets.UTF_8));
      out.flush();
      Thread.sleep(pause.toMillis());
      out.write(second.getBytes(StandardCharsets.UTF_8));
    });
    return this;
  }

  /** Holds the next request's response until {@code release} opens (10 s at most), then 200. */
  public HttpClientPeer hold(CountDownLatch release) {
    scripts.add(exchange -> {
      release.await(10, TimeUnit.SECONDS);
      respondWith(200, "late").answer(exchange);
    });
    return this;
  }

  /** The next request received, waiting 5 s at most. */
  public Received take() throws InterruptedException {
    Received next = received.poll(5, TimeUnit.SECONDS);
    assertThat(next).as("a request reached " + url("/")).isNotNull();
    return next;
  }

  /** Every request received so far that was not taken. */
  public List<Received> drain() {
    List<Received> all = new ArrayList<>();
    received.drainTo(all);
    return all;
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
