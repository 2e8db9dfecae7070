package io.sentrytrace.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentry.JsonSerializer;
import io.sentry.SentryEnvelope;
import io.sentry.SentryEnvelopeItem;
import io.sentry.SentryItemType;
import io.sentry.SentryOptions;
import io.sentry.clientreport.ClientReport;
import io.sentry.clientreport.DiscardedEvent;
import io.sentry.protocol.SentryTransaction;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * sentry-java's own {@link JsonSerializer} (8.62) reads what we send: the gzipped envelope as it
 * arrives, its transaction, and the client report riding along with it.
 */
class SentryJavaReadsOurEnvelopesTest {
  @Test
  void readsTheTransactionAndTheClientReport() throws Exception {
    try (FakeSentry sentry = FakeSentry.start()) {
      EnvelopeExporter exporter = EnvelopeExporter.builder(sentry.dsn()).shutdownHook(false).build();
      Tracer sampled = Tracer.builder().dsn(sentry.dsn()).tracesSampleRate(1.0).exporter(exporter).build();
      Tracer unsampled = Tracer.builder().dsn(sentry.dsn()).tracesSampleRate(0.0).exporter(exporter).build();
      unsampled.startTransaction("not sampled", "task").finish();
      unsampled.startTransaction("not sampled either", "task").finish();
      Span tx = sampled.startTransaction("GET /orders", "http.server");
      for (int i = 0; i < 20; i++) tx.startChild("db.query", "SELECT * FROM orders WHERE id = " + i).finish();
      tx.finish();
      assertThat(exporter.flush(Duration.ofSeconds(10))).isTrue();
      exporter.close();

      FakeSentry.Request request = sentry.requests().get(0);
      assertThat(request.header("Content-Encoding")).isEqualTo("gzip");
      JsonSerializer serializer = new JsonSerializer(new SentryOptions());
      SentryEnvelope envelope = serializer.deserializeEnvelope(new ByteArrayInputStream(request.body));
      assertThat(envelope).isNotNull();
      List<SentryEnvelopeItem> items = new ArrayList<>();
      envelope.getItems().forEach(items::add);
      assertThat(items).extracting(i -> i.getHeader().getType())
          .containsExactly(SentryItemType.Transaction, SentryItemType.ClientReport);

      SentryTransaction transaction = items.get(0).getTransaction(serializer);
      assertThat(transaction.getTransaction()).isEqualTo("GET /orders");
      assertThat(transaction.getSpans()).hasSize(20);

      ClientReport report = items.get(1).getClientReport(serializer);
      assertThat(report.getTimestamp()).isNotNull();
      assertThat(report.getDiscardedEvents())
          .extracting(DiscardedEvent::getReason, DiscardedEvent::getCategory, DiscardedEvent::getQuantity)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple("sample_rate", "transaction", 2L),
              org.assertj.core.groups.Tuple.tuple("sample_rate", "span", 2L));
    }
  }
}
