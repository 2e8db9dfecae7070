package io.sentrytrace.okhttp;

import io.sentrytrace.EnvelopeTransport;
import io.sentrytrace.Instrumentation;
import io.sentrytrace.Scope;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * Sends Sentry envelopes with OkHttp, for apps that already configure an {@link OkHttpClient}
 * (proxy, TLS, connection pool). The request carries exactly the exporter's headers and is sent
 * with our instrumentation suppressed, so a client with our interceptor installed neither traces it
 * nor adds {@code sentry-trace} to it.
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

  private final OkHttpClient client;
  private final boolean ownsClient;

  private OkHttpTransport(OkHttpClient client, boolean ownsClient) {
    this.client = client;
    this.ownsClient = ownsClient;
  }

  /** A transport with its own client (10 s connect, 30 s call timeout), shut down by {@link #close()}. */
  public static OkHttpTransport create() {
    return new OkHttpTransport(
        new OkHttpClient.Builder().connectTimeout(CONNECT_TIMEOUT).callTimeout(CALL_TIMEOUT).build(), true);
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
    try (Scope quiet = Instrumentation.suppress();
        okhttp3.Response response = client.newCall(request.build()).execute()) {
      response.body().bytes(); // read to the end so the connection can be reused
      return Response.of(response.code(), response.header(RETRY_AFTER), response.header(RATE_LIMITS));
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
