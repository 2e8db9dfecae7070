package io.sentrytrace.apache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentrytrace.EnvelopeTransport;
import io.sentrytrace.Scope;
import io.sentrytrace.Span;
import io.sentrytrace.SpanData;
import io.sentrytrace.Tracer;
import io.sentrytrace.envelope.EnvelopeTransportContract;
import io.sentrytrace.envelope.FakeSentry;
import io.sentrytrace.internal.Instrumentation;
import io.sentrytrace.testing.InMemorySpanExporter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.junit.jupiter.api.Test;

/** The Apache transport keeps the transport contract, and closes only a client it made. */
class ApacheTransportTest extends EnvelopeTransportContract {
  @Override
  protected EnvelopeTransport newTransport() {
    return ApacheTransport.create();
  }

  /**
   * The user's client carries our exec interceptor: the envelope POST goes out untraced, an
   * ordinary call on the same client under a span still gets the trace headers and a span.
   */
  @Test
  void envelopePostIsNotTracedOnAnInstrumentedClient() throws Exception {
    InMemorySpanExporter spans = new InMemorySpanExporter();
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(spans).build();
    Span tx = tracer.startTransaction("GET /", "http.server");
    try (CloseableHttpClient client =
            HttpClients.custom().addExecInterceptorFirst("sentry-trace", TracingExecInterceptor.create(tracer)).build();
        Scope scope = tx.makeCurrent()) {
      ApacheTransport.create(client).send(uri(), HEADERS, BODY);
      client.execute(new HttpGet("http://127.0.0.1:" + sentry.port() + "/ordinary"),
          response -> EntityUtils.toString(response.getEntity()));
    }
    tx.finish();

    assertThat(Instrumentation.isSuppressed()).isFalse();
    List<FakeSentry.Request> received = sentry.requests();
    assertThat(received.get(0).headers).doesNotContainKeys("sentry-trace", "baggage");
    assertThat(received.get(1).header("sentry-trace")).startsWith(tx.traceId() + "-");
    assertThat(spans.transactions()).singleElement()
        .satisfies(t -> assertThat(t.spans()).extracting(SpanData::op).containsExactly("http.client"));
  }

  @Test
  void closeLeavesTheUsersClientOpen() throws Exception {
    try (CloseableHttpClient client = HttpClients.createDefault()) {
      ApacheTransport.create(client).close();

      sentry.enqueue(202);
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
  void connectionRefusedIsApachesHostConnectException() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    URI nowhere = URI.create("http://127.0.0.1:" + closedPort + FakeSentry.ENVELOPE_PATH);
    try (ApacheTransport transport = ApacheTransport.create()) {
      assertThatThrownBy(() -> transport.send(nowhere, HEADERS, BODY)).isInstanceOf(HttpHostConnectException.class);
    }
  }
}
