package io.sentrytrace.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdBenchmarkTest {
  private final IdBenchmark benchmark = new IdBenchmark();

  @Test
  void traceIdsAre32LowerCaseHexChars() {
    assertThat(benchmark.traceId_ours()).matches("[0-9a-f]{32}");
    assertThat(benchmark.traceId_sentryJava()).matches("[0-9a-f]{32}");
    assertThat(benchmark.traceId_otel()).matches("[0-9a-f]{32}");
  }

  @Test
  void spanIdsAre16LowerCaseHexChars() {
    assertThat(benchmark.spanId_ours()).matches("[0-9a-f]{16}");
    assertThat(benchmark.spanId_sentryJava()).matches("[0-9a-f]{16}");
    assertThat(benchmark.spanId_otel()).matches("[0-9a-f]{16}");
  }

  @Test
  void everyCallGivesANewId() {
    assertThat(benchmark.traceId_ours()).isNotEqualTo(benchmark.traceId_ours());
    assertThat(benchmark.traceId_sentryJava()).isNotEqualTo(benchmark.traceId_sentryJava());
    assertThat(benchmark.spanId_ours()).isNotEqualTo(benchmark.spanId_ours());
    assertThat(benchmark.spanId_sentryJava()).isNotEqualTo(benchmark.spanId_sentryJava());
  }
}
