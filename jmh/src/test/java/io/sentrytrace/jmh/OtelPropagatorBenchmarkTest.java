package io.sentrytrace.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.sentrytrace.Baggage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OtelPropagatorBenchmarkTest {
  private final OtelPropagatorBenchmark benchmark = new OtelPropagatorBenchmark();

  @BeforeEach
  void setUp() {
    benchmark.setUp();
  }

  @Test
  void allExtractTheSameRemoteParent() {
    for (SpanContext remote : new SpanContext[] {
        Span.fromContext(benchmark.extract_ours()).getSpanContext(),
        Span.fromContext(benchmark.extract_otel()).getSpanContext(),
        Span.fromContext(benchmark.extract_otelBaggage()).getSpanContext()}) {
      assertThat(remote.getTraceId()).isEqualTo(Inputs.TRACE_ID);
      assertThat(remote.getSpanId()).isEqualTo(Inputs.SPAN_ID);
      assertThat(remote.isRemote()).isTrue();
      assertThat(remote.isSampled()).isTrue();
    }
  }

  @Test
  void oursInjectsTheLocalSpanAndTheIncomingDsc() {
    assertThat(benchmark.inject_ours().get("sentry-trace"))
        .isEqualTo(Inputs.TRACE_ID + "-" + OtelPropagatorBenchmark.LOCAL_SPAN_ID + "-1");
    assertThat(Baggage.parse(benchmark.out.get("baggage")).sentryValues()).isEqualTo(Inputs.BAGGAGE_SENTRY_VALUES);
    assertThat(benchmark.inject_otel().get("traceparent"))
        .isEqualTo("00-" + Inputs.TRACE_ID + "-" + OtelPropagatorBenchmark.LOCAL_SPAN_ID + "-01");
    assertThat(benchmark.inject_otelBaggage().get("baggage").split(",")).hasSize(10);
  }
}
