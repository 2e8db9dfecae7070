package io.sentrytrace.apache;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.Baggage;
import io.sentrytrace.Scope;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Span;
import io.sentrytrace.SpanData;
import io.sentrytrace.Tracer;
import io.sentrytrace.http.HttpClientPeer;
import io.sentrytrace.testing.InMemorySpanExporter;
import io.sentrytrace.http.internal.HttpSpanData;
import java.util.List;

/**
 * The shared contract's redirect cases as they go when the interceptor is registered first (the
 * README's set-up): it sees each call once, above the client's redirect handling, and the client
 * rebuilds every redirect hop from the caller's request, so only the first hop carries our headers
 * and the call is one span. The {@code *FirstClientContractTest}s run these instead.
 */
@SuppressWarnings("try") // scopes are opened for their effect on the current span
final class FirstRegistration {
  private FirstRegistration() {}

  /** Sends a GET to {@code url} with the instrumented client of {@code tracer}; the status code. */
  interface Get {
    int get(Tracer tracer, String url, String... headers) throws Exception;
  }

  static void aRedirectToATargetCarriesNoHeaders(HttpClientPeer other, HttpClientPeer target, InMemorySpanExporter exporter, Get get)
      throws Exception {
    Tracer tracer = targeting(target, exporter);
    other.redirectTo(target.url("/landing"));
    inTransaction(tracer, () -> assertThat(get.get(tracer, other.url("/start"))).isEqualTo(200));

    assertUntraced(other.take());
    assertUntraced(target.take());
    assertThat(exporter.transactions().get(0).spans()).singleElement().satisfies(span -> assertThat(span.data())
        .containsEntry(HttpSpanData.URL, other.url("/start"))
        .containsEntry(HttpSpanData.STATUS_CODE, 200));
  }

  static void laterHopsWithinATargetCarryOnlyTheRequestsOwnHeaders(HttpClientPeer target, InMemorySpanExporter exporter, Get get)
      throws Exception {
    Tracer tracer = targeting(target, exporter);
    target.redirectTo(target.url("/next")).redirectTo(target.url("/last"));
    Span tx = inTransaction(tracer, () -> get.get(tracer, target.url("/start"), "baggage", "vendor=1"));

    HttpClientPeer.Received first = target.take();
    SpanData span = exporter.transactions().get(0).spans().get(0);
    assertThat(exporter.transactions().get(0).spans()).hasSize(1);
    assertThat(first.header(SentryTrace.HEADER)).isEqualTo(SentryTrace.of(tx.traceId(), span.spanId(), true).toString());
    assertThat(first.header(Baggage.HEADER)).startsWith("vendor=1,sentry-trace_id=" + tx.traceId());
    for (HttpClientPeer.Received hop : List.of(target.take(), target.take())) {
      assertUntraced(hop);
      assertThat(hop.values(Baggage.HEADER)).containsExactly("vendor=1");
    }
  }

  private interface Call {
    void run() throws Exception;
  }

  private static Tracer targeting(HttpClientPeer target, InMemorySpanExporter exporter) {
    return Tracer.builder().tracesSampleRate(1.0).exporter(exporter).tracePropagationTargets(List.of(target.target())).build();
  }

  private static Span inTransaction(Tracer tracer, Call call) throws Exception {
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      call.run();
    } finally {
      tx.finish();
    }
    return tx;
  }

  private static void assertUntraced(HttpClientPeer.Received received) {
    assertThat(received.values(SentryTrace.HEADER)).isEmpty();
    assertThat(received.values("traceparent")).isEmpty();
  }
}
