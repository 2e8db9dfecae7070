package io.sentrytrace.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.http.internal.HttpSpanData;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EnvelopeBenchmarkTest {
  private final EnvelopeBenchmark benchmark = new EnvelopeBenchmark();

  @BeforeEach
  void setUp() {
    benchmark.setUp();
  }

  @AfterEach
  void tearDown() {
    benchmark.tearDown();
  }

  @Test
  void theTransactionIsAServerSpanWithAClientAndADbChildAndASevenMemberDsc() {
    assertThat(benchmark.transaction.root().op()).isEqualTo("http.server");
    assertThat(benchmark.transaction.spans()).extracting(s -> s.op()).containsExactly("http.client", "db");
    assertThat(benchmark.transaction.spans().get(0).data()).containsOnlyKeys(HttpSpanData.METHOD, HttpSpanData.URL,
        HttpSpanData.QUERY, HttpSpanData.STATUS_CODE, HttpSpanData.RESPONSE_CONTENT_LENGTH,
        HttpSpanData.TIME_TO_FIRST_BYTE);
    assertThat(benchmark.transaction.dynamicSamplingContext().sentryValues()).hasSize(7);
    assertThat(benchmark.transaction.release()).isEqualTo("shop@1.4.0");
    assertThat(benchmark.transaction.environment()).isEqualTo("production");
  }

  @Test
  void oursSendsOneEnvelopePerTransactionThroughTheExporter() {
    long bytes = benchmark.envelope_ours();

    assertThat(benchmark.exporter.sentCount()).isEqualTo(EnvelopeBenchmark.BATCH);
    String envelope = new String(benchmark.transport.last, StandardCharsets.UTF_8);
    // Every envelope was counted, and they differ in length only by sent_at's fraction (0 to 10 bytes).
    assertThat(bytes).isGreaterThanOrEqualTo((long) EnvelopeBenchmark.BATCH * benchmark.transport.shortest.get());
    assertThat(benchmark.transport.shortest.get()).isBetween(benchmark.transport.last.length - 32,
        benchmark.transport.last.length);
    assertThat(envelope.split("\n")).hasSize(3);
    assertThat(envelope)
        .contains("\"trace\":{\"trace_id\":\"" + Inputs.TRACE_ID + "\"")
        .contains("\"op\":\"http.client\"", "\"op\":\"db\"", "\"" + HttpSpanData.TIME_TO_FIRST_BYTE + "\":1.234")
        .contains("\"release\":\"shop@1.4.0\"", "\"environment\":\"production\"");
  }

  @Test
  void sentryJavaSerializesTheSameTransaction() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    benchmark.sentryJavaOut = out;

    benchmark.envelope_sentryJava();

    String envelope = out.toString(StandardCharsets.UTF_8);
    assertThat(envelope.split("\n")).hasSize(3);
    assertThat(envelope)
        .contains("\"trace_id\":\"" + Inputs.TRACE_ID + "\"")
        .contains("\"op\":\"http.client\"", "\"op\":\"db\"", "\"" + HttpSpanData.TIME_TO_FIRST_BYTE + "\":1.234")
        .contains("\"release\":\"shop@1.4.0\"", "\"environment\":\"production\"");
  }
}
