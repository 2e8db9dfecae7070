package io.sentrytrace.envelope;

import io.sentrytrace.EnvelopeTransport;
import io.sentrytrace.Scope;
import io.sentrytrace.internal.Instrumentation;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * Sends envelopes with the JDK's {@link HttpURLConnection}: the exporter's default transport, no
 * extra dependency. The whole exchange runs on the calling thread (the exporter's sender), which
 * costs a fraction of the CPU of the JDK {@code HttpClient}'s hand-offs between its selector and
 * executor threads.
 *
 * <p>What applies is the JDK's own configuration: proxies from {@code ProxySelector.getDefault()}
 * ({@code http.proxyHost}, {@code https.proxyHost}, {@code http.nonProxyHosts}, ...), TLS from the
 * default {@code SSLContext}, connections kept alive in the JDK's keep-alive cache (over HTTPS as
 * many as requests were in flight at once; over plain HTTP at most {@code http.maxConnections}, default 5, idle ones per
 * host, so that more concurrent senders than that open new connections). The answer is the
 * status and headers; of the body (Sentry's is a little JSON) at most 64 KB is read, for at most
 * 500 ms, so that a slow or endless body costs no more than the connection's reuse. A request must
 * be answered within 30 seconds (connecting within 10); past that, or when the sending thread is
 * interrupted, it is ended and {@link #send} throws an {@link InterruptedIOException} (once the
 * status is in, it is returned). Redirects are not followed.
 * The request is sent with our instrumentation suppressed and carries the exporter's headers (the
 * exporter's {@code User-Agent} and {@code Accept} replace the JDK's) and the JDK's {@code Host},
 * {@code Connection}, {@code Content-Length}, {@code Cache-Control} and {@code Pragma}.
 *
 * <p>To send through a client you configure yourself, use {@link JdkHttpTransport} (a {@code
 * java.net.http.HttpClient}) or the OkHttp and Apache transports.
 *
 * <pre>{@code
 * EnvelopeExporter exporter = EnvelopeExporter.builder(dsn)
 *     .transport(UrlConnectionTransport.create()) // the default
 *     .build();
 * }</pre>
 */
public final class UrlConnectionTransport implements EnvelopeTransport {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  static final Duration READ_TIMEOUT_MARGIN = Duration.ofSeconds(5);
  /** What is read of a response body at most: Sentry answers with a little JSON. */
  static final int MAX_BODY_BYTES = 64 * 1024;
  /** How long a body that did not come with the headers is read at most. */
  static final Duration BODY_WAIT = Duration.ofMillis(500);
  private static final long MIN_BODY_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
  private static final long MAX_BODY_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final int connectTimeoutMillis;
  private final long requestTimeoutMillis;
  private final SendWatchdog watchdog = new SendWatchdog("sentry-trace-envelope-watchdog");
  /**
   * TLS factories not in use, most recently used first. Each request borrows one for its duration:
   * the JDK's keep-alive cache keys HTTPS connections by factory, so each keeps one connection
   * alive (rather than all sharing the cache's 5 idle ones per host, {@code http.maxConnections},
   * and closing the rest), whichever thread sends next; and ending one request closes only its
   * factory's sockets. There are as many as requests were ever in flight at once.
   */
  private final ConcurrentLinkedDeque<TrackingSocketFactory> idleTlsFactories = new ConcurrentLinkedDeque<>();

  UrlConnectionTransport(Duration connectTimeout, Duration requestTimeout) {
    this.connectTimeoutMillis = (int) connectTimeout.toMillis();
    this.requestTimeoutMillis = requestTimeout.toMillis();
  }

  /** A transport with a 10 s connect and a 30 s request timeout. */
  public static UrlConnectionTransport create() {
    return new UrlConnectionTransport(CONNECT_TIMEOUT, REQUEST_TIMEOUT);
  }

  @Override
  public Response send(URI uri, Map<String, String> headers, byte[] body) throws IOException {
    if (Thread.currentThread().isInterrupted()) throw new InterruptedIOException("interrupted before sending the envelope");
    HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
    connection.setRequestMethod("POST");
    connection.setConnectTimeout(connectTimeoutMillis);
    // The watchdog ends the request at its deadline; this bounds each read should it ever fail to.
    connection.setReadTimeout((int) (requestTimeoutMillis + READ_TIMEOUT_MARGIN.toMillis()));
    connection.setInstanceFollowRedirects(false);
    connection.setUseCaches(false);
    connection.setDoOutput(true);
    // Not setFixedLengthStreamingMode: streamed, the body leaves in a second small write after the
    // headers, which Nagle's algorithm holds back until the server acknowledges the first.
    headers.forEach(connection::setRequestProperty);
    TrackingSocketFactory tls = null;
    if (connection instanceof HttpsURLConnection) {
      HttpsURLConnection https = (HttpsURLConnection) connection;
      tls = borrowTlsFactory(https.getSSLSocketFactory());
      https.setSSLSocketFactory(tls);
    }
    SendWatchdog.Watch watch = watchdog.watch(connection, requestTimeoutMillis, tls == null ? null : tls::closeAll);
    try (Scope quiet = Instrumentation.suppress()) {
      Response response = exchange(connection, body, watch);
      watch.finish(null);
      return response;
    } catch (IOException e) {
      throw watch.finish(e); // when the watchdog ended the request: why
    } finally {
      watchdog.done(watch);
      if (tls != null) idleTlsFactories.offerFirst(tls);
    }
  }

  /**
   * An idle TLS factory wrapping the JDK's as configured now (the keep-alive cache reuses only
   * connections made by the same factory instance), or a new one. Factories of an earlier
   * configuration are let go; the cache closes their idle connections in time.
   */
  private TrackingSocketFactory borrowTlsFactory(SSLSocketFactory current) {
    for (TrackingSocketFactory f; (f = idleTlsFactories.pollFirst()) != null; ) {
      if (f.delegate() == current) return f;
    }
    return new TrackingSocketFactory(current);
  }

  private static Response exchange(HttpURLConnection connection, byte[] body, SendWatchdog.Watch watch)
      throws IOException {
    try (OutputStream out = connection.getOutputStream()) {
      out.write(body);
    }
    int code = connection.getResponseCode();
    Response response = Response.of(code, connection.getHeaderField(RETRY_AFTER), connection.getHeaderField(RATE_LIMITS));
    // The answer is in; the body (small JSON) is read only so that the connection can be reused.
    try {
      InputStream in = code >= 400 ? connection.getErrorStream() : connection.getInputStream();
      if (in != null) {
        long waitUntil = Math.min(watch.deadlineNanos(), System.nanoTime() + BODY_WAIT.toNanos());
        if (connection instanceof HttpsURLConnection) {
          watch.endBy(waitUntil); // the watchdog closes the socket then
          readBody(in);
        } else {
          discardBody(in, connection.getContentLengthLong(), waitUntil);
        }
      }
    } catch (IOException e) {
      // Cut short (the peer, the watchdog): the connection is not reused, the answer stands.
    }
    return response;
  }

  /**
   * Over TLS {@code available()} counts only what has been decrypted, so that the rest of a body
   * cannot be told from a missing one: it is read, blocking, up to {@link #MAX_BODY_BYTES}; the
   * watchdog ends the read at the body's deadline, or when the sender is interrupted, by closing
   * the socket.
   */
  private static void readBody(InputStream in) throws IOException {
    try (in) {
      byte[] buffer = new byte[8192];
      for (long read = 0, n; read < MAX_BODY_BYTES; read += n) {
        n = in.read(buffer, 0, (int) Math.min(buffer.length, MAX_BODY_BYTES - read));
        if (n < 0) return;
      }
    }
  }

  /**
   * Reads and drops what has arrived of a response body, at most {@link #MAX_BODY_BYTES}, waiting
   * for the rest of a body of known length until {@code waitUntil} (System.nanoTime()) unless
   * interrupted; then closes it. It never reads more than {@code available()}: a read that blocks
   * holds the stream's lock, so that not even {@code disconnect()} could end it until the next byte
   * comes (a trickling body held the sender, and close(), that long). Closing a body that is not
   * complete leaves the rest to the JDK: what has arrived is skipped and the connection reused;
   * else up to {@code http.KeepAlive.remainingData} (512 KB) goes to its keep-alive cleaner thread;
   * else the connection is closed.
   */
  static void discardBody(InputStream in, long length, long waitUntil) throws IOException {
    try (in) {
      byte[] buffer = new byte[8192];
      long read = 0;
      long pause = MIN_BODY_PAUSE_NANOS;
      while (read < MAX_BODY_BYTES && (length < 0 || read < length)) {
        int available = in.available();
        if (available > 0) {
          int n = in.read(buffer, 0, (int) Math.min(Math.min(available, buffer.length), MAX_BODY_BYTES - read));
          if (n < 0) return;
          read += n;
          pause = MIN_BODY_PAUSE_NANOS;
        } else if (length < 0 || System.nanoTime() - waitUntil >= 0 || Thread.currentThread().isInterrupted()) {
          return; // of unknown length (chunked), waited long enough, or stopping
        } else {
          LockSupport.parkNanos(pause);
          pause = Math.min(pause * 2, MAX_BODY_PAUSE_NANOS);
        }
      }
    }
  }

  /** Stops the watchdog thread; idle connections are closed by the JDK's keep-alive cache. */
  @Override
  public void close() {
    watchdog.close();
  }

  @Override
  public String toString() {
    return "UrlConnectionTransport{timeout " + requestTimeoutMillis + " ms}";
  }
}
