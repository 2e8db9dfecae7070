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
    return TracingInterceptor.instrument(new OkHttpClient(), tracer);
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
  void asANetworkInterceptorAloneEachHopIsASpanAndDecidesItsHeaders() throws Exception {
    Tracer tracer = tracerTargeting(first);
    OkHttpClient client = new OkHttpClient.Builder().addNetworkInterceptor(TracingInterceptor.create(tracer)).build();
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
