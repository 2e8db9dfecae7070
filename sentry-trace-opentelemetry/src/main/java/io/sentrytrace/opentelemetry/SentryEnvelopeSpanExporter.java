package io.sentrytrace.opentelemetry;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.sentrytrace.Dsn;
import io.sentrytrace.TransactionData;
import io.sentrytrace.envelope.EnvelopeExporter;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Sends OpenTelemetry spans to Sentry as transactions, through sentry-trace's {@link
 * EnvelopeExporter} (its bounded queue, retries and rate limits). A local root span (no parent, or
 * a remote one) becomes a transaction and its descendants the transaction's spans. Op,
 * description, status and data come from the span kind and the semantic-convention attributes:
 * {@code http.server} named {@code GET /orders/{id}} from the method and {@code http.route} (else
 * the path), {@code http.client} named by method and URL without its query, {@code db} named by the
 * query text, {@code rpc.*}, {@code queue.*}, else {@code default}; the status from the HTTP status
 * code, else from the OpenTelemetry status; every attribute as span data. The envelope header
 * carries the trace's DSC: the incoming one when the trace was continued through {@link
 * SentryTracePropagator} (recorded by {@link #incomingDscRecorder()}), else the one this service
 * writes as the head.
 *
 * <p>Children finish before their root and wait for it, at most {@code maxWaitingSpans} of them
 * and for at most {@code maxWait}; those pushed out are counted in {@link #droppedSpanCount()}. A
 * child that finishes after its transaction was sent goes out as a transaction of its own, under
 * the same parent. {@link #shutdown()} counts what still waits as dropped and closes the envelope
 * exporter.
 *
 * <pre>{@code
 * SentryEnvelopeSpanExporter exporter = SentryEnvelopeSpanExporter.builder("https://public@o1.ingest.sentry.io/2")
 *     .release("shop@1.4.0").tracesSampleRate(0.2).build();
 * SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
 *     .addSpanProcessor(SentryEnvelopeSpanExporter.incomingDscRecorder())
 *     .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
 *     .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(0.2)))
 *     .build();
 * }</pre>
 */
public final class SentryEnvelopeSpanExporter implements SpanExporter {
  private static final System.Logger LOG = System.getLogger(SentryEnvelopeSpanExporter.class.getName());
  static final int DEFAULT_MAX_WAITING_SPANS = 10_000;
  static final Duration DEFAULT_MAX_WAIT = Duration.ofMinutes(5);
  private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(10);

  private final io.sentrytrace.SpanExporter delegate;
  private final TransactionAssembler assembler;
  private final AtomicBoolean shutdown = new AtomicBoolean();

  private SentryEnvelopeSpanExporter(Builder b) {
    this.delegate = b.exporter != null ? b.exporter : EnvelopeExporter.builder(b.dsn).build();
    HeadDsc headDsc = new HeadDsc(b.dsn, b.release, b.environment, b.tracesSampleRate);
    this.assembler =
        new TransactionAssembler(headDsc, b.release, b.environment, b.maxWaitingSpans, b.maxWait.toNanos(), b.nanoTime);
  }

  /**
   * A builder for the project with this DSN: its public key and org id go into the DSC of traces
   * this service starts, and transactions go to it.
   *
   * @throws IllegalArgumentException when the DSN is not valid, naming what is wrong
   */
  public static Builder builder(String dsn) {
    return new Builder(Dsn.parse(dsn));
  }

  /**
   * The span processor that lets this exporter send the DSC of continued traces: it records the
   * DSC that {@link SentryTracePropagator} extracted on the span that continues the trace (as the
   * attribute {@code sentry.baggage}, which the exporter does not send as data). Add it to the
   * tracer provider before the processor that exports.
   */
  public static SpanProcessor incomingDscRecorder() {
    return new IncomingDscProcessor();
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    if (shutdown.get()) return CompletableResultCode.ofFailure();
    List<TransactionData> ready = new ArrayList<>();
    try {
      synchronized (assembler) {
        for (SpanData span : spans) assembler.add(span, ready);
      }
    } catch (RuntimeException e) {
      // A span we cannot read must not stop the others of the batch from being sent.
      LOG.log(Level.WARNING, "could not turn spans into transactions", e);
    }
    for (TransactionData tx : ready) delegate.export(tx);
    return CompletableResultCode.ofSuccess();
  }

  /** Waits (up to 10 s) until the envelope exporter has sent what it has queued. */
  @Override
  public CompletableResultCode flush() {
    return delegate.flush(FLUSH_TIMEOUT) ? CompletableResultCode.ofSuccess() : CompletableResultCode.ofFailure();
  }

  @Override
  public CompletableResultCode shutdown() {
    if (!shutdown.compareAndSet(false, true)) return CompletableResultCode.ofSuccess();
    synchronized (assembler) {
      if (assembler.waitingCount() > 0) {
        LOG.log(Level.DEBUG, "{0} spans never saw their root span finish; dropped", assembler.waitingCount());
      }
      assembler.dropAll();
    }
    delegate.close();
    return CompletableResultCode.ofSuccess();
  }

  /** Spans not sent: pushed out while waiting for their root, past 1000 in one transaction, or left at shutdown. */
  public long droppedSpanCount() {
    synchronized (assembler) {
      return assembler.droppedCount();
    }
  }

  @Override
  public String toString() {
    return "SentryEnvelopeSpanExporter";
  }

  /**
   * The exporter's options. Every setter validates its argument and says what is wrong.
   *
   * <pre>{@code
   * SentryEnvelopeSpanExporter exporter = SentryEnvelopeSpanExporter.builder(dsn)
   *     .exporter(EnvelopeExporter.builder(dsn).transport(OkHttpTransport.create(client)).build())
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private final Dsn dsn;
    private String release;
    private String environment;
    private Double tracesSampleRate;
    private io.sentrytrace.SpanExporter exporter;
    private int maxWaitingSpans = DEFAULT_MAX_WAITING_SPANS;
    private Duration maxWait = DEFAULT_MAX_WAIT;
    private LongSupplier nanoTime = System::nanoTime;

    private Builder(Dsn dsn) {
      this.dsn = dsn;
    }

    /** Sent with every transaction, and in the DSC of traces this service starts. */
    public Builder release(String release) {
      this.release = emptyToNull(release);
      return this;
    }

    /** Sent with every transaction, and in the DSC of traces this service starts. */
    public Builder environment(String environment) {
      this.environment = emptyToNull(environment);
      return this;
    }

    /** The sample rate written into the DSC of traces this service starts: its sampler's rate. */
    public Builder tracesSampleRate(Double rate) {
      if (rate != null && !(rate >= 0.0 && rate <= 1.0)) {
        throw new IllegalArgumentException("tracesSampleRate must be between 0.0 and 1.0, got " + rate);
      }
      this.tracesSampleRate = rate;
      return this;
    }

    /**
     * Where transactions go instead of a default {@code EnvelopeExporter.builder(dsn).build()}: an
     * envelope exporter with your transport or queue size, or any sentry-trace exporter. It is
     * closed by {@link SentryEnvelopeSpanExporter#shutdown()}.
     */
    public Builder exporter(io.sentrytrace.SpanExporter exporter) {
      this.exporter = Objects.requireNonNull(exporter, "exporter");
      return this;
    }

    /** The most finished spans kept while their root has not finished (default 10,000). */
    public Builder maxWaitingSpans(int max) {
      if (max < 1) throw new IllegalArgumentException("maxWaitingSpans must be at least 1, got " + max);
      this.maxWaitingSpans = max;
      return this;
    }

    /** How long a finished span waits for its root (default 5 minutes). */
    public Builder maxWait(Duration maxWait) {
      Objects.requireNonNull(maxWait, "maxWait");
      if (maxWait.isNegative() || maxWait.isZero()) throw new IllegalArgumentException("maxWait must be positive, got " + maxWait);
      this.maxWait = maxWait;
      return this;
    }

    /** The clock for {@link #maxWait} (tests). */
    Builder nanoTime(LongSupplier nanoTime) {
      this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
      return this;
    }

    public SentryEnvelopeSpanExporter build() {
      return new SentryEnvelopeSpanExporter(this);
    }

    private static String emptyToNull(String s) {
      return s == null || s.isEmpty() ? null : s;
    }
  }
}
