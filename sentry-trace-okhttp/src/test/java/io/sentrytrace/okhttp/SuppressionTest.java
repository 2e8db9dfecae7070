package io.sentrytrace.okhttp;

import static io.sentrytrace.okhttp.Calls.await;
import static io.sentrytrace.okhttp.Calls.enqueue;
import static io.sentrytrace.okhttp.Calls.execute;
import static io.sentrytrace.okhttp.Calls.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.Baggage;
import io.sentrytrace.Scope;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import io.sentrytrace.internal.Instrumentation;
import io.sentrytrace.testing.InMemorySpanExporter;
import java.util.concurrent.CompletableFuture;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** While instrumentation is suppressed, requests go out as they are and record nothing. */
@SuppressWarnings("try") // try (Scope scope = span.makeCurrent()) is the point
class SuppressionTest {
  private final LoopbackServer server;
  private final InMemorySpanExporter exporter = new InMemorySpanExporter();
  private final Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(exporter).build();
  private final OkHttpClient client = TracingInterceptor.instrument(new OkHttpClient(), tracer);

  SuppressionTest() throws Exception {
    server = new LoopbackServer();
  }

  @AfterEach
  void close() {
    server.close();
  }

  private void assertUntouched(RecordedRequest received) {
    assertThat(received.getHeaders().get(SentryTrace.HEADER)).isNull();
    assertThat(received.getHeaders().get(Baggage.HEADER)).isNull();
  }

  @Test
  void aSuppressedTagSilencesAnEnqueuedCallWithoutTheEventListener() throws Exception {
    OkHttpClient byHand = new OkHttpClient.Builder().addInterceptor(TracingInterceptor.create(tracer)).build();
    Span tx = tracer.startTransaction("checkout", "task");
    Request tagged = Suppressed.tag(new Request.Builder().url(server.respond(200).url("/")).tag(Span.class, tx)).build();
    await(enqueue(byHand, tagged));
    tx.finish();

    assertUntouched(server.take());
    assertThat(exporter.transactions()).singleElement().satisfies(t -> assertThat(t.spans()).isEmpty());
  }
}
