package io.sentrytrace.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SentryTraceFormatBenchmarkTest {
  @Test
  void allThreeWriteTheSameIdsAndDecision() {
    SentryTraceFormatBenchmark benchmark = new SentryTraceFormatBenchmark();
    benchmark.setUp();
    String traceId = benchmark.span.traceId().toString();
    String spanId = benchmark.span.spanId().toString();

    assertThat(benchmark.format_ours()).isEqualTo(traceId + "-" + spanId + "-1");
    assertThat(benchmark.format_sentryJava()).isEqualTo(benchmark.format_ours());
    assertThat(benchmark.format_otel()).containsEntry("traceparent", "00-" + traceId + "-" + spanId + "-01");
  }

  @Test
  void formattingTwiceGivesEqualButFreshStrings() {
    SentryTraceFormatBenchmark benchmark = new SentryTraceFormatBenchmark();
    benchmark.setUp();
    String first = benchmark.format_ours();
    assertThat(benchmark.format_ours()).isEqualTo(first).isNotSameAs(first);
  }
}
