package io.sentrytrace.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.sentry.SentryTraceHeader;
import io.sentry.exception.InvalidSentryTraceHeaderException;
import io.sentrytrace.SentryTrace;
import org.junit.jupiter.api.Test;

class SentryTraceParseBenchmarkTest {
  private final SentryTraceParseBenchmark benchmark = new SentryTraceParseBenchmark();

  @Test
  void allThreeReadTheSameIdsAndDecision() throws InvalidSentryTraceHeaderException {
    SentryTrace ours = benchmark.parseSampled_ours().orElseThrow();
    SentryTraceHeader sentryJava = benchmark.parseSampled_sentryJava();
    SpanContext otel = Span.fromContext(benchmark.parseSampled_otel()).getSpanContext();

    assertThat(ours.traceId().toString()).isEqualTo(Inputs.TRACE_ID);
    assertThat(ours.spanId().toString()).isEqualTo(Inputs.SPAN_ID);
    assertThat(ours.sampled()).isTrue();
    assertThat(sentryJava.getTraceId().toString()).isEqualTo(Inputs.TRACE_ID);
    assertThat(sentryJava.getSpanId().toString()).isEqualTo(Inputs.SPAN_ID);
    assertThat(sentryJava.isSampled()).isTrue();
    assertThat(otel.getTraceId()).isEqualTo(Inputs.TRACE_ID);
    assertThat(otel.getSpanId()).isEqualTo(Inputs.SPAN_ID);
    assertThat(otel.isSampled()).isTrue();
  }

  @Test
  void withoutFlagTheDecisionIsDeferredInBoth() throws InvalidSentryTraceHeaderException {
    SentryTrace ours = benchmark.parseDeferred_ours().orElseThrow();
    SentryTraceHeader sentryJava = benchmark.parseDeferred_sentryJava();

    assertThat(ours.traceId().toString()).isEqualTo(sentryJava.getTraceId().toString());
    assertThat(ours.spanId().toString()).isEqualTo(sentryJava.getSpanId().toString());
    assertThat(ours.sampled()).isNull();
    assertThat(sentryJava.isSampled()).isNull();
  }

  @Test
  void invalidValuesAreRejectedByAllThree() {
    assertThat(benchmark.parseInvalid_ours()).isEmpty();
    assertThat(benchmark.parseInvalid_sentryJava()).isInstanceOf(InvalidSentryTraceHeaderException.class);
    assertThat(Span.fromContext(benchmark.parseInvalid_otel()).getSpanContext().isValid()).isFalse();
  }
}
