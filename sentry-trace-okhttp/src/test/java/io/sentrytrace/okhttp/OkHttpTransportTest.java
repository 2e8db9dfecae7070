package io.sentrytrace.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.EnvelopeTransport;
import io.sentrytrace.Scope;
import io.sentrytrace.Span;
import io.sentrytrace.SpanData;
import io.sentrytrace.Tracer;
import io.sentrytrace.envelope.EnvelopeTransportContract;
import io.sentrytrace.envelope.FakeSentry;
import io.sentrytrace.internal.Instrumentation;
import io.sentrytrace.testing.InMemorySpanExporter;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

/** The OkHttp transport keeps the transport contract, and leaves the user's client as it was. */
class OkHttpTransportTest extends EnvelopeTransportContract {
  @Override
  protected EnvelopeTransport newTransport() {
    return OkHttpTransport.create();
  }

  /**
   * The user's client is instrumented with our interceptor: the envelope POST goes out untraced,
   * an ordinary call on the same client under a span still gets the trace headers.
   */
  @Test
  void envelopePostIsNotTracedOnAnInstrumentedClient() throws Exception {
    InMemorySpanExporter spans = new InMemorySpanExporter();
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(spans).build();
    OkHttpClient client = TracingInterceptor.instrument(new OkHttpClient(), tracer);
    String ordinary = "http://127.0.0.1:" + sentry.port() + "/ordinary";

    Span tx = tracer.startTransaction("GET /", "http.server");
    try (Scope scope = tx.makeCurrent()) {
      OkHttpTransport.create(client).send(uri(), HEADERS, BODY);
      client.newCall(new Request.Builder().url(ordinary).build()).execute().close();
    }
    tx.finish();

    assertThat(Instrumentation.isSuppressed()).isFalse();
    List<FakeSentry.Request> received = sentry.requests();
    assertThat(received.get(0).headers).doesNotContainKeys("sentry-trace", "baggage");
    assertThat(received.get(1).header("sentry-trace")).startsWith(tx.traceId() + "-");
    // Only the ordinary call became an http.client span.
    assertThat(spans.transactions()).singleElement()
        .satisfies(t -> assertThat(t.spans()).extracting(SpanData::description).containsExactly("GET " + ordinary));
  }

  @Test
  void closeLeavesTheUsersClientOpen() throws Exception {
    OkHttpClient client = new OkHttpClient();
    OkHttpTransport.create(client).close();

    sentry.enqueue(202);
    assertThat(OkHttpTransport.create(client).send(uri(), HEADERS, BODY).statusCode()).isEqualTo(202);
    assertThat(client.dispatcher().executorService().isShutdown()).isFalse();
  }
}
