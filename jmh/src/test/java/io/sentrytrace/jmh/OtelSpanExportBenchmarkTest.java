package io.sentrytrace.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OtelSpanExportBenchmarkTest {
  private final OtelSpanExportBenchmark benchmark = new OtelSpanExportBenchmark();

  @BeforeEach
  void setUp() {
    benchmark.setUp();
  }

  @AfterEach
  void tearDown() {
    benchmark.tearDown();
  }

  @Test
  void everyBatchOfThreeSpansBecomesOneContinuedTransactionWithTwoChildSpans() {
    long before = benchmark.envelopes.sentCount();

    long bytes = benchmark.export_otelSpans();

    assertThat(benchmark.envelopes.sentCount() - before).isEqualTo(EnvelopeBenchmark.BATCH);
    assertThat(bytes).isGreaterThanOrEqualTo((long) EnvelopeBenchmark.BATCH * benchmark.transport.shortest.get());
    String envelope = new String(benchmark.transport.last, StandardCharsets.UTF_8);
    assertThat(envelope.split("\n")).hasSize(3);
    assertThat(envelope)
        .contains("\"trace_id\":\"" + Inputs.TRACE_ID + "\"", "\"parent_span_id\":\"" + Inputs.SPAN_ID + "\"")
        .contains("\"op\":\"http.server\"", "\"op\":\"http.client\"", "\"op\":\"db\"")
        .contains("\"sample_rand\":\"0.4213\"", "\"release\":\"shop@1.4.0\"");
  }
}
