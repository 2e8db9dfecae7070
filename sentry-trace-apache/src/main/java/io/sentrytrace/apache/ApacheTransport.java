package io.sentrytrace.apache;

import io.sentrytrace.EnvelopeTransport;
import io.sentrytrace.Instrumentation;
import io.sentrytrace.Scope;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * Sends Sentry envelopes with Apache HttpClient 5 (classic), for apps that already configure a
 * {@link CloseableHttpClient} (proxy, TLS, pooling). The request carries exactly the exporter's
 * headers and is sent with our instrumentation suppressed, so a client with our interceptor
 * installed neither traces it nor adds {@code sentry-trace} to it.
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

  private final CloseableHttpClient client;
  private final boolean ownsClient;

  private ApacheTransport(CloseableHttpClient client, boolean ownsClient) {
    this.client = client;
    this.ownsClient = ownsClient;
  }

  /**
   * A transport with its own client (10 s connect, 30 s response timeout, no automatic retries:
   * the exporter retries), closed by {@link #close()}.
   */
  public static ApacheTransport create() {
    CloseableHttpClient client = HttpClients.custom()
        .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
            .setDefaultConnectionConfig(ConnectionConfig.custom()
                .setConnectTimeout(CONNECT_TIMEOUT).setSocketTimeout(RESPONSE_TIMEOUT).build())
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
      // The handler form consumes the response entity, so the connection goes back to the pool.
      return client.execute(post, response ->
          Response.of(response.getCode(), value(response, RETRY_AFTER), value(response, RATE_LIMITS)));
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
