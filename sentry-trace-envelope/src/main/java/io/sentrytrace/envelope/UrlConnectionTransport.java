package io.sentrytrace.envelope;

import io.sentrytrace.EnvelopeTransport;
import io.sentrytrace.Instrumentation;
import io.sentrytrace.Scope;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Sends envelopes with the JDK's {@link HttpURLConnection}: the exporter's default transport, no
 * extra dependency. The whole exchange runs on the calling thread (the exporter's sender), which
 * costs a fraction of the CPU of the JDK {@code HttpClient}'s hand-offs between its selector and
 * executor threads.
 *
 * <p>What applies is the JDK's own configuration: proxies from {@code ProxySelector.getDefault()}
 * ({@code http.proxyHost}, {@code https.proxyHost}, {@code http.nonProxyHosts}, ...), TLS from the
 * default {@code SSLContext}, connections kept alive in the JDK's keep-alive cache (each response
 * is read to its end so its connection can be reused). A request must be answered within 30
 * seconds (connecting within 10); past that, or when the sending thread is interrupted, it is
 * ended and {@link #send} throws an {@link InterruptedIOException}. Redirects are not followed.
 * The request is sent with our instrumentation suppressed and carries the exporter's headers (and
 * the JDK's {@code Host}, {@code User-Agent}, {@code Accept}, {@code Content-Length}).
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

  private final int connectTimeoutMillis;
  private final long requestTimeoutMillis;
  private final SendWatchdog watchdog = new SendWatchdog("sentry-trace-envelope-watchdog");

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
    SendWatchdog.Watch watch = watchdog.watch(connection, requestTimeoutMillis);
    try (Scope quiet = Instrumentation.suppress()) {
      Response response = exchange(connection, body);
      watch.finish(null);
      return response;
    } catch (IOException e) {
      throw watch.finish(e); // when the watchdog ended the request: why
    } finally {
      watchdog.done(watch);
    }
  }

  private static Response exchange(HttpURLConnection connection, byte[] body) throws IOException {
    try (OutputStream out = connection.getOutputStream()) {
      out.write(body);
    }
    int code = connection.getResponseCode();
    Response response = Response.of(code, connection.getHeaderField(RETRY_AFTER), connection.getHeaderField(RATE_LIMITS));
    // Read to the end (for 4xx and 5xx the error stream), so the connection goes back to the cache.
    InputStream in = code >= 400 ? connection.getErrorStream() : connection.getInputStream();
    if (in != null) {
      try (in) {
        in.transferTo(OutputStream.nullOutputStream());
      }
    }
    return response;
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
