package io.sentrytrace.okhttp;

import static io.sentrytrace.okhttp.Calls.execute;
import static io.sentrytrace.okhttp.Calls.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.Baggage;
import io.sentrytrace.InMemorySpanExporter;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Scope;
import io.sentrytrace.Span;
import io.sentrytrace.SpanData;
import io.sentrytrace.Tracer;
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
    client = SentryTraceInterceptor.instrument(new OkHttpClient(), tracer);
  }

  @AfterEach
  void close() {
    server.close();
  }

  @Test
  void mergesAnExistingBaggageKeepingOtherVendorsAndReplacingSentryMembers() throws Exception {
    Request request = new Request.Builder().url(server.respond(200).url("/"))
        .header("baggage", "other-vendor=1,sentry-trace_id=00000000000000000000000000000001,sentry-release=old")
        .build();
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      execute(client, request);
    }

    List<String> baggage = Traced.values(server.take(), Baggage.HEADER);
    assertThat(baggage).hasSize(1);
    Baggage parsed = Baggage.parse(baggage.get(0));
    assertThat(baggage.get(0)).startsWith("other-vendor=1,");
    assertThat(parsed.get("trace_id")).isEqualTo(tx.traceId().toString());
    assertThat(parsed.get("release")).isEqualTo("shop@1.0");
    assertThat(baggage.get(0)).doesNotContain("00000000000000000000000000000001").doesNotContain("old");
  }

  @Test
  void mergesRepeatedBaggageHeadersIntoOne() throws Exception {
    Request request = new Request.Builder().url(server.respond(200).url("/"))
        .addHeader("baggage", "a=1")
        .addHeader("baggage", "b=2")
        .build();
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      execute(client, request);
    }

    assertThat(Traced.values(server.take(), Baggage.HEADER)).singleElement().asString()
        .startsWith("a=1,b=2,sentry-trace_id=" + tx.traceId());
  }

  @Test
  void keepsASentryTraceTheUserSetAndAddsNoBaggage() throws Exception {
    Request request = new Request.Builder().url(server.respond(200).url("/")).header("sentry-trace", USER_TRACE).build();
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      execute(client, request);
    }
    tx.finish();

    RecordedRequest received = server.take();
    assertThat(Traced.values(received, SentryTrace.HEADER)).containsExactly(USER_TRACE);
    assertThat(received.getHeaders().get(Baggage.HEADER)).isNull();
    assertThat(Traced.onlyChild(exporter).op()).isEqualTo("http.client");
  }

  @Test
  void sendingTheSameRequestTwiceDoesNotGrowItsHeaders() throws Exception {
    Request request = new Request.Builder().url(server.respond(200).respond(200).url("/")).header("baggage", "vendor=1").build();
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      execute(client, request);
      execute(client, request);
    }
    tx.finish();

    List<SpanData> spans = exporter.transactions().get(0).spans();
    assertThat(spans).hasSize(2);
    for (SpanData span : spans) {
      RecordedRequest received = server.take();
      assertThat(Traced.sentryTrace(received).spanId()).isEqualTo(span.spanId());
      assertThat(Traced.values(received, Baggage.HEADER)).singleElement().asString()
          .startsWith("vendor=1,sentry-")
          .satisfies(b -> assertThat(b.split("vendor=1", -1)).hasSize(2));
    }
    assertThat(request.headers("sentry-trace")).as("the user's request is never changed").isEmpty();
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
    SentryTraceInterceptor interceptor = new SentryTraceInterceptor(tracer);
    OkHttpClient twice = new OkHttpClient.Builder().addInterceptor(interceptor).addInterceptor(new SentryTraceInterceptor(tracer)).build();
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      execute(SentryTraceInterceptor.instrument(twice, tracer), get(server.respond(200).url("/")));
    }
    tx.finish();

    RecordedRequest received = server.take();
    assertThat(Traced.sentryTrace(received).spanId()).isEqualTo(Traced.onlyChild(exporter).spanId());
    assertThat(Traced.values(received, Baggage.HEADER)).hasSize(1);
  }
}
