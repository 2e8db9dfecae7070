package io.sentrytrace.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OkHttpInterceptorBenchmarkTest {
  private final OkHttpInterceptorBenchmark benchmark = new OkHttpInterceptorBenchmark();

  @BeforeEach
  void setUp() {
    benchmark.setUp();
  }

  @AfterEach
  void tearDown() {
    benchmark.tearDown();
  }

  @Test
  void withoutInstrumentationNoHeaderIsAdded() throws IOException {
    Response response = benchmark.call_none();
    assertThat(response.code()).isEqualTo(200);
    assertThat(response.request().header("sentry-trace")).isNull();
    assertThat(response.request().header("baggage")).isNull();
  }

  @Test
  void oursSendsAChildSpanOfTheCurrentTransaction() throws IOException {
    Response response = benchmark.call_ours();
    String sentryTrace = response.request().header("sentry-trace");
    assertThat(sentryTrace).startsWith(benchmark.transaction.traceId() + "-").endsWith("-1");
    assertThat(sentryTrace).doesNotContain(benchmark.transaction.spanId().toString());
    assertThat(response.request().header("baggage")).contains("sentry-trace_id=" + benchmark.transaction.traceId());
  }

  @Test
  void oursInstrumentedSendsAChildSpanOfTheCurrentTransaction() throws IOException {
    Response response = benchmark.call_oursInstrumented();
    String sentryTrace = response.request().header("sentry-trace");
    assertThat(sentryTrace).startsWith(benchmark.transaction.traceId() + "-").endsWith("-1");
    assertThat(sentryTrace).doesNotContain(benchmark.transaction.spanId().toString());
  }

  @Test
  void sentryJavaSendsAChildSpanOfTheCurrentTransaction() throws IOException {
    Response response = benchmark.call_sentryJava();
    String sentryTrace = response.request().header("sentry-trace");
    String traceId = benchmark.sentryJavaTransaction.getSpanContext().getTraceId().toString();
    assertThat(sentryTrace).startsWith(traceId + "-").endsWith("-1");
    assertThat(sentryTrace).doesNotContain(benchmark.sentryJavaTransaction.getSpanContext().getSpanId().toString());
    assertThat(response.request().header("baggage")).contains("sentry-trace_id=" + traceId);
  }

  @Test
  void aNewTransactionStartsAfterEnoughCalls() throws IOException {
    benchmark.call_ours();
    io.sentrytrace.Span first = benchmark.transaction;
    for (int i = 1; i < OkHttpInterceptorBenchmark.CALLS_PER_TRANSACTION; i++) benchmark.call_ours();
    assertThat(benchmark.transaction).isSameAs(first);
    String sentryTrace = benchmark.call_ours().request().header("sentry-trace");
    assertThat(benchmark.transaction).isNotSameAs(first);
    assertThat(sentryTrace).startsWith(benchmark.transaction.traceId() + "-");
  }
}
