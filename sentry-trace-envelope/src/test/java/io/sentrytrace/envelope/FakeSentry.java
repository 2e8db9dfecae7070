package io.sentrytrace.envelope;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Sentry's envelope endpoint on 127.0.0.1, for tests: records every request and answers with the
 * scripted replies (then 200). {@link #stall()} makes it hold every request until {@link
 * #release()}. Shared with sentry-trace-it through this module's test jar.
 *
 * <pre>{@code
 * try (FakeSentry sentry = FakeSentry.start()) {
 *   sentry.enqueue(500).enqueue(200);
 *   EnvelopeExporter exporter = EnvelopeExporter.builder(sentry.dsn()).build();
 *   List<FakeSentry.Request> requests = sentry.await(2, Duration.ofSeconds(5));
 * }
 * }</pre>
 */
public final class FakeSentry implements AutoCloseable {
  public static final String PUBLIC_KEY = "f00dcafe";
  public static final String PROJECT_ID = "42";
  /** The DSN's path prefix: Sentry behind a reverse proxy at /sentry. */
  public static final String PATH_PREFIX = "/sentry";
  public static final String ENVELOPE_PATH = PATH_PREFIX + "/api/" + PROJECT_ID + "/envelope/";

  /** One request as received. Header names are lowercase. */
  public static final class Request {
    public final String method;
    public final String path;
    public final Map<String, String> headers;
    public final byte[] body;
    /** The body's bytes on the wire (compressed when {@code Content-Encoding: gzip}). */
    public final int wireLength;
    public final long receivedNanos;
    public final int answeredStatus;
    /** When the answer was about to be sent (System.nanoTime()). */
    public final long answeredNanos;
    /** The client's port: the same on requests that came over the same connection. */
    public final int remotePort;

    Request(String method, String path, Map<String, String> headers, byte[] body, int wireLength, long receivedNanos,
        int answeredStatus, int remotePort) {
      this.method = method;
      this.path = path;
      this.headers = headers;
      this.body = body;
      this.wireLength = wireLength;
      this.answeredNanos = System.nanoTime();
      this.receivedNanos = receivedNanos;
      this.answeredStatus = answeredStatus;
      this.remotePort = remotePort;
    }

    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public ReceivedEnvelope envelope() throws IOException {
      return ReceivedEnvelope.parse(body);
    }
  }

  private static final class Reply {
    final int status;
    final Map<String, String> headers;

    Reply(int status, Map<String, String> headers) {
      this.status = status;
      this.headers = headers;
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final Deque<Reply> replies = new ArrayDeque<>(); // guarded by this
  private final List<Request> requests = new ArrayList<>(); // guarded by this
  private volatile CountDownLatch gate;
  private volatile long delayNanos;
  private final java.util.concurrent.atomic.AtomicInteger active = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger maxActive = new java.util.concurrent.atomic.AtomicInteger();

  private FakeSentry(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  public static FakeSentry start() throws IOException {
    return start(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
  }

  /**
   * The same over HTTPS, with a self-signed certificate for 127.0.0.1 (test resource {@code
   * fake-sentry.p12}) that clients trust through {@link #clientTls()}; {@link #dsn()} is https.
   */
  public static FakeSentry startTls() throws IOException {
    HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls(true)));
    return start(server);
  }

  /** The server side of {@link #startTls()}'s TLS, for other test servers. */
  static SSLContext serverTls() {
    return tls(true);
  }

  /** An SSLContext that trusts {@link #startTls()}'s certificate. */
  public static SSLContext clientTls() {
    return tls(false);
  }

  private static SSLContext tls(boolean server) {
    try (InputStream in = FakeSentry.class.getResourceAsStream("fake-sentry.p12")) {
      char[] password = "fake-sentry".toCharArray();
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(in, password);
      SSLContext context = SSLContext.getInstance("TLS");
      if (server) {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        context.init(kmf.getKeyManagers(), null, null);
      } else {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keys);
        context.init(null, tmf.getTrustManagers(), null);
      }
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("test TLS set-up", e);
    }
  }

  private static FakeSentry start(HttpServer server) {
    // As many threads as requests at once: concurrent senders must each be answered.
    ExecutorService executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "fake-sentry");
      t.setDaemon(true);
      return t;
    });
    FakeSentry sentry = new FakeSentry(server, executor);
    server.createContext("/", sentry::handle);
    server.setExecutor(executor);
    server.start();
    return sentry;
  }

  public String dsn() {
    String scheme = server instanceof HttpsServer ? "https" : "http";
    return scheme + "://" + PUBLIC_KEY + "@127.0.0.1:" + port() + PATH_PREFIX + "/" + PROJECT_ID;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The next unanswered request gets this status (replies are used in order; then 200). */
  public FakeSentry enqueue(int status) {
    return enqueue(status, Map.of());
  }

  public synchronized FakeSentry enqueue(int status, Map<String, String> headers) {
    replies.add(new Reply(status, headers));
    return this;
  }

  /** Answers every request {@code delay} after it came in, as a Sentry a round trip away would. */
  public FakeSentry answerAfter(Duration delay) {
    delayNanos = delay.toNanos();
    return this;
  }

  /** The most requests that were being handled at once: more than one when clients send concurrently. */
  public int maxConcurrent() {
    return maxActive.get();
  }

  /** Client connections that carried requests (told apart by the client's port). */
  public synchronized long connections() {
    return requests.stream().mapToInt(r -> r.remotePort).distinct().count();
  }

  /** Holds every request (before it is recorded) until {@link #release()}. */
  public void stall() {
    gate = new CountDownLatch(1);
  }

  public void release() {
    CountDownLatch g = gate;
    gate = null;
    if (g != null) g.countDown();
  }

  public synchronized List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Waits until {@code count} requests were received or the time is up; returns what is there. */
  public synchronized List<Request> await(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (requests.size() < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) break;
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return List.copyOf(requests);
  }

  private void handle(HttpExchange exchange) throws IOException {
    maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
    java.util.concurrent.atomic.AtomicBoolean counted = new java.util.concurrent.atomic.AtomicBoolean(true);
    // Not active once the answer is on its way: the client may send its next request on the same
    // connection before this thread gets back, which must not count as one more in flight.
    Runnable answered = () -> {
      if (counted.getAndSet(false)) active.decrementAndGet();
    };
    try {
      answer(exchange, answered);
    } finally {
      answered.run();
    }
  }

  private void answer(HttpExchange exchange, Runnable answered) throws IOException {
    try (exchange) {
      long received = System.nanoTime();
      byte[] wire;
      try (InputStream in = exchange.getRequestBody()) {
        wire = in.readAllBytes();
      }
      boolean gzipped = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"));
      byte[] body = gzipped ? gunzip(wire) : wire;
      long delay = delayNanos;
      if (delay > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(delay);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      CountDownLatch g = gate;
      if (g != null) {
        try {
          g.await(30, TimeUnit.SECONDS); // bounded: a test that forgets release() still ends
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      Map<String, String> headers = new LinkedHashMap<>();
      exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
      Reply reply;
      synchronized (this) {
        reply = replies.isEmpty() ? new Reply(200, Map.of()) : replies.poll();
        requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), headers, body,
            wire.length, received, reply.status, exchange.getRemoteAddress().getPort()));
        notifyAll();
      }
      reply.headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      byte[] answer = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      answered.run();
      exchange.sendResponseHeaders(reply.status, answer.length);
      exchange.getResponseBody().write(answer);
    }
  }

  private static byte[] gunzip(byte[] gzipped) throws IOException {
    try (InputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gzipped))) {
      return in.readAllBytes();
    }
  }

  @Override
  public void close() {
    release();
    server.stop(0);
    executor.shutdownNow();
  }
}
