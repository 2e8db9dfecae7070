package io.sentrytrace.apache;

import io.sentrytrace.EnvelopeTransport;
import io.sentrytrace.Scope;
import io.sentrytrace.internal.Instrumentation;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.io.EofSensorInputStream;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * Sends Sentry envelopes with Apache HttpClient 5 (classic), for apps that already configure a
 * {@link CloseableHttpClient} (proxy, TLS, pooling). The request carries exactly the exporter's
 * headers and is sent with our instrumentation suppressed, so a client with our interceptor
 * installed neither traces it nor adds {@code sentry-trace} to it. Of a response body at most 64 KB is
 * read, for at most 500 ms; the answer is the status and headers.
 *
 * <pre>{@code
 * EnvelopeExporter exporter = EnvelopeExporter.builder(dsn)
 *     .transport(ApacheTransport.create(myHttpClient))
 *     .build();
 * }</pre>
 */
public final class ApacheTransport implements EnvelopeTransport {
  static final Timeout CONNECT_TIMEOUT = Timeout.ofSeconds(10);
  static final Timeout RESPONSE_TIMEOUT = Timeout.ofSeconds(30);
  /** What is read of a response body at most. */
  static final int MAX_BODY_BYTES = 64 * 1024;
  /** How long a response body is read at most. */
  static final Duration BODY_WAIT = Duration.ofMillis(500);
  private static final Executor BODY_TIMER = CompletableFuture.delayedExecutor(BODY_WAIT.toMillis(), TimeUnit.MILLISECONDS);

  private final CloseableHttpClient client;
  private final boolean ownsClient;

  private ApacheTransport(CloseableHttpClient client, boolean ownsClient) {
    this.client = client;
    this.ownsClient = ownsClient;
  }

  /** Connections the own client opens at most: one per exporter sender (the exporter's most is 64). */
  static final int MAX_CONNECTIONS = 64;

  /**
   * A transport with its own client (10 s connect, 30 s response timeout, no automatic retries:
   * the exporter retries, up to 64 connections), closed by {@link #close()}. A client passed to
   * {@link #create(CloseableHttpClient)} keeps its own pool limits: HttpClient's default allows 5
   * connections per route, so that more concurrent senders than that wait for one.
   */
  public static ApacheTransport create() {
    CloseableHttpClient client = HttpClients.custom()
        .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
            .setDefaultConnectionConfig(ConnectionConfig.custom()
                .setConnectTimeout(CONNECT_TIMEOUT).setSocketTimeout(RESPONSE_TIMEOUT).build())
            .setMaxConnPerRoute(MAX_CONNECTIONS)
            .setMaxConnTotal(MAX_CONNECTIONS)
            .build())
        .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(RESPONSE_TIMEOUT).build())
        .disableAutomaticRetries()
        .build();
    return new ApacheTransport(client, true);
  }

  /** A transport sending with {@code client}; {@link #close()} leaves it open. */
  public static ApacheTransport create(CloseableHttpClient client) {
    return new ApacheTransport(Objects.requireNonNull(client, "client"), false);
  }

  @Override
  public Response send(URI uri, Map<String, String> headers, byte[] body) throws IOException {
    HttpPost post = new HttpPost(uri);
    // No content type on the entity: the Content-Type header given is the one sent.
    post.setEntity(new ByteArrayEntity(body, null));
    headers.forEach(post::setHeader);
    try (Scope quiet = Instrumentation.suppress()) {
      // Not the handler form: it reads the whole body, however long, to reuse the connection.
      ClassicHttpResponse response = client.executeOpen(null, post, null);
      Response answer = Response.of(response.getCode(), value(response, RETRY_AFTER), value(response, RATE_LIMITS));
      // The socket timeout bounds each read, not the body: a trickling one is cut off by cancelling.
      AtomicBoolean reading = new AtomicBoolean(true);
      BODY_TIMER.execute(() -> {
        if (reading.get()) post.cancel();
      });
      try {
        readBody(response.getEntity());
      } finally {
        reading.set(false);
        try {
          response.close(); // back to the pool when read to its end; else the connection is already closed
        } catch (IOException e) {
          // the connection was dropped: the answer stands
        }
      }
      return answer;
    }
  }

  /**
   * Reads a response body (Sentry's is a little JSON) so that the connection can be reused, up to
   * {@link #MAX_BODY_BYTES}; a longer one, or one cut short, drops the connection (closing the
   * stream instead would read on to its end). The answer stands either way.
   */
  private static void readBody(HttpEntity entity) {
    if (entity == null) return;
    InputStream in = null;
    try {
      in = entity.getContent();
      byte[] buffer = new byte[8192];
      for (long read = 0, n; read < MAX_BODY_BYTES; read += n) {
        n = in.read(buffer, 0, (int) Math.min(buffer.length, MAX_BODY_BYTES - read));
        if (n < 0) return; // at its end the connection went back to the pool
      }
      if (in.read() < 0) return; // exactly the cap
      abort(in);
    } catch (IOException e) {
      abort(in);
    }
  }

  private static void abort(InputStream in) {
    if (!(in instanceof EofSensorInputStream)) return;
    try {
      ((EofSensorInputStream) in).abort();
    } catch (IOException e) {
      // closing anyway
    }
  }

  private static String value(HttpResponse response, String name) {
    Header header = response.getFirstHeader(name);
    return header == null ? null : header.getValue();
  }

  @Override
  public void close() {
    if (ownsClient) client.close(CloseMode.GRACEFUL);
  }

  @Override
  public String toString() {
    return "ApacheTransport{" + (ownsClient ? "own client" : client) + '}';
  }
}
