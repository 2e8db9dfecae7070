package io.sentrytrace.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentrytrace.EnvelopeTransport;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JdkHttpTransportTest {
  private static final Map<String, String> HEADERS =
      Map.of("X-Sentry-Auth", "Sentry sentry_version=7, sentry_key=k", "Content-Type", "application/x-sentry-envelope");
  private static final byte[] BODY = "{}\n{\"type\":\"transaction\",\"length\":2}\n{}\n".getBytes(StandardCharsets.UTF_8);

  private FakeSentry sentry;

  @BeforeEach
  void start() throws IOException {
    sentry = FakeSentry.start();
  }

  @AfterEach
  void stop() {
    sentry.close();
  }

  private URI uri() {
    return URI.create("http://127.0.0.1:" + sentry.port() + FakeSentry.ENVELOPE_PATH);
  }

  @Test
  void postsTheBodyWithExactlyTheGivenHeaders() throws Exception {
    EnvelopeTransport.Response response = JdkHttpTransport.create().send(uri(), HEADERS, BODY);

    assertThat(response.statusCode()).isEqualTo(200);
    FakeSentry.Request request = sentry.requests().get(0);
    assertThat(request.method).isEqualTo("POST");
    assertThat(request.path).isEqualTo(FakeSentry.ENVELOPE_PATH);
    assertThat(request.body).isEqualTo(BODY);
    assertThat(request.header("X-Sentry-Auth")).isEqualTo("Sentry sentry_version=7, sentry_key=k");
    assertThat(request.header("Content-Type")).isEqualTo("application/x-sentry-envelope");
    assertThat(request.headers).doesNotContainKeys("sentry-trace", "baggage", "traceparent");
  }

  @Test
  void returnsStatusAndRateLimitHeaders() throws Exception {
    sentry.enqueue(429, Map.of("Retry-After", "17", "X-Sentry-Rate-Limits", "17:transaction:key"));

    EnvelopeTransport.Response response = JdkHttpTransport.create().send(uri(), HEADERS, BODY);

    assertThat(response).isEqualTo(EnvelopeTransport.Response.of(429, "17", "17:transaction:key"));
  }

  @Test
  void absentHeadersAreNull() throws Exception {
    EnvelopeTransport.Response response = JdkHttpTransport.create().send(uri(), HEADERS, BODY);

    assertThat(response.retryAfter()).isNull();
    assertThat(response.rateLimits()).isNull();
  }

  @Test
  void connectionRefusedIsAnIOException() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    URI nowhere = URI.create("http://127.0.0.1:" + closedPort + "/api/1/envelope/");

    assertThatThrownBy(() -> JdkHttpTransport.create().send(nowhere, HEADERS, BODY)).isInstanceOf(ConnectException.class);
  }
}
