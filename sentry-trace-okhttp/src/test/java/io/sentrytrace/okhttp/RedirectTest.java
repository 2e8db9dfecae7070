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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The headers are decided per hop: two loopback servers, only one of them a target. */
@SuppressWarnings("try") // try (Scope scope = span.makeCurrent()) is the point
class RedirectTest {
  private final LoopbackServer first;
  private final LoopbackServer second;
  private final InMemorySpanExporter exporter = new InMemorySpanExporter();

  RedirectTest() throws Exception {
    first = new LoopbackServer();
    second = new LoopbackServer();
  }

  @AfterEach
  void close() {
    first.close();
    second.close();
  }

  private static OkHttpClient instrumented(Tracer tracer) {
    return SentryTraceInterceptor.instrument(new OkHttpClient(), tracer);
  }

  /** A call made by the user's code. */
  interface UserCall {
    void run() throws Exception;
  }

  /** Runs {@code call} with a new transaction current; returns the transaction, not finished. */
  private static Span inTransaction(Tracer tracer, UserCall call) throws Exception {
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      call.run();
    }
    return tx;
  }

  private Tracer tracerTargeting(LoopbackServer target) {
    return Tracer.builder().tracesSampleRate(1.0).exporter(exporter).tracePropagationTargets(List.of(target.target())).build();
  }

  @Test
  void redirectFromATargetToAnotherHostCarriesNoTraceHeaders() throws Exception {
    Tracer tracer = tracerTargeting(first);
    OkHttpClient client = instrumented(tracer);
    first.redirectTo(second.url("/landing"));
    second.respond(200);
    Span tx = inTransaction(tracer, () -> assertThat(execute(client, get(first.url("/start")))).isEqualTo(200));
    tx.finish();

    assertThat(Traced.sentryTrace(first.take()).traceId()).isEqualTo(tx.traceId());
    RecordedRequest atSecond = second.take();
    assertThat(atSecond.getHeaders().get(SentryTrace.HEADER)).isNull();
    assertThat(atSecond.getHeaders().get(Baggage.HEADER)).isNull();
  }

  @Test
  void redirectToAnotherHostPutsBackTheRequestsOwnBaggage() throws Exception {
    Tracer tracer = tracerTargeting(first);
    OkHttpClient client = instrumented(tracer);
    first.redirectTo(second.url("/landing"));
    second.respond(200);
    Span tx = inTransaction(tracer, () -> execute(client, new Request.Builder().url(first.url("/start")).header("baggage", "vendor=1").build()));

    assertThat(Traced.values(first.take(), Baggage.HEADER)).singleElement().asString()
        .startsWith("vendor=1,")
        .contains("sentry-trace_id=" + tx.traceId());
    assertThat(Traced.values(second.take(), Baggage.HEADER)).containsExactly("vendor=1");
  }

  @Test
  void redirectFromAnotherHostToATargetAddsTheHeaders() throws Exception {
    Tracer tracer = tracerTargeting(second);
    OkHttpClient client = instrumented(tracer);
    first.redirectTo(second.url("/landing"));
    second.respond(200);
    Span tx = inTransaction(tracer, () -> execute(client, get(first.url("/start"))));
    tx.finish();

    assertThat(first.take().getHeaders().get(SentryTrace.HEADER)).isNull();
    SpanData span = Traced.onlyChild(exporter);
    assertThat(Traced.sentryTrace(second.take()).spanId()).isEqualTo(span.spanId());
  }

  @Test
  void redirectWithinATargetSendsOneSetOfHeaders() throws Exception {
    Tracer tracer = tracerTargeting(first);
    OkHttpClient client = instrumented(tracer);
    first.redirectTo(first.url("/next")).redirectTo(first.url("/last")).respond(200);
    Span tx = inTransaction(tracer, () -> execute(client, new Request.Builder().url(first.url("/start")).header("baggage", "vendor=1").build()));
    tx.finish();

    SpanData span = Traced.onlyChild(exporter);
    assertThat(span.data()).containsEntry("url", first.url("/start")).containsEntry("http.response.status_code", 200);
    for (int hop = 0; hop < 3; hop++) {
      RecordedRequest received = first.take();
      assertThat(Traced.sentryTrace(received).spanId()).isEqualTo(span.spanId());
      assertThat(Traced.values(received, Baggage.HEADER)).singleElement().asString()
          .startsWith("vendor=1,sentry-")
          .satisfies(b -> assertThat(b.split("sentry-trace_id=", -1)).hasSize(2));
    }
  }

  @Test
  void enqueuedCallRedirectedToAnotherHostCarriesNoTraceHeaders() throws Exception {
    Tracer tracer = tracerTargeting(first);
    OkHttpClient client = instrumented(tracer);
    first.redirectTo(second.url("/landing"));
    second.respond(200);
    Span tx = inTransaction(tracer, () -> assertThat(Calls.await(Calls.enqueue(client, get(first.url("/start"))))).isEqualTo(200));

    assertThat(Traced.sentryTrace(first.take()).traceId()).isEqualTo(tx.traceId());
    assertThat(second.take().getHeaders().get(SentryTrace.HEADER)).isNull();
  }

  @Test
  void asANetworkInterceptorAloneEachHopIsASpanAndDecidesItsHeaders() throws Exception {
    Tracer tracer = tracerTargeting(first);
    OkHttpClient client = new OkHttpClient.Builder().addNetworkInterceptor(new SentryTraceInterceptor(tracer)).build();
    first.redirectTo(second.url("/landing"));
    second.respond(200);
    Span tx = inTransaction(tracer, () -> execute(client, get(first.url("/start"))));
    tx.finish();

    List<SpanData> spans = exporter.transactions().get(0).spans();
    assertThat(spans).extracting(SpanData::description)
        .containsExactly("GET " + first.url("/start"), "GET " + second.url("/landing"));
    assertThat(Traced.sentryTrace(first.take()).spanId()).isEqualTo(spans.get(0).spanId());
    assertThat(second.take().getHeaders().get(SentryTrace.HEADER)).isNull();
  }
}
