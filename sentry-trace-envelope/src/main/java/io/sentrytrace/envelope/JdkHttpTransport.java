package io.sentrytrace.envelope;

import io.sentrytrace.EnvelopeTransport;
import io.sentrytrace.Instrumentation;
import io.sentrytrace.Scope;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Sends envelopes with the JDK's {@link HttpClient}, for apps that configure one (proxy
 * authentication, TLS, executor); no extra dependency. Each request times out after 30 seconds.
 * The request is sent with our instrumentation suppressed and carries only the exporter's headers.
 * The exporter's default, {@link UrlConnectionTransport}, costs less CPU per envelope: this client
 * hands each exchange between its selector and executor threads.
 *
 * <pre>{@code
 * EnvelopeExporter exporter = EnvelopeExporter.builder(dsn)
 *     .transport(JdkHttpTransport.create(HttpClient.newBuilder().proxy(myProxy).build()))
 *     .build();
 * }</pre>
 */
public final class JdkHttpTransport implements EnvelopeTransport {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient client;
  private final boolean ownsClient;

  private JdkHttpTransport(HttpClient client, boolean ownsClient) {
    this.client = client;
    this.ownsClient = ownsClient;
  }

  /** A transport with its own client (HTTP/1.1, 10 s connect timeout). */
  public static JdkHttpTransport create() {
    return new JdkHttpTransport(
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build(), true);
  }

  /** A transport sending with {@code client} (its proxy, TLS and connect settings apply). */
  public static JdkHttpTransport create(HttpClient client) {
    return new JdkHttpTransport(Objects.requireNonNull(client, "client"), false);
  }

  @Override
  public Response send(URI uri, Map<String, String> headers, byte[] body) throws IOException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(request::header);
    HttpResponse<Void> response;
    try (Scope quiet = Instrumentation.suppress()) {
      response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException io = new InterruptedIOException("interrupted while sending the envelope");
      io.initCause(e);
      throw io;
    }
    return Response.of(
        response.statusCode(),
        response.headers().firstValue(RETRY_AFTER).orElse(null),
        response.headers().firstValue(RATE_LIMITS).orElse(null));
  }

  /**
   * Releases the client this transport created (from Java 21 on, {@code HttpClient} holds a
   * selector thread until closed); a client the user passed in stays open.
   */
  @Override
  public void close() {
    if (ownsClient && client instanceof AutoCloseable) {
      try {
        ((AutoCloseable) client).close();
      } catch (Exception e) {
        System.getLogger(JdkHttpTransport.class.getName()).log(System.Logger.Level.DEBUG, "closing the HttpClient failed", e);
      }
    }
  }

  @Override
  public String toString() {
    return "JdkHttpTransport{" + client + '}';
  }
}
