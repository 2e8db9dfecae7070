package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.sentrytrace.test.LogRecords;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/** A tracer is AutoCloseable: close() closes its exporter once. */
class TracerCloseTest {
  private final AtomicInteger closes = new AtomicInteger();
  private final RecordingExporter kept = new RecordingExporter();
  private final SpanExporter exporter =
      new SpanExporter() {
        @Override
        public void export(TransactionData transaction) {
          kept.export(transaction);
        }

        @Override
        public void close() {
          closes.incrementAndGet();
        }
      };

  @Test
  void tryWithResourcesClosesTheExporterOnceAfterTheLastTransaction() {
    try (Tracer tracer = Tracer.builder().tracesSampleRate(1).exporter(exporter).build()) {
      tracer.startTransaction("job", "task").finish();
      assertThat(closes).hasValue(0);
    }
    assertThat(closes).hasValue(1);
    assertThat(kept.transactions()).hasSize(1);
  }

  @Test
  void closingTwiceClosesTheExporterOnce() {
    Tracer tracer = Tracer.builder().tracesSampleRate(1).exporter(exporter).build();
    tracer.close();
    tracer.close();
    assertThat(closes).hasValue(1);
  }

  @Test
  void aFailingExporterCloseDoesNotThrowAndATracerWithoutExporterClosesQuietly() {
    SpanExporter failing =
        new SpanExporter() {
          @Override
          public void export(TransactionData transaction) {}

          @Override
          public void close() {
            closes.incrementAndGet();
            throw new IllegalStateException("boom");
          }
        };
    try (LogRecords log = LogRecords.of(Tracer.class)) {
      assertThatCode(Tracer.builder().exporter(failing).build()::close).doesNotThrowAnyException();
      assertThat(log.records()).singleElement().satisfies(r -> {
        assertThat(r.getLevel()).isEqualTo(Level.WARNING);
        assertThat(r.getMessage()).isEqualTo("closing the exporter failed");
        assertThat(r.getThrown()).hasMessage("boom");
      });
    }
    assertThat(closes).hasValue(1);
    assertThatCode(Tracer.builder().build()::close).doesNotThrowAnyException();
  }
}
