package io.sentrytrace.apache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentrytrace.EnvelopeTransport;
import io.sentrytrace.Instrumentation;
import io.sentrytrace.InMemorySpanExporter;
import io.sentrytrace.Scope;
import io.sentrytrace.SpanData;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApacheTransportTest {
  private static final String PATH = "/api/42/envelope/";
  private static final Map<String, String> HEADERS = Map.of(
      "X-Sentry-Auth", "Sentry sentry_version=7, sentry_key=k, sentry_client=sentry-trace/test",
      "Content-Type", "application/x-sentry-envelope");
  private static final byte[] BODY = "{}\n{\"type\":\"transaction\",\"length\":2}\n{}\n".getBytes(StandardCharsets.UTF_8);

  private final MockWebServer server = new MockWebServer();

  @BeforeEach
  void start() throws IOException {
    server.start(InetAddress.getLoopbackAddress(), 0);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private URI uri() {
    return server.url(PATH).uri();
  }

  private RecordedRequest take() throws InterruptedException {
    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request).isNotNull();
    return request;
  }

  @Test
  void postsTheBodyWithExactlyTheGivenHeaders() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("{}").build());
    try (ApacheTransport transport = ApacheTransport.create()) {
      assertThat(transport.send(uri(), HEADERS, BODY).statusCode()).isEqualTo(200);
    }
    RecordedRequest request = take();
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(request.getUrl().encodedPath()).isEqualTo(PATH);
    assertThat(request.getBody().toByteArray()).isEqualTo(BODY);
    assertThat(request.getHeaders().get("X-Sentry-Auth")).isEqualTo(HEADERS.get("X-Sentry-Auth"));
    assertThat(request.getHeaders().values("Content-Type")).containsExactly("application/x-sentry-envelope");
    assertThat(request.getHeaders().names()).doesNotContain("sentry-trace", "baggage", "traceparent");
  }

  @Test
  void returnsStatusAndRateLimitHeaders() throws Exception {
    server.enqueue(new MockResponse.Builder().code(429)
        .addHeader("Retry-After", "17").addHeader("X-Sentry-Rate-Limits", "17:transaction:key").build());
    try (ApacheTransport transport = ApacheTransport.create()) {
      assertThat(transport.send(uri(), HEADERS, BODY))
          .isEqualTo(EnvelopeTransport.Response.of(429, "17", "17:transaction:key"));
    }
  }

  /**
   * The user's client carries our exec interceptor: the envelope POST goes out untraced, an
   * ordinary call on the same client under a span still gets the trace headers and a span.
   */
  @Test
  void envelopePostIsNotTracedOnAnInstrumentedClient() throws Exception {
    InMemorySpanExporter spans = new InMemorySpanExporter();
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(spans).build();
    server.enqueue(new MockResponse.Builder().code(200).build());
    server.enqueue(new MockResponse.Builder().code(200).build());
    Span tx = tracer.startTransaction("GET /", "http.server");
    try (CloseableHttpClient client =
            HttpClients.custom().addExecInterceptorFirst("sentry-trace", new SentryTraceExecInterceptor(tracer)).build();
        Scope scope = tx.makeCurrent()) {
      ApacheTransport.create(client).send(uri(), HEADERS, BODY);
      client.execute(new HttpGet(server.url("/ordinary").uri()), response -> EntityUtils.toString(response.getEntity()));
    }
    tx.finish();

    assertThat(Instrumentation.isSuppressed()).isFalse();
    RecordedRequest envelopePost = take();
    assertThat(envelopePost.getHeaders().names()).doesNotContain("sentry-trace", "baggage");
    assertThat(take().getHeaders().get("sentry-trace")).startsWith(tx.traceId() + "-");
    assertThat(spans.transactions()).singleElement()
        .satisfies(t -> assertThat(t.spans()).extracting(SpanData::op).containsExactly("http.client"));
  }

  @Test
  void closeLeavesTheUsersClientOpen() throws Exception {
    try (CloseableHttpClient client = HttpClients.createDefault()) {
      ApacheTransport.create(client).close();

      server.enqueue(new MockResponse.Builder().code(202).build());
      assertThat(ApacheTransport.create(client).send(uri(), HEADERS, BODY).statusCode()).isEqualTo(202);
    }
  }

  @Test
  void closeShutsDownItsOwnClient() throws Exception {
    ApacheTransport transport = ApacheTransport.create();
    transport.close();

    assertThatThrownBy(() -> transport.send(uri(), HEADERS, BODY)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void connectionRefusedIsAnIOException() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    URI nowhere = URI.create("http://127.0.0.1:" + closedPort + PATH);
    try (ApacheTransport transport = ApacheTransport.create()) {
      assertThatThrownBy(() -> transport.send(nowhere, HEADERS, BODY)).isInstanceOf(HttpHostConnectException.class);
    }
  }
}
