package io.sentrytrace.okhttp;

import static io.sentrytrace.okhttp.Calls.execute;
import static io.sentrytrace.okhttp.Calls.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.Baggage;
import io.sentrytrace.InMemorySpanExporter;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Scope;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import java.util.List;
import java.util.regex.Pattern;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try") // try (Scope scope = span.makeCurrent()) is the point
class PropagationTargetsTest {
  private final LoopbackServer server;
  private final InMemorySpanExporter exporter = new InMemorySpanExporter();

  PropagationTargetsTest() throws Exception {
    server = new LoopbackServer();
  }

  @AfterEach
  void close() {
    server.close();
  }



  @Test
  void addsSentryTraceAndBaggageToATarget() throws Exception {
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(exporter).tracePropagationTargets(List.of(server.target())).build();
    OkHttpClient client = SentryTraceInterceptor.instrument(new OkHttpClient(), tracer);
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      execute(client, get(server.respond(200).url("/orders")));
    }
    tx.finish();

    RecordedRequest received = server.take();
    SentryTrace sent = Traced.sentryTrace(received);
    assertThat(sent.traceId()).isEqualTo(tx.traceId());
    assertThat(sent.spanId()).isEqualTo(Traced.onlyChild(exporter).spanId());
    assertThat(sent.sampled()).isTrue();
    assertThat(Traced.values(received, Baggage.HEADER)).singleElement().asString()
        .contains("sentry-trace_id=" + tx.traceId())
        .contains("sentry-sampled=true");
  }

  @Test
  void addsNoHeadersToAUrlThatIsNotATarget() throws Exception {
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(exporter)
        .tracePropagationTargets(List.of(Pattern.compile("^https://api\\.example\\.com/"))).build();
    OkHttpClient client = SentryTraceInterceptor.instrument(new OkHttpClient(), tracer);
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      execute(client, get(server.respond(200).url("/orders")));
    }
    tx.finish();

    RecordedRequest received = server.take();
    assertThat(received.getHeaders().get(SentryTrace.HEADER)).isNull();
    assertThat(received.getHeaders().get(Baggage.HEADER)).isNull();
    // The request is still the application's work: it is recorded, only not told about the trace.
    assertThat(Traced.onlyChild(exporter).op()).isEqualTo("http.client");
  }

  @Test
  void addsNoHeadersWhenTargetsAreEmpty() throws Exception {
    Tracer tracer = Tracer.builder().tracePropagationTargets(List.of()).build();
    OkHttpClient client = SentryTraceInterceptor.instrument(new OkHttpClient(), tracer);
    execute(client, get(server.respond(200).url("/orders")));

    RecordedRequest received = server.take();
    assertThat(received.getHeaders().get(SentryTrace.HEADER)).isNull();
    assertThat(received.getHeaders().get(Baggage.HEADER)).isNull();
  }

  @Test
  void addsTraceparentWhenTheTracerPropagatesIt() throws Exception {
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).propagateTraceparent(true).build();
    OkHttpClient client = SentryTraceInterceptor.instrument(new OkHttpClient(), tracer);
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      execute(client, get(server.respond(200).url("/orders")));
    }

    RecordedRequest received = server.take();
    SentryTrace sent = Traced.sentryTrace(received);
    assertThat(Traced.values(received, "traceparent"))
        .containsExactly("00-" + sent.traceId() + "-" + sent.spanId() + "-01");
  }
}
