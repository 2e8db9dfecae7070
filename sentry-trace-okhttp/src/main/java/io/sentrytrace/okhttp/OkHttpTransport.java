package io.sentrytrace.okhttp;

import io.sentrytrace.EnvelopeTransport;
import io.sentrytrace.Scope;
import io.sentrytrace.internal.Instrumentation;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okio.Buffer;
import okio.BufferedSource;

/**
 * Sends Sentry envelopes with OkHttp, for apps that already configure an {@link OkHttpClient}
 * (proxy, TLS, connection pool). The request carries exactly the exporter's headers and is sent
 * with our instrumentation suppressed, so a client with our interceptor installed neither traces it
 * nor adds {@code sentry-trace} to it. Of a response body at most 64 KB is read, for at most 500 ms;
 * the answer is the status and headers.
 *
 * <pre>{@code
 * EnvelopeExporter exporter = EnvelopeExporter.builder(dsn)
 *     .transport(OkHttpTransport.create(myOkHttpClient))
 *     .build();
 * }</pre>
 */
public final class OkHttpTransport implements EnvelopeTransport {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  /** What is read of a response body at most. */
  static final int MAX_BODY_BYTES = 64 * 1024;
  /** How long a response body is read at most. */
  static final Duration BODY_WAIT = Duration.ofMillis(500);

  private final OkHttpClient client;
  private final boolean ownsClient;

  private OkHttpTransport(OkHttpClient client, boolean ownsClient) {
    this.client = client;
    this.ownsClient = ownsClient;
  }

  /**
   * Idle connections the own client keeps: the exporter's most senders (64), so that each keeps its
   * connection alive; OkHttp's default pool keeps 5 and closes the others after use.
   */
  static final int MAX_IDLE_CONNECTIONS = 64;

  /**
   * A transport with its own client (10 s connect, 30 s call timeout, up to 64 idle connections kept
   * alive for 5 minutes), shut down by {@link #close()}. A client passed to {@link
   * #create(OkHttpClient)} keeps its own pool: OkHttp's default keeps 5 idle connections, so that
   * more concurrent senders than that open new ones.
   */
  public static OkHttpTransport create() {
    return new OkHttpTransport(new OkHttpClient.Builder().connectTimeout(CONNECT_TIMEOUT).callTimeout(CALL_TIMEOUT)
        .connectionPool(new ConnectionPool(MAX_IDLE_CONNECTIONS, 5, TimeUnit.MINUTES)).build(), true);
  }

  /** A transport sending with {@code client}; {@link #close()} leaves it open. */
  public static OkHttpTransport create(OkHttpClient client) {
    return new OkHttpTransport(Objects.requireNonNull(client, "client"), false);
  }

  @Override
  public Response send(URI uri, Map<String, String> headers, byte[] body) throws IOException {
    // No media type on the body: the Content-Type header given is the one sent.
    Request.Builder request = new Request.Builder().url(uri.toString()).post(RequestBody.create(body, null));
    headers.forEach(request::header);
    Call call = client.newCall(request.build());
    try (Scope quiet = Instrumentation.suppress(); okhttp3.Response response = call.execute()) {
      Response answer = Response.of(response.code(), response.header(RETRY_AFTER), response.header(RATE_LIMITS));
      // Cancelled when not read to its end: closing would otherwise read on, to reuse the connection.
      if (!readBody(response.body().source())) call.cancel();
      return answer;
    }
  }

  /**
   * Reads a response body (Sentry's is a little JSON) so that the connection can be reused: at most
   * {@link #MAX_BODY_BYTES}, for at most {@link #BODY_WAIT}; true when it was read to its end. A
   * body cut short leaves the answer as it was.
   */
  private static boolean readBody(BufferedSource body) {
    body.timeout().deadline(BODY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    try (Buffer sink = new Buffer()) {
      for (long read = 0, n; read < MAX_BODY_BYTES; read += n) {
        n = body.read(sink, Math.min(8192, MAX_BODY_BYTES - read));
        if (n < 0) return true;
        sink.clear();
      }
      return body.exhausted(); // the body was exactly the cap; else more is coming
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    if (!ownsClient) return;
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  @Override
  public String toString() {
    return "OkHttpTransport{" + (ownsClient ? "own client" : client) + '}';
  }
}
