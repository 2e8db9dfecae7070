package io.sentrytrace.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.SentryTrace;
import io.sentrytrace.SpanData;
import io.sentrytrace.TransactionData;
import io.sentrytrace.testing.InMemorySpanExporter;
import java.util.List;
import mockwebserver3.RecordedRequest;

/** Reading what a test's transaction exported and what its server received. */
final class Traced {
  private Traced() {}

  /** The one transaction exported, which must have exactly one child span. */
  static SpanData onlyChild(InMemorySpanExporter exporter) {
    List<TransactionData> transactions = exporter.transactions();
    assertThat(transactions).hasSize(1);
    assertThat(transactions.get(0).spans()).hasSize(1);
    return transactions.get(0).spans().get(0);
  }

  /** The single {@code sentry-trace} header the server received, parsed. */
  static SentryTrace sentryTrace(RecordedRequest request) {
    List<String> values = request.getHeaders().values(SentryTrace.HEADER);
    assertThat(values).hasSize(1);
    return SentryTrace.parse(values.get(0)).orElseThrow();
  }

  static List<String> values(RecordedRequest request, String header) {
    return request.getHeaders().values(header);
  }
}
