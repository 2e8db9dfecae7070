package io.sentrytrace.load;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * A Sentry some distance away over HTTPS, as Sentry's ingest is: Jetty on 127.0.0.1 speaking
 * HTTP/2 (h2, chosen by ALPN, up to {@link #MAX_CONCURRENT_STREAMS} streams on a connection) and
 * HTTP/1.1 over TLS, answering each envelope 200 a set round trip after its body is in. The answer
 * is scheduled, not slept, so that no thread is held per request in flight. Like {@link
 * StandInSentry} it counts TCP connections opened and envelopes by their {@code event_id} (its
 * parsing), and also which protocol each request came over. The certificate is {@code
 * stand-in-sentry.p12} (self-signed, for IP 127.0.0.1); clients trust it through {@link
 * #clientTls()}.
 *
 * <p>Bounded: bodies at most {@link StandInSentry#MAX_BODY} bytes, connections idle for 60 s are
 * closed, the set of event ids is allocated once for {@code maxDistinct} ids, and the threads are a
 * fixed pool (so that {@link #cpuNanos} can be read off the live threads when closing).
 */
final class TlsStandInSentry implements AutoCloseable {
  static final String THREAD_PREFIX = "standin-tls-";
  /** Streams a client may have open on one h2 connection: more than the exporter's senders. */
  static final int MAX_CONCURRENT_STREAMS = 256;
  static final String H2 = "h2";
  static final String HTTP_1_1 = "http/1.1";
  private static final String KEYSTORE = "stand-in-sentry.p12";
  private static final char[] PASSWORD = "fake-sentry".toCharArray();
  private static final int THREADS = 16;
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  private final Server server;
  private final ServerConnector connector;
  private final ScheduledExecutorService answers =
      Executors.newSingleThreadScheduledExecutor(Threads.named(THREAD_PREFIX + "answer"));
  private final long delayNanos;
  private final StandInSentry.IdSet accepted;
  private final Map<String, AtomicLong> protocols = new ConcurrentHashMap<>();
  private final AtomicLong open = new AtomicLong();
  /** The TCP connections (their TLS end points) that carried at least one request; at most as many as opened. */
  private final Set<EndPoint> used = ConcurrentHashMap.newKeySet();
  private final long cpuAtStart;
  private volatile boolean closed;

  /** TCP connections accepted (TLS connections: each carries HTTP/1.1 or h2). */
  final AtomicLong connectionsOpened = new AtomicLong();
  /** The most connections open at once. */
  final AtomicLong peakOpen = new AtomicLong();
  /** Envelope POSTs read in full (retries included). */
  final AtomicLong requests = new AtomicLong();
  /** Envelopes answered 200 whose event id had not been answered 200 before. */
  final AtomicLong distinctAccepted = new AtomicLong();
  /** Envelopes answered 200 again (a retry of one already accepted). */
  final AtomicLong duplicateAccepted = new AtomicLong();
  /** Envelopes answered 200 without an event id in their header. */
  final AtomicLong acceptedWithoutEventId = new AtomicLong();
  /** Requests that could not be read or were not envelopes. */
  final AtomicLong bad = new AtomicLong();
  /** CPU time of the stand-in's threads (TLS included), set by {@link #close()}. */
  final AtomicLong cpuNanos = new AtomicLong();

  /** {@code roundTrip} passes between a request's body and its answer. */
  TlsStandInSentry(Duration roundTrip, int maxDistinct) throws Exception {
    this.delayNanos = roundTrip.toNanos();
    this.accepted = new StandInSentry.IdSet(maxDistinct);
    // min = max threads: none ends before close() reads their CPU.
    QueuedThreadPool pool = new QueuedThreadPool(THREADS, THREADS);
    pool.setName(THREAD_PREFIX + "pool");
    pool.setDaemon(true);
    server = new Server(pool, new ScheduledExecutorScheduler(THREAD_PREFIX + "scheduler", true), null);

    HttpConfiguration http = new HttpConfiguration();
    // Clients connect to an IP address and send no SNI; the certificate is for that address.
    http.addCustomizer(new SecureRequestCustomizer(false));
    http.setSendServerVersion(false);
    HttpConnectionFactory http11 = new HttpConnectionFactory(http);
    HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(http);
    h2.setMaxConcurrentStreams(MAX_CONCURRENT_STREAMS);
    ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
    alpn.setDefaultProtocol(http11.getProtocol()); // a client that offers no ALPN (HttpsURLConnection)
    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setKeyStore(keyStore());
    tls.setKeyStorePassword(new String(PASSWORD));
    connector = new ServerConnector(server, 1, 1, new SslConnectionFactory(tls, alpn.getProtocol()), alpn, h2, http11);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    connector.setAcceptQueueSize(1024);
    connector.setIdleTimeout(60_000);
    connector.addBean(new Connection.Listener() {
      // Each TCP connection is one SslConnection, under which ALPN, then h2 or HTTP/1.1, open.
      @Override
      public void onOpened(Connection connection) {
        if (!(connection instanceof SslConnection)) return;
        connectionsOpened.incrementAndGet();
        peakOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
      }

      @Override
      public void onClosed(Connection connection) {
        if (connection instanceof SslConnection) open.decrementAndGet();
      }
    });
    server.addConnector(connector);
    server.setHandler(new Envelopes());
    server.start();
    cpuAtStart = threadCpu();
  }

  String dsn() {
    return "https://5d0e7c6b1f1d4b7f9c4e2a1b3c5d7e9f@127.0.0.1:" + port() + "/1";
  }

  int port() {
    return connector.getLocalPort();
  }

  /**
   * TCP connections that carried at least one request: fewer than opened when a client opened
   * several at once and kept one (an h2 client racing to its first connection).
   */
  long connectionsUsed() {
    return used.size();
  }

  /** Requests by the protocol they came over ({@link #H2}, {@link #HTTP_1_1}). */
  Map<String, Long> protocols() {
    Map<String, Long> m = new TreeMap<>();
    protocols.forEach((k, v) -> m.put(k, v.get()));
    return m;
  }

  /** Reads the body without holding a thread, then answers a round trip later. */
  private final class Envelopes extends Handler.Abstract.NonBlocking {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String path = Request.getPathInContext(request);
      if (!"POST".equals(request.getMethod()) || !path.startsWith("/api/") || !path.endsWith("/envelope/")) {
        bad.incrementAndGet();
        Response.writeError(request, response, callback, 404);
        return true;
      }
      used.add(request.getConnectionMetaData().getConnection().getEndPoint());
      String version = request.getConnectionMetaData().getHttpVersion().asString();
      protocols.computeIfAbsent(version.equals("HTTP/2.0") ? H2 : version.toLowerCase(Locale.ROOT), k -> new AtomicLong())
          .incrementAndGet();
      boolean gzip = "gzip".equalsIgnoreCase(request.getHeaders().get(HttpHeader.CONTENT_ENCODING));
      Content.Source.asByteArrayAsync(request, StandInSentry.MAX_BODY).whenComplete((body, failure) -> {
        if (failure != null) {
          bad.incrementAndGet();
          callback.failed(failure);
          return;
        }
        requests.incrementAndGet();
        try {
          answers.schedule(() -> answer(body, gzip, response, callback), delayNanos, TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) { // closing
          callback.failed(e);
        }
      });
      return true;
    }
  }

  private void answer(byte[] body, boolean gzip, Response response, Callback callback) {
    byte[] envelope = gzip ? StandInSentry.gunzip(body) : body;
    if (envelope == null) {
      bad.incrementAndGet();
      response.setStatus(400);
      response.write(true, null, callback);
      return;
    }
    StandInSentry.Envelope e = StandInSentry.Envelope.parse(envelope);
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    byte[] json = ("{\"id\":\"" + (e.eventId == null ? "" : e.eventId) + "\"}").getBytes(StandardCharsets.UTF_8);
    // Counted once the answer is written: what the client can have seen as accepted.
    response.write(true, ByteBuffer.wrap(json), Callback.from(() -> {
      if (e.eventId == null) {
        acceptedWithoutEventId.incrementAndGet();
      } else if (accepted.add(e.eventId)) {
        distinctAccepted.incrementAndGet();
      } else {
        duplicateAccepted.incrementAndGet();
      }
      callback.succeeded();
    }, callback::failed));
  }

  /** CPU of the stand-in's live threads. */
  private static long threadCpu() {
    long sum = 0;
    for (ThreadInfo t : CPU.getThreadInfo(CPU.getAllThreadIds())) {
      if (t == null || !t.getThreadName().startsWith(THREAD_PREFIX)) continue;
      long ns = CPU.getThreadCpuTime(t.getThreadId());
      if (ns > 0) sum += ns;
    }
    return sum;
  }

  /** Stops the server (bounded), after reading its threads' CPU. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    cpuNanos.set(Math.max(0, threadCpu() - cpuAtStart));
    server.setStopTimeout(2_000);
    try {
      server.stop();
    } catch (Exception e) {
      bad.incrementAndGet();
    }
    answers.shutdownNow();
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "TlsStandInSentry{port %d, %d ms, %,d requests, %,d distinct accepted, %,d connections (%,d used), %s}",
        port(), delayNanos / 1_000_000, requests.get(), distinctAccepted.get(), connectionsOpened.get(), connectionsUsed(),
        protocols());
  }

  private static KeyStore keyStore() throws IOException, GeneralSecurityException {
    try (InputStream in = TlsStandInSentry.class.getResourceAsStream(KEYSTORE)) {
      if (in == null) throw new IOException(KEYSTORE + " is missing");
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(in, PASSWORD);
      return keys;
    }
  }

  /** Trusts the stand-in's certificate (and nothing else). */
  static X509TrustManager trustManager() {
    try {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(keyStore());
      for (TrustManager t : tmf.getTrustManagers()) if (t instanceof X509TrustManager) return (X509TrustManager) t;
      throw new IllegalStateException("no X509TrustManager");
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("stand-in TLS set-up", e);
    }
  }

  /** A client SSLContext that trusts the stand-in. */
  static SSLContext clientTls() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {trustManager()}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("stand-in TLS set-up", e);
    }
  }
}
