package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentrytrace.TestSpans.ManualClock;
import io.sentrytrace.test.LogRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class SpanTest {
  private static final Instant T0 = Instant.parse("2025-01-02T03:04:05Z");

  private final RecordingExporter exporter = new RecordingExporter();
  private final ManualClock clock = new ManualClock(T0);
  private final Tracer tracer = Tracer.builder()
      .tracesSampleRate(1.0)
      .release("app@1.0")
      .environment("test")
      .exporter(exporter)
      .clock(clock)
      .build();

  @Test
  void childrenShareTheTraceAndNameTheirParent() {
    Span tx = tracer.startTransaction("GET /orders", "http.server");
    Span child = tx.startChild("db.query", "select orders");
    Span grandchild = child.startChild("db.fetch", "rows");

    assertThat(tx.isTransaction()).isTrue();
    assertThat(child.isTransaction()).isFalse();
    assertThat(tx.parentSpanId()).isNull();
    assertThat(child.traceId()).isEqualTo(tx.traceId());
    assertThat(grandchild.traceId()).isEqualTo(tx.traceId());
    assertThat(child.parentSpanId()).isEqualTo(tx.spanId());
    assertThat(grandchild.parentSpanId()).isEqualTo(child.spanId());
    assertThat(List.of(tx.spanId(), child.spanId(), grandchild.spanId())).doesNotHaveDuplicates();
    assertThat(child.op()).isEqualTo("db.query");
    assertThat(child.description()).isEqualTo("select orders");
    assertThat(child.toSentryTrace()).isEqualTo(tx.traceId() + "-" + child.spanId() + "-1");
  }

  @Test
  void aContinuedTransactionIsAChildOfTheIncomingSpan() {
    PropagationContext parent = tracer.continueTrace("0123456789abcdef0123456789abcdef-0123456789abcdef-1", null);
    Span tx = tracer.startTransaction("t", "o", parent);
    assertThat(tx.traceId().toString()).isEqualTo("0123456789abcdef0123456789abcdef");
    assertThat(tx.parentSpanId().toString()).isEqualTo("0123456789abcdef");
    assertThat(tx.spanId()).isNotEqualTo(tx.parentSpanId());
  }

  @Test
  void finishingASampledTransactionExportsItWithItsFinishedChildren() {
    Span tx = tracer.startTransaction("GET /orders", "http.server");
    clock.advance(Duration.ofMillis(10));
    Span child = tx.startChild("db.query", "select");
    child.setData("db.system", "h2").setData("rows", 3).setData("cached", false).setStatus(SpanStatus.OK);
    clock.advance(Duration.ofMillis(5));
    child.finish();
    Span unfinished = tx.startChild("http.client", "GET /never");
    clock.advance(Duration.ofMillis(20));
    tx.setData("http.status_code", 500).setStatus(SpanStatus.fromHttpStatus(500));
    tx.finish();

    assertThat(exporter.transactions()).hasSize(1);
    TransactionData data = exporter.transactions().get(0);
    assertThat(data.name()).isEqualTo("GET /orders");
    assertThat(data.release()).isEqualTo("app@1.0");
    assertThat(data.environment()).isEqualTo("test");
    assertThat(data.dynamicSamplingContext()).isEqualTo(tx.dynamicSamplingContext());

    SpanData root = data.root();
    assertThat(root.traceId()).isEqualTo(tx.traceId());
    assertThat(root.spanId()).isEqualTo(tx.spanId());
    assertThat(root.parentSpanId()).isNull();
    assertThat(root.op()).isEqualTo("http.server");
    assertThat(root.description()).isEqualTo("GET /orders");
    assertThat(root.status()).isEqualTo(SpanStatus.INTERNAL_ERROR);
    assertThat(root.data()).isEqualTo(Map.of("http.status_code", 500));
    assertThat(root.startTimestamp()).isEqualTo(T0);
    assertThat(root.endTimestamp()).isEqualTo(T0.plusMillis(35));
    assertThat(root.duration()).isEqualTo(Duration.ofMillis(35));

    assertThat(data.spans()).hasSize(1);
    SpanData c = data.spans().get(0);
    assertThat(c.spanId()).isEqualTo(child.spanId()).isNotEqualTo(unfinished.spanId());
    assertThat(c.parentSpanId()).isEqualTo(tx.spanId());
    assertThat(c.traceId()).isEqualTo(tx.traceId());
    assertThat(c.op()).isEqualTo("db.query");
    assertThat(c.description()).isEqualTo("select");
    assertThat(c.status()).isEqualTo(SpanStatus.OK);
    assertThat(c.data()).containsExactly(Map.entry("db.system", "h2"), Map.entry("rows", 3), Map.entry("cached", false));
    assertThat(c.startTimestamp()).isEqualTo(T0.plusMillis(10));
    assertThat(c.endTimestamp()).isEqualTo(T0.plusMillis(15));
    assertThat(c.duration()).isEqualTo(Duration.ofMillis(5));
    assertThatThrownBy(() -> data.spans().add(c)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> c.data().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void finishingTwiceExportsOnce() {
    Span tx = tracer.startTransaction("t", "o");
    assertThat(tx.isFinished()).isFalse();
    tx.finish();
    clock.advance(Duration.ofSeconds(1));
    tx.finish();
    assertThat(tx.isFinished()).isTrue();
    assertThat(exporter.transactions()).hasSize(1);
    assertThat(exporter.transactions().get(0).root().endTimestamp()).isEqualTo(T0);
  }

  @Test
  void aChildFinishedTwiceIsExportedOnce() {
    Span tx = tracer.startTransaction("t", "o");
    Span child = tx.startChild("c", "d");
    child.finish();
    child.finish();
    tx.finish();
    assertThat(exporter.transactions().get(0).spans()).hasSize(1);
  }

  @Test
  void dataAfterFinishDoesNotChangeTheExport() {
    Span tx = tracer.startTransaction("t", "o");
    tx.setData("a", 1);
    tx.finish();
    tx.setData("b", 2);
    assertThat(exporter.transactions().get(0).root().data()).isEqualTo(Map.of("a", 1));
  }

  @Test
  void nullDataRemovesAKeyAndNullKeysAreIgnored() {
    Span tx = tracer.startTransaction("t", "o");
    tx.setData("a", 1).setData("b", 2).setData("a", null).setData(null, 3);
    tx.finish();
    assertThat(exporter.transactions().get(0).root().data()).isEqualTo(Map.of("b", 2));
  }

  @Test
  void unsampledIsNeverExported() {
    Tracer never = Tracer.builder().tracesSampleRate(0.0).exporter(exporter).build();
    Span tx = never.startTransaction("t", "o");
    Span child = tx.startChild("c", "d");
    tx.setData("a", 1);
    assertThat(tx.isRecording()).isFalse();
    assertThat(child.isRecording()).isFalse();
    assertThat(tx.sampled()).isFalse();
    assertThat(child.toSentryTrace()).endsWith("-0");
    child.finish();
    tx.finish();
    assertThat(tx.isFinished()).isTrue();
    assertThat(exporter.transactions()).isEmpty();
    assertThat(tx.toString()).contains("not recording");
  }

  @Test
  void exporterExceptionDoesNotPropagate() {
    AtomicInteger calls = new AtomicInteger();
    Tracer failing = Tracer.builder().tracesSampleRate(1.0).exporter(tx -> {
      calls.incrementAndGet();
      throw new IllegalStateException("exporter down");
    }).build();
    try (LogRecords log = LogRecords.of(Tracer.class)) {
      Span tx = failing.startTransaction("t", "o");
      assertThatCode(tx::finish).doesNotThrowAnyException();
      assertThat(calls).hasValue(1);
      assertThatCode(() -> failing.startTransaction("t2", "o").finish()).doesNotThrowAnyException();
      assertThat(calls).hasValue(2);
      // Reported once at WARNING, then quietly: an exporter that is down fails every transaction.
      assertThat(log.levels()).containsExactly(Level.WARNING, Level.FINE);
      assertThat(log.records()).allSatisfy(r -> assertThat(r.getThrown()).hasMessage("exporter down"));
    }
  }

  @Test
  void withoutAnExporterFinishingIsHarmless() {
    Tracer noExporter = Tracer.builder().tracesSampleRate(1.0).build();
    assertThatCode(() -> noExporter.startTransaction("t", "o").finish()).doesNotThrowAnyException();
    assertThat(noExporter.flush(Duration.ofMillis(1))).isTrue();
    assertThatCode(noExporter::close).doesNotThrowAnyException();
  }

  @Test
  void flushAndCloseReachTheExporter() {
    AtomicInteger flushes = new AtomicInteger();
    AtomicInteger closes = new AtomicInteger();
    SpanExporter counting = new SpanExporter() {
      @Override
      public void export(TransactionData transaction) {}

      @Override
      public boolean flush(Duration timeout) {
        flushes.incrementAndGet();
        return false;
      }

      @Override
      public void close() {
        closes.incrementAndGet();
      }
    };
    Tracer t = Tracer.builder().tracesSampleRate(1.0).exporter(counting).build();
    assertThat(t.flush(Duration.ofMillis(1))).isFalse();
    t.close();
    assertThat(flushes).hasValue(1);
    assertThat(closes).hasValue(1);
  }

  @Test
  void keepsAtMostMaxSpansChildren() {
    Span tx = tracer.startTransaction("t", "o");
    for (int i = 0; i < TransactionState.MAX_SPANS + 5; i++) tx.startChild("c", "d" + i).finish();
    tx.finish();
    assertThat(exporter.transactions().get(0).spans()).hasSize(TransactionState.MAX_SPANS);
    assertThat(exporter.transactions().get(0).spans().get(0).description()).isEqualTo("d0");
  }

  @Test
  void childrenFinishedOnOtherThreadsAreExported() throws Exception {
    Span tx = tracer.startTransaction("t", "o");
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(() -> {
        for (int i = 0; i < 100; i++) tx.startChild("c", "d").finish();
      });
      threads[t].start();
    }
    for (Thread t : threads) t.join(10_000);
    tx.finish();
    assertThat(exporter.await(1, Duration.ofSeconds(5)).get(0).spans()).hasSize(400);
  }

  @Test
  void inMemoryExporterAwaitsTransactionsFromOtherThreads() throws Exception {
    Thread finisher = new Thread(() -> tracer.startTransaction("async", "o").finish());
    finisher.start();
    List<TransactionData> got = exporter.await(1, Duration.ofSeconds(5));
    assertThat(got).extracting(TransactionData::name).containsExactly("async");
    assertThat(exporter.await(2, Duration.ofMillis(20))).hasSize(1);
    exporter.reset();
    assertThat(exporter.transactions()).isEmpty();
  }

  @Test
  void startTransactionRequiresAParent() {
    assertThatThrownBy(() -> tracer.startTransaction("t", "o", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("parent");
  }

  @Test
  void elapsedNanosRunsWithTheClockAndStopsAtFinish() {
    Span tx = tracer.startTransaction("t", "o");
    Span child = tx.startChild("c", "d");
    clock.advance(Duration.ofMillis(7));
    assertThat(child.elapsedNanos()).isEqualTo(7_000_000L);
    child.finish();
    clock.advance(Duration.ofMillis(5));
    assertThat(child.elapsedNanos()).isEqualTo(7_000_000L);
    assertThat(tx.elapsedNanos()).isEqualTo(12_000_000L);
  }

  @Test
  void aGivenClocksInstantsComeOutExactly() {
    Span tx = tracer.startTransaction("t", "o");
    clock.advance(Duration.ofNanos(123_456_789));
    Span child = tx.startChild("c", "d");
    clock.advance(Duration.ofSeconds(3));
    child.finish();
    tx.finish();
    SpanData exported = exporter.transactions().get(0).spans().get(0);
    assertThat(exported.startTimestamp()).isEqualTo(T0.plusNanos(123_456_789));
    assertThat(exported.endTimestamp()).isEqualTo(T0.plusNanos(123_456_789).plusSeconds(3));
  }

  @Test
  void withTheSystemClockSpansAreNowAndNeverEndBeforeTheyStart() {
    Tracer system = Tracer.builder().tracesSampleRate(1.0).exporter(exporter).build();
    Instant before = Instant.now();
    Span tx = system.startTransaction("t", "o");
    Span child = tx.startChild("c", "d");
    child.finish();
    tx.finish();
    Instant after = Instant.now();
    TransactionData exported = exporter.transactions().get(0);
    SpanData span = exported.spans().get(0);
    // The anchor is read once per transaction; allow for the clock's resolution around it.
    assertThat(exported.root().startTimestamp()).isBetween(before.minusMillis(1), after.plusMillis(1));
    assertThat(span.startTimestamp()).isAfterOrEqualTo(exported.root().startTimestamp());
    assertThat(span.endTimestamp()).isAfterOrEqualTo(span.startTimestamp());
    assertThat(exported.root().endTimestamp()).isAfterOrEqualTo(span.endTimestamp());
    assertThat(exported.root().endTimestamp()).isBetween(before.minusMillis(1), after.plusMillis(1));
  }

  @Test
  void builderRejectsANullClock() {
    assertThatThrownBy(() -> Tracer.builder().clock(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("clock");
  }

  @Test
  void statusUsesSentryWireNames() {
    assertThat(SpanStatus.INTERNAL_ERROR.wireName()).isEqualTo("internal_error");
    assertThat(SpanStatus.OK).hasToString("ok");
    assertThat(SpanStatus.fromHttpStatus(200)).isEqualTo(SpanStatus.OK);
    assertThat(SpanStatus.fromHttpStatus(302)).isEqualTo(SpanStatus.OK);
    assertThat(SpanStatus.fromHttpStatus(400)).isEqualTo(SpanStatus.INVALID_ARGUMENT);
    assertThat(SpanStatus.fromHttpStatus(401)).isEqualTo(SpanStatus.UNAUTHENTICATED);
    assertThat(SpanStatus.fromHttpStatus(403)).isEqualTo(SpanStatus.PERMISSION_DENIED);
    assertThat(SpanStatus.fromHttpStatus(404)).isEqualTo(SpanStatus.NOT_FOUND);
    assertThat(SpanStatus.fromHttpStatus(409)).isEqualTo(SpanStatus.ALREADY_EXISTS);
    assertThat(SpanStatus.fromHttpStatus(413)).isEqualTo(SpanStatus.FAILED_PRECONDITION);
    assertThat(SpanStatus.fromHttpStatus(429)).isEqualTo(SpanStatus.RESOURCE_EXHAUSTED);
    assertThat(SpanStatus.fromHttpStatus(499)).isEqualTo(SpanStatus.CANCELLED);
    assertThat(SpanStatus.fromHttpStatus(418)).isEqualTo(SpanStatus.INVALID_ARGUMENT);
    assertThat(SpanStatus.fromHttpStatus(500)).isEqualTo(SpanStatus.INTERNAL_ERROR);
    assertThat(SpanStatus.fromHttpStatus(501)).isEqualTo(SpanStatus.UNIMPLEMENTED);
    assertThat(SpanStatus.fromHttpStatus(503)).isEqualTo(SpanStatus.UNAVAILABLE);
    assertThat(SpanStatus.fromHttpStatus(504)).isEqualTo(SpanStatus.DEADLINE_EXCEEDED);
    assertThat(SpanStatus.fromHttpStatus(502)).isEqualTo(SpanStatus.INTERNAL_ERROR);
  }
}
