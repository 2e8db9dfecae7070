package io.sentrytrace.http;

import static org.assertj.core.api.Assertions.assertThat;
import io.sentrytrace.Scope;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Span;
import io.sentrytrace.SpanData;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import io.sentrytrace.internal.Instrumentation;
import io.sentrytrace.testing.InMemorySpanExporter;
import io.sentrytrace.http.internal.HttpSpanData;
import io.sentrytrace.test.LogRecords;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The handler on its own, with a request adapter over a map: what no real client can break. */
@SuppressWarnings("try")
class HttpClientHandlerTest {
  private final InMemorySpanExporter exporter = new InMemorySpanExporter();
  private final Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(exporter).build();
  private final HttpClientHandler handler = HttpClientHandler.create(tracer);

  private SpanData onlySpan() {
    assertThat(exporter.transactions()).hasSize(1);
    assertThat(exporter.transactions().get(0).spans()).hasSize(1);
    return exporter.transactions().get(0).spans().get(0);
  }

  @Test
  void aSetterThatThrowsLeavesTheRequestToGoOutAsItWasAndStillRecordsTheSpan() {
    Span tx = tracer.startTransaction("checkout", "task");
    MapRequest request = new MapRequest("http://h/");
    request.failOn = "baggage";
    HttpClientExchange exchange;
    try (LogRecords log = LogRecords.asConfigured(HttpClientHandler.class.getName())) {
      exchange = handler.start(request, handler.capture(tx));
      exchange.finish(200, 5);
      tx.finish();
      assertThat(log.lines()).singleElement().asString().startsWith("WARNING").contains("setter broke");
    }

    assertThat(exchange.propagated()).isFalse();
    assertThat(onlySpan().status()).isEqualTo(SpanStatus.OK);
  }

  @Test
  void anAdapterWhoseUrlThrowsGetsAnExchangeThatDoesNothing() {
    HttpClientRequest broken = new MapRequest("http://h/") {
      @Override
      public RequestUrl url() {
        throw new IllegalStateException("adapter broke");
      }
    };
    Span tx = tracer.startTransaction("checkout", "task");
    HttpClientExchange exchange;
    try (LogRecords log = LogRecords.asConfigured(HttpClientHandler.class.getName())) {
      exchange = handler.start(broken, handler.capture(tx));
      exchange.finish(200, -1);
      tx.finish();
      assertThat(log.lines()).singleElement().asString().startsWith("WARNING").contains("adapter broke");
    }

    assertThat(exchange.propagated()).isFalse();
    assertThat(exchange.span()).isNull();
    assertThat(exporter.transactions().get(0).spans()).isEmpty();
  }

  @Test
  void aParentCapturedWhileSuppressedDoesNothingAnywhere() {
    HttpClientHandler.Parent parent;
    try (Scope quiet = Instrumentation.suppress()) {
      parent = handler.capture();
    }
    MapRequest request = new MapRequest("http://h/");
    HttpClientExchange exchange = handler.start(request, parent);

    assertThat(parent.isSuppressed()).isTrue();
    assertThat(exchange.propagated()).isFalse();
    assertThat(exchange.propagate(request)).isFalse();
    assertThat(request.headers).isEmpty();
  }

  @Test
  void aNonRecordingParentSpanGivesItsHeadersAndNoChild() {
    Tracer off = Tracer.builder().exporter(exporter).build();
    HttpClientHandler propagating = HttpClientHandler.create(off);
    Span tx = off.startTransaction("checkout", "task");
    MapRequest request = new MapRequest("http://h/");
    HttpClientExchange exchange = propagating.start(request, propagating.capture(tx));

    assertThat(exchange.span()).isNull();
    assertThat(request.headers.get(SentryTrace.HEADER)).isEqualTo(tx.toSentryTrace());
  }

  @Test
  void aSwitchingProtocolsResponseEndsTheSpan() {
    Span tx = tracer.startTransaction("checkout", "task");
    HttpClientExchange exchange = handler.start(new MapRequest("ws://h/chat"), handler.capture(tx));
    exchange.response(101, -1);
    exchange.failed(new IllegalStateException("later"));
    tx.finish();

    SpanData span = onlySpan();
    assertThat(span.status()).isEqualTo(SpanStatus.OK);
    assertThat(span.data()).containsEntry(HttpSpanData.STATUS_CODE, 101);
  }

  @Test
  void aResponseEndingTheExchangeIsRecordedWithoutASeparateTimeToFirstByte() {
    Span tx = tracer.startTransaction("checkout", "task");
    handler.start(new MapRequest("http://h/empty"), handler.capture(tx)).finish(204, 0);
    HttpClientExchange streamed = handler.start(new MapRequest("http://h/body"), handler.capture(tx));
    streamed.response(200, 5);
    streamed.finish();
    tx.finish();

    List<SpanData> spans = exporter.transactions().get(0).spans();
    assertThat(spans.get(0).status()).isEqualTo(SpanStatus.OK);
    assertThat(spans.get(0).data())
        .containsEntry(HttpSpanData.STATUS_CODE, 204)
        .containsEntry(HttpSpanData.RESPONSE_CONTENT_LENGTH, 0L)
        .doesNotContainKey(HttpSpanData.TIME_TO_FIRST_BYTE);
    assertThat(spans.get(1).data())
        .containsEntry(HttpSpanData.STATUS_CODE, 200)
        .containsKey(HttpSpanData.TIME_TO_FIRST_BYTE);
    double ttfbMillis = (Double) spans.get(1).data().get(HttpSpanData.TIME_TO_FIRST_BYTE);
    assertThat(ttfbMillis).isBetween(0.0, spans.get(1).duration().toNanos() / 1e6);
  }

  @Test
  void onlyTheFirstEndCounts() {
    Span tx = tracer.startTransaction("checkout", "task");
    HttpClientExchange exchange = handler.start(new MapRequest("http://h/"), handler.capture(tx));
    exchange.cancelled();
    exchange.finish(200, 5);
    exchange.failed(new IllegalStateException("late"));
    tx.finish();

    SpanData span = onlySpan();
    assertThat(span.status()).isEqualTo(SpanStatus.CANCELLED);
    assertThat(span.data()).doesNotContainKey(HttpSpanData.STATUS_CODE);
  }

  @Test
  void aCancellationWrappedByAFutureIsACancelAndAnyOtherFailureAnInternalError() {
    Span tx = tracer.startTransaction("checkout", "task");
    handler.start(new MapRequest("http://h/a"), handler.capture(tx)).failed(new CompletionException(new CancellationException()));
    handler.start(new MapRequest("http://h/b"), handler.capture(tx)).failed(new InterruptedException());
    handler.start(new MapRequest("http://h/c"), handler.capture(tx)).failed(new java.io.IOException("reset"));
    tx.finish();

    assertThat(exporter.transactions().get(0).spans())
        .extracting(SpanData::status)
        .containsExactly(SpanStatus.CANCELLED, SpanStatus.CANCELLED, SpanStatus.INTERNAL_ERROR);
  }

  @Test
  void aHopIsDecidedOnItsOwnUrl() {
    Tracer targeted = Tracer.builder().tracesSampleRate(1.0).tracePropagationTargets(java.util.List.of("https://api.example.com/")).build();
    HttpClientHandler h = HttpClientHandler.create(targeted);
    Span tx = targeted.startTransaction("checkout", "task");
    MapRequest first = new MapRequest("https://api.example.com/start");
    HttpClientExchange exchange = h.start(first, h.capture(tx));
    MapRequest elsewhere = new MapRequest("https://other.example.com/landing");
    MapRequest back = new MapRequest("https://API.example.com/again");

    assertThat(exchange.propagated()).isTrue();
    assertThat(exchange.propagate(elsewhere)).isFalse();
    assertThat(elsewhere.headers).isEmpty();
    assertThat(exchange.propagate(back)).as("targets see the host lower-cased").isTrue();
    assertThat(back.headers.get(SentryTrace.HEADER)).isEqualTo(first.headers.get(SentryTrace.HEADER));
  }
}
