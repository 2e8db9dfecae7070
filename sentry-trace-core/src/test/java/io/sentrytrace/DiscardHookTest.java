package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.sentrytrace.test.LogRecords;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * The exporter hears of the transactions the tracer sampled out ({@link SpanExporter#onDiscarded}),
 * so that it can report them to Sentry as {@code sample_rate} discards; and of nothing else.
 */
class DiscardHookTest {
  /** Records exports and discards. */
  static final class Recording implements SpanExporter {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void export(TransactionData transaction) {
      events.add("export " + transaction.name());
    }

    @Override
    public void onDiscarded(String reason, String category, long quantity) {
      events.add(reason + " " + category + " " + quantity);
    }
  }

  @Test
  void anUnsampledTransactionIsReportedOnceWithItsOwnSpan() {
    Recording exporter = new Recording();
    Tracer tracer = Tracer.builder().tracesSampleRate(0.0).exporter(exporter).build();
    Span tx = tracer.startTransaction("GET /", "http.server");
    tx.startChild("db.query", "SELECT 1").finish();
    tx.finish();
    tx.finish(); // a second finish does nothing

    assertThat(exporter.events).containsExactly("sample_rate transaction 1", "sample_rate span 1");
  }

  @Test
  void anIncomingNegativeDecisionIsASampleRateDiscardToo() {
    Recording exporter = new Recording();
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(exporter).build();
    tracer.startTransaction("continued", "task",
        tracer.continueTrace("771a43a4192642f0b136d5159a501700-b1a2c3d4e5f60718-0", null)).finish();
    tracer.startTransaction("sampled", "task").finish();

    assertThat(exporter.events).containsExactly("sample_rate transaction 1", "sample_rate span 1", "export sampled");
  }

  @Test
  void withTracingOffNothingIsDiscardedOnlyPropagated() {
    Recording exporter = new Recording();
    Tracer tracer = Tracer.builder().exporter(exporter).build(); // no rate, no sampler: propagation only
    tracer.startTransaction("GET /", "http.server",
        tracer.continueTrace("771a43a4192642f0b136d5159a501700-b1a2c3d4e5f60718-0", null)).finish();
    tracer.startTransaction("GET /", "http.server").finish();

    assertThat(exporter.events).isEmpty();
  }

  @Test
  void anExporterThatThrowsFromTheHookDoesNotReachTheCaller() {
    SpanExporter throwing = new SpanExporter() {
      @Override
      public void export(TransactionData transaction) {}

      @Override
      public void onDiscarded(String reason, String category, long quantity) {
        throw new IllegalStateException("exporter bug");
      }
    };
    Tracer tracer = Tracer.builder().tracesSampleRate(0.0).exporter(throwing).build();
    try (LogRecords logs = LogRecords.of(Tracer.class)) {
      assertThatCode(() -> tracer.startTransaction("GET /", "http.server").finish()).doesNotThrowAnyException();
      assertThat(logs.records()).extracting(r -> r.getLevel(), r -> r.getMessage())
          .containsExactly(org.assertj.core.groups.Tuple.tuple(Level.WARNING, "exporter failed to take a discard count"));
    }
  }
}
