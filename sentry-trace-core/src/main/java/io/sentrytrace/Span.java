package io.sentrytrace;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * A transaction (the root span of a service's work) or one of its child spans. Started by {@link
 * Tracer#startTransaction}, or by {@link #startChild}; thread-safe. A span that is not recording
 * (tracing off, or not sampled) still carries the trace to outgoing requests.
 *
 * <pre>{@code
 * Span tx = tracer.startTransaction("GET /checkout", "http.server", tracer.continueTrace(sentryTrace, baggage));
 * try (Scope scope = tx.makeCurrent()) {
 *   request.setHeader(SentryTrace.HEADER, tx.toSentryTrace());
 *   request.setHeader(Baggage.HEADER, tx.toBaggage());
 * } finally {
 *   tx.finish();
 * }
 * }</pre>
 */
public final class Span {
  private static final System.Logger LOG = System.getLogger(Span.class.getName());
  private static final WarnOnce LATE_CHILD = new WarnOnce(LOG);
  /** {@link #endNanos} of a span that has not finished. */
  private static final long RUNNING = Long.MIN_VALUE;

  private static final AtomicIntegerFieldUpdater<Span> FINISHED = AtomicIntegerFieldUpdater.newUpdater(Span.class, "finished");

  private final Tracer tracer;
  private final TransactionState transaction;
  private final boolean isTransaction;
  private final TraceId traceId;
  private final SpanId spanId;
  private final SpanId parentSpanId;
  private final String op;
  private volatile String description;
  /** Readings of the tracer's {@link SpanClock}; the end is set once, when the span finishes. */
  private final long startNanos;

  private volatile long endNanos = RUNNING;
  /** 1 once finished; a field, not an AtomicBoolean, to save an object per span. */
  private volatile int finished;
  private SpanDataMap data; // guarded by this
  /** Volatile, not guarded: a status is set once or twice per span, without a lock. */
  private volatile SpanStatus status;

  Span(
      Tracer tracer,
      TransactionState transaction,
      boolean isTransaction,
      TraceId traceId,
      SpanId spanId,
      SpanId parentSpanId,
      String op,
      String description) {
    this.tracer = tracer;
    this.transaction = transaction;
    this.isTransaction = isTransaction;
    this.traceId = traceId;
    this.spanId = spanId;
    this.parentSpanId = parentSpanId;
    this.op = op;
    this.description = description;
    this.startNanos = tracer.nanos();
  }

  public TraceId traceId() {
    return traceId;
  }

  public SpanId spanId() {
    return spanId;
  }

  /** The span this one continues or belongs to; null for a transaction that starts a trace. */
  public SpanId parentSpanId() {
    return parentSpanId;
  }

  /** The sampling decision; null when deferred (tracing off and no incoming decision). */
  public Boolean sampled() {
    return transaction.sampled;
  }

  /** True when this span will be exported on finish (tracing on and sampled). */
  public boolean isRecording() {
    return transaction.recording;
  }

  public boolean isTransaction() {
    return isTransaction;
  }

  public String op() {
    return op;
  }

  /** The transaction name for a transaction, the description for a child span. */
  public String description() {
    return isTransaction ? transaction.name() : description;
  }

  /** Where a transaction's name came from; {@link TransactionNameSource#CUSTOM} for a child span. */
  public TransactionNameSource nameSource() {
    return isTransaction ? transaction.nameSource() : TransactionNameSource.CUSTOM;
  }

  /**
   * Renames this span before it finishes: a transaction takes {@code name} and its {@code source}
   * (a framework renaming {@code GET /orders/42} to its route {@code GET /orders/{id}} passes
   * {@link TransactionNameSource#ROUTE}); a child span takes {@code name} as its description. A
   * name whose source is {@link TransactionNameSource#URL} is never put into the dynamic sampling
   * context. The DSC, once frozen (by the first outgoing header or meta tag), keeps the name it
   * was frozen with. Ignored after finish.
   *
   * @throws NullPointerException when {@code name} or {@code source} is null
   */
  public Span setName(String name, TransactionNameSource source) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(source, "source");
    if (finished != 0) return this;
    if (isTransaction) transaction.rename(name, source);
    else description = name;
    return this;
  }

  /** The {@code sentry-trace} header value naming this span as the parent. */
  public String toSentryTrace() {
    return SentryTrace.format(traceId, spanId, transaction.sampled);
  }

  /** The W3C {@code traceparent} header value naming this span as the parent. */
  public String toTraceparent() {
    return Traceparent.format(traceId, spanId, transaction.sampled);
  }

  /**
   * The {@code baggage} header value: the trace's dynamic sampling context, frozen by this call if
   * it was not yet. Empty when the trace has none (continued from an SDK that sends no baggage).
   */
  public String toBaggage() {
    return dynamicSamplingContext().toHeader();
  }

  /** The trace's dynamic sampling context, frozen by this call if it was not yet. */
  public Baggage dynamicSamplingContext() {
    return transaction.dsc(tracer, traceId);
  }

  /**
   * A child span (same trace, this span as parent), started now. The child of a span that is not
   * recording is not recording either.
   *
   * <p>A finished span (or any span of a finished transaction) is not the parent of new work: its
   * transaction was already exported, so a child would be lost. Such a call (a span kept past the
   * end of its request) returns a span that is not recording: it still carries this trace and
   * sampling decision to outgoing requests but is never exported. It is logged once at WARNING
   * (then at DEBUG) on the {@code io.sentrytrace.Span} logger.
   */
  public Span startChild(String op, String description) {
    if (isEnded()) {
      LATE_CHILD.log(
          () -> "startChild(" + op + ", " + description + ") on " + this + " after it finished: the child is not recorded",
          null);
      TransactionState detached = transaction.detached(tracer, traceId);
      return new Span(tracer, detached, false, traceId, SpanId.random(), spanId, op, description);
    }
    return new Span(tracer, transaction, false, traceId, SpanId.random(), spanId, op, description);
  }

  /** True once this span or its transaction finished: it may no longer parent new work. */
  boolean isEnded() {
    return finished != 0 || transaction.ended;
  }

  /** Adds data (String, Number or Boolean values); null removes the key. Ignored after finish. */
  public Span setData(String key, Object value) {
    if (!transaction.recording || key == null) return this;
    synchronized (this) {
      if (value == null) {
        if (data != null) data.remove(key);
      } else {
        if (data == null) data = new SpanDataMap();
        data.put(key, value);
      }
    }
    return this;
  }

  public Span setStatus(SpanStatus status) {
    this.status = status;
    return this;
  }

  public SpanStatus status() {
    return status;
  }

  /**
   * Makes this span current on this thread until the scope closes (the rules for scopes closed out
   * of order or on another thread are in {@link Scope}). Once the span finishes, {@link
   * Tracer#currentSpan()} no longer returns it, even while the scope is open.
   */
  public Scope makeCurrent() {
    return CurrentContext.attach(this);
  }

  public boolean isFinished() {
    return finished != 0;
  }

  /**
   * Ends the span now; a second call does nothing. A finished, sampled transaction goes to the
   * tracer's exporter with its finished children.
   */
  public void finish() {
    if (!FINISHED.compareAndSet(this, 0, 1)) return;
    if (isTransaction) transaction.ended = true;
    long end = tracer.nanos();
    endNanos = end;
    if (!transaction.recording) {
      // Sampled out by this tracer (not merely propagating): the exporter may report it to Sentry.
      if (isTransaction && transaction.sampled == Boolean.FALSE && tracer.isTracingEnabled()) tracer.unsampled();
      return;
    }
    SpanData spanData = snapshot(end);
    if (!isTransaction) {
      transaction.childFinished(spanData);
      return;
    }
    TransactionData tx =
        new TransactionData(
            spanData.description(),
            transaction.nameSource(),
            spanData,
            transaction.finishedChildren(),
            dynamicSamplingContext(),
            tracer.release(),
            tracer.environment(),
            tracer.decisionLog());
    if (transaction.droppedSpans() > 0) {
      LOG.log(System.Logger.Level.DEBUG, "transaction {0}: {1} spans over the limit dropped", spanData.description(), transaction.droppedSpans());
    }
    tracer.export(tx);
  }

  /**
   * How long this span has run, in nanoseconds by the tracer's clock: until now while it runs, its
   * duration once finished. For a figure measured inside a span (a time to first byte, say)
   * without reading the clock twice.
   *
   * <pre>{@code
   * span.setData("http.response.time_to_first_byte_ms", span.elapsedNanos() / 1e6);
   * }</pre>
   */
  public long elapsedNanos() {
    long end = endNanos;
    return (end != RUNNING ? end : tracer.nanos()) - startNanos;
  }

  private synchronized SpanData snapshot(long end) {
    SpanClock.Anchor anchor = transaction.anchor;
    Map<String, Object> d = data == null ? Collections.emptyMap() : data.snapshot();
    return new SpanData(traceId, spanId, parentSpanId, op, description(), status, d, anchor.instant(startNanos), anchor.instant(end));
  }

  @Override
  public String toString() {
    return "Span{" + op + " '" + description() + "' " + toSentryTrace() + (isRecording() ? "" : " not recording") + '}';
  }
}
