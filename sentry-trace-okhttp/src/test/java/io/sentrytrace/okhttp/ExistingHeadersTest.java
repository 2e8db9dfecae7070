package io.sentrytrace.okhttp;

import static io.sentrytrace.okhttp.Calls.execute;
import static io.sentrytrace.okhttp.Calls.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.Baggage;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Scope;
import io.sentrytrace.Span;
import io.sentrytrace.SpanData;
import io.sentrytrace.Tracer;
import io.sentrytrace.testing.InMemorySpanExporter;
import java.util.List;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Headers the request already carries: kept, merged, never repeated. */
@SuppressWarnings("try") // try (Scope scope = span.makeCurrent()) is the point
class ExistingHeadersTest {
  private static final String USER_TRACE = "771a43a4192642f0b136d5159a501700-a1b2c3d4e5f60718-0";

  private final LoopbackServer server;
  private final InMemorySpanExporter exporter = new InMemorySpanExporter();
  private final Tracer tracer;
  private final OkHttpClient client;

  ExistingHeadersTest() throws Exception {
    server = new LoopbackServer();
    tracer = Tracer.builder().tracesSampleRate(1.0).release("shop@1.0").exporter(exporter).build();
    client = TracingInterceptor.instrument(new OkHttpClient(), tracer);
  }

  @AfterEach
  void close() {
    server.close();
  }

  @Test
  void resendingAResponsesRequestNamesTheNewSpanOnly() throws Exception {
    server.respond(200).respond(200);
    Span tx = tracer.startTransaction("checkout", "task");
    Request sent;
    try (Scope scope = tx.makeCurrent()) {
      try (Response response = client.newCall(new Request.Builder().url(server.url("/")).header("baggage", "vendor=1").build()).execute()) {
        sent = response.request();
      }
      execute(client, sent);
    }
    tx.finish();

    List<SpanData> spans = exporter.transactions().get(0).spans();
    assertThat(spans).hasSize(2);
    server.take();
    RecordedRequest again = server.take();
    assertThat(Traced.sentryTrace(again).spanId()).isEqualTo(spans.get(1).spanId());
    assertThat(Traced.values(again, Baggage.HEADER)).singleElement().asString()
        .satisfies(b -> assertThat(b.split("sentry-trace_id=", -1)).hasSize(2))
        .satisfies(b -> assertThat(b.split("vendor=1", -1)).hasSize(2));
  }

  @Test
  void registeredTwiceItAddsOneSpanAndOneSetOfHeaders() throws Exception {
    TracingInterceptor interceptor = TracingInterceptor.create(tracer);
    OkHttpClient twice = new OkHttpClient.Builder().addInterceptor(interceptor).addInterceptor(TracingInterceptor.create(tracer)).build();
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      execute(TracingInterceptor.instrument(twice, tracer), get(server.respond(200).url("/")));
    }
    tx.finish();

    RecordedRequest received = server.take();
    assertThat(Traced.sentryTrace(received).spanId()).isEqualTo(Traced.onlyChild(exporter).spanId());
    assertThat(Traced.values(received, Baggage.HEADER)).hasSize(1);
  }
}
