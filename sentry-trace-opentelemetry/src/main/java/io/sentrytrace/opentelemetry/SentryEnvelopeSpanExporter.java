package io.sentrytrace.opentelemetry;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import io.sentrytrace.envelope.EnvelopeExporter;
import io.sentrytrace.envelope.UrlConnectionTransport;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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
 * SentryTracePropagator} (recorded by {@link #incomingDscRecorder()}), else the tracer's {@link
 * Tracer#headDynamicSamplingContext head DSC} (as the propagator sends it). Release, environment,
 * DSN and sample rate come from a sentry-trace {@link Tracer}, the same one the propagator is made
 * from.
 *
 * <p>Children finish before their root and wait for it, at most {@code maxWaitingSpans} of them
 * and for at most {@code maxWait}; those pushed out are counted in {@link #droppedSpanCount()}.
 * The wait is enforced on a timer (a daemon thread named {@code sentry-trace-span-wait}, which
 * exists only while spans wait), so a service that goes quiet drops them too. A child that
 * finishes after its transaction was sent goes out as a transaction of its own, under the same
 * parent. {@link #shutdown()} counts what still waits as dropped and closes the envelope exporter.
 *
 * <pre>{@code
 * Tracer tracer = Tracer.builder().dsn("https://public@o1.ingest.sentry.io/2")
 *     .release("shop@1.4.0").tracesSampleRate(0.2).build();
 * SentryEnvelopeSpanExporter exporter = SentryEnvelopeSpanExporter.builder(tracer).build();
 * SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
 *     .addSpanProcessor(SentryEnvelopeSpanExporter.incomingDscRecorder())
 *     .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
 *     .setSampler(exporter.sampler())
 *     .build();
 * }</pre>
 */
public final class SentryEnvelopeSpanExporter implements SpanExporter {
  private static final System.Logger LOG = System.getLogger(SentryEnvelopeSpanExporter.class.getName());
  static final int DEFAULT_MAX_WAITING_SPANS = 10_000;
  static final Duration DEFAULT_MAX_WAIT = Duration.ofMinutes(5);
  private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(10);

  private final io.sentrytrace.SpanExporter delegate;
  private final Double tracesSampleRate;
  private final TransactionAssembler assembler;
  private final AtomicBoolean shutdown = new AtomicBoolean();
  /** Enforces {@code maxWait} while spans wait; its one thread ends when nothing is scheduled. */
  private final ScheduledThreadPoolExecutor timer;
  /** The pending expiry run, or null; guarded by the assembler's lock. */
  private ScheduledFuture<?> expiry;
  private final AtomicBoolean warnedTimerFailure = new AtomicBoolean();

  private SentryEnvelopeSpanExporter(Builder b) {
    if (b.exporter == null && b.tracer.dsn() == null) {
      throw new IllegalArgumentException(
          "the tracer has no DSN to send transactions to: build it with Tracer.builder().dsn(...), or set exporter(...)");
    }
    this.delegate = b.exporter != null
        ? b.exporter
        : EnvelopeExporter.builder(b.tracer.dsn()).transport(UntracedTransport.of(UrlConnectionTransport.create())).build();
    this.tracesSampleRate = b.tracer.tracesSampleRate();
    this.assembler = new TransactionAssembler(b.tracer, b.maxWaitingSpans, b.maxWait.toNanos(), b.nanoTime);
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "sentry-trace-span-wait");
              t.setDaemon(true);
              return t;
            });
    timer.setKeepAliveTime(10, TimeUnit.SECONDS);
    timer.allowCoreThreadTimeOut(true);
    timer.setRemoveOnCancelPolicy(true);
  }

  /**
   * A builder with the options of {@code tracer}: its DSN's public key and org id, release,
   * environment and {@code tracesSampleRate} go into the DSC of traces this service starts (the
   * same DSC {@link SentryTracePropagator#create(Tracer)} sends), release and environment onto
   * every transaction, and transactions to its DSN unless {@link Builder#exporter} says otherwise.
   * The tracer's own exporter and sampler are not used.
   */
  public static Builder builder(Tracer tracer) {
    return new Builder(Objects.requireNonNull(tracer, "tracer"));
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

  /**
   * The sampler that agrees with the DSC this exporter and {@link SentryTracePropagator} send:
   * parent-based; a trace this service starts is sampled when its {@code sample_rand} (read from
   * the trace id) is below the tracer's {@code tracesSampleRate}, so the DSC's {@code sample_rate},
   * {@code sampled} and {@code sample_rand} agree with the decision; a continued trace whose
   * decision was deferred is decided the same way with its incoming {@code sample_rand}. The
   * transactions it drops are counted in the client reports this exporter sends ({@code
   * sample_rate}). The auto-configuration ({@code sentry-trace.traces-sample-rate} without {@code
   * otel.traces.sampler}) installs the same sampler.
   *
   * <pre>{@code
   * SdkTracerProvider.builder()
   *     .addSpanProcessor(SentryEnvelopeSpanExporter.incomingDscRecorder())
   *     .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
   *     .setSampler(exporter.sampler())
   *     .build();
   * }</pre>
   *
   * @throws IllegalStateException when the tracer has no {@code tracesSampleRate}
   */
  public Sampler sampler() {
    if (tracesSampleRate == null) {
      throw new IllegalStateException("the tracer has no tracesSampleRate to sample at: build it with Tracer.builder().tracesSampleRate(...)");
    }
    return new SentryTraceSampler(tracesSampleRate, () -> this);
  }

  /** A transaction or span left out before export (sampling): counted in the client reports. */
  void discarded(String reason, String category, long quantity) {
    if (!shutdown.get()) delegate.onDiscarded(reason, category, quantity);
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    if (shutdown.get()) return CompletableResultCode.ofFailure();
    List<TransactionData> ready = new ArrayList<>();
    try {
      synchronized (assembler) {
        for (SpanData span : spans) assembler.add(span, ready);
        scheduleExpiry();
      }
    } catch (RuntimeException e) {
      // A span we cannot read must not stop the others of the batch from being sent.
      LOG.log(Level.WARNING, "could not turn spans into transactions", e);
    }
    for (TransactionData tx : ready) delegate.export(tx);
    return CompletableResultCode.ofSuccess();
  }

  /** Runs {@link #expire} when the oldest waiting span has waited {@code maxWait}; holds the lock. */
  private void scheduleExpiry() {
    if (expiry != null || shutdown.get()) return;
    long delay = assembler.expire();
    if (delay >= 0) expiry = timer.schedule(this::expire, delay, TimeUnit.NANOSECONDS);
  }

  /** Drops the spans that waited too long, and schedules the next run while any wait. */
  private void expire() {
    try {
      synchronized (assembler) {
        expiry = null;
        scheduleExpiry();
      }
    } catch (RuntimeException e) {
      LOG.log(warnedTimerFailure.compareAndSet(false, true) ? Level.WARNING : Level.DEBUG,
          "could not drop spans that waited too long for their root", e);
    }
  }

  /**
   * Drops the spans that waited {@code maxWait} for their root, then waits (up to 10 s) until the
   * envelope exporter has sent what it has queued.
   */
  @Override
  public CompletableResultCode flush() {
    synchronized (assembler) {
      assembler.expire();
    }
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
      if (expiry != null) expiry.cancel(false);
      expiry = null;
    }
    timer.shutdownNow();
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
   * The exporter's own options (the DSC's come from the tracer). Every setter validates its
   * argument and says what is wrong.
   *
   * <pre>{@code
   * SentryEnvelopeSpanExporter exporter = SentryEnvelopeSpanExporter.builder(tracer)
   *     .exporter(EnvelopeExporter.builder(tracer.dsn()).transport(OkHttpTransport.create(client)).build())
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private final Tracer tracer;
    private io.sentrytrace.SpanExporter exporter;
    private int maxWaitingSpans = DEFAULT_MAX_WAITING_SPANS;
    private Duration maxWait = DEFAULT_MAX_WAIT;
    private LongSupplier nanoTime = System::nanoTime;

    private Builder(Tracer tracer) {
      this.tracer = tracer;
    }

    /**
     * Where transactions go instead of a default {@code EnvelopeExporter.builder(tracer.dsn()).build()}
     * (whose POSTs run with OpenTelemetry instrumentation suppressed): an envelope exporter with your
     * transport or queue size, or any sentry-trace exporter. It is closed by {@link
     * SentryEnvelopeSpanExporter#shutdown()}. A transport whose HTTP client OpenTelemetry instruments
     * turns every POST into a transaction of its own: call it inside {@code
     * InstrumentationUtil.suppressInstrumentation(..)}.
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

    /**
     * The exporter.
     *
     * @throws IllegalArgumentException when no {@link #exporter} is set and the tracer has no DSN
     */
    public SentryEnvelopeSpanExporter build() {
      return new SentryEnvelopeSpanExporter(this);
    }
  }
}
