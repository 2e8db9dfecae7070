package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.test.LogRecords;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A finished span is never the parent of new work (issue 9 item 10). */
@SuppressWarnings("try")
class FinishedSpanTest {
  private final RecordingExporter exporter = new RecordingExporter();
  private final Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(exporter).build();
  private final ExecutorService pool = Executors.newSingleThreadExecutor();

  @AfterEach
  void stopPool() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aFinishedTransactionLeftCurrentOnAPoolThreadIsNotTheNextTasksParent() throws Exception {
    Span leaked = tracer.startTransaction("GET /old", "http.server");
    // Task 1 makes its transaction current and forgets to close the scope.
    pool.submit(() -> {
      leaked.makeCurrent();
      leaked.finish();
    }).get(5, TimeUnit.SECONDS);

    // Task 2 on the same thread: no parent, its call carries the tracer's own trace.
    Map<String, String> headers = new HashMap<>();
    Span seen =
        pool.submit(() -> {
          tracer.inject(tracer.currentSpan(), headers, Map::get, Map::put);
          return tracer.currentSpan();
        }).get(5, TimeUnit.SECONDS);
    assertThat(seen).isNull();
    assertThat(headers.get("sentry-trace"))
        .doesNotStartWith(leaked.traceId().toString())
        .startsWith(tracer.currentPropagationContext().traceId().toString());
  }

  @Test
  void anOpenChildOfAFinishedTransactionIsNotCurrent() {
    Span tx = tracer.startTransaction("t", "o");
    Span child = tx.startChild("db", "q");
    try (Scope scope = child.makeCurrent()) {
      assertThat(tracer.currentSpan()).isSameAs(child);
      tx.finish();
      assertThat(tracer.currentSpan()).as("its spans would be lost with the exported transaction").isNull();
    }
  }

  @Test
  void aFinishedChildIsNotCurrentButAFinishedSpanOfTracingOffIsNeitherCurrent() {
    Span tx = tracer.startTransaction("t", "o");
    Span child = tx.startChild("db", "q");
    try (Scope scope = child.makeCurrent()) {
      child.finish();
      assertThat(tracer.currentSpan()).isNull();
    }
    Tracer off = Tracer.builder().build();
    Span notRecording = off.startTransaction("t", "o");
    try (Scope scope = notRecording.makeCurrent()) {
      notRecording.finish();
      assertThat(off.currentSpan()).isNull();
    }
  }

  @Test
  void aChildOfAFinishedTransactionIsNotRecordedAndKeepsTheTrace() {
    Span tx = tracer.startTransaction("t", "o");
    tx.finish();
    Span late = tx.startChild("http.client", "GET /late");
    assertThat(late.isRecording()).isFalse();
    assertThat(late.traceId()).isEqualTo(tx.traceId());
    assertThat(late.parentSpanId()).isEqualTo(tx.spanId());
    assertThat(late.sampled()).isEqualTo(tx.sampled());
    assertThat(late.dynamicSamplingContext()).isEqualTo(tx.dynamicSamplingContext());
    late.finish();
    assertThat(exporter.transactions()).hasSize(1);
    assertThat(exporter.transactions().get(0).spans()).isEmpty();
  }

  @Test
  void aChildOfAFinishedChildIsNotRecordedWhileTheTransactionRuns() {
    Span tx = tracer.startTransaction("t", "o");
    Span child = tx.startChild("db", "q");
    child.finish();
    Span grandchild = child.startChild("db", "late");
    assertThat(grandchild.isRecording()).isFalse();
    grandchild.finish();
    tx.finish();
    assertThat(exporter.transactions().get(0).spans()).extracting(SpanData::description).containsExactly("q");
  }

  @Test
  void aChildOfAFinishedSpanIsLoggedWarningOnceThenDebug() {
    Span tx = tracer.startTransaction("t", "o");
    tx.finish();
    try (LogRecords log = LogRecords.of(Span.class)) {
      tx.startChild("a", "first");
      tx.startChild("b", "second");
      assertThat(log.levels()).hasSize(2).endsWith(Level.FINE);
      assertThat(log.records().get(1).getMessage()).contains("second", "not recorded");
    }
  }
}
