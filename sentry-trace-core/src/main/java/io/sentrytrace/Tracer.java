package io.sentrytrace;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts transactions, continues incoming traces and puts the trace on outgoing requests. Built
 * once with {@link #builder()}; thread-safe.
 *
 * <pre>{@code
 * Tracer tracer = Tracer.builder()
 *     .dsn("https://public@o1.ingest.sentry.io/2")
 *     .tracesSampleRate(0.2)
 *     .tracePropagationTargets(List.of("localhost", "api.example.com"))
 *     .release("shop@1.4.0")
 *     .build();
 * PropagationContext incoming = tracer.continueTrace(req.header("sentry-trace"), req.header("baggage"));
 * Span tx = tracer.startTransaction("GET /checkout", "http.server", incoming);
 * }</pre>
 *
 * <p><b>Threads.</b> The current span (or propagation context) is per thread ({@link
 * Span#makeCurrent()}, rules in {@link Scope}). Work handed to another thread keeps its parent when
 * it goes through {@link #wrap(Runnable)}, {@link #wrap(java.util.concurrent.Callable)}, {@link
 * #wrap(java.util.concurrent.Executor)} or {@link #wrap(java.util.concurrent.ExecutorService)}:
 *
 * <pre>{@code
 * ExecutorService pool = tracer.wrap(Executors.newFixedThreadPool(4));
 * CompletableFuture<Quote> quote = CompletableFuture.supplyAsync(() -> pricing.quote(cart), pool);
 * }</pre>
 *
 * <p><b>Shutdown.</b> A tracer is {@link AutoCloseable}: {@link #close()} closes its exporter, which
 * sends what is still queued. Close it when the application stops ({@code try (Tracer tracer =
 * ...)} in a short-lived program). An exporter that sends from a background thread may also flush
 * when the JVM exits (the envelope exporter does, by default, through a shutdown hook bounded by its
 * close timeout), but closing is the reliable way.
 */
public final class Tracer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Tracer.class.getName());

  private final PropagationTargets targets;
  private final Double tracesSampleRate;
  private final TracesSampler tracesSampler;
  private final String release;
  private final String environment;
  private final Dsn dsn;
  private final String publicKey;
  private final String orgId;
  private final boolean strictTraceContinuation;
  private final boolean propagateTraceparent;
  private final boolean continueFromTraceparent;
  private final SpanExporter exporter;
  private final SpanClock clock;
  /** Used when nothing is current: all requests made outside a request or span share it. */
  private final PropagationContext rootContext;
  private final TransactionState rootState;
  private final WarnOnce exporterFailure = new WarnOnce(LOG);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final DecisionLog decisions;

  private Tracer(Builder b) {
    this.targets = b.targets;
    this.tracesSampleRate = b.tracesSampleRate;
    this.tracesSampler = b.tracesSampler;
    this.release = b.release;
    this.environment = b.environment;
    Dsn dsn = b.dsn;
    this.dsn = dsn;
    this.publicKey = b.publicKey != null ? b.publicKey : dsn != null ? dsn.publicKey() : null;
    this.orgId = b.orgId != null ? b.orgId : dsn != null ? dsn.orgId() : null;
    this.strictTraceContinuation = b.strictTraceContinuation;
    this.propagateTraceparent = b.propagateTraceparent;
    this.continueFromTraceparent = b.continueFromTraceparent;
    this.exporter = b.exporter;
    this.clock = SpanClock.of(b.clock);
    this.rootContext = PropagationContext.newHead();
    this.rootState = stateFor(rootContext, null, null, false, false);
    this.decisions = DecisionLog.of(b.debug, targets);
    decisions.started(this, tracesSampler != null, orgId);
  }

  public static Builder builder() {
    return new Builder();
  }

  // ---- starting transactions ----

  /** Starts a transaction that begins a new trace. */
  public Span startTransaction(String name, String op) {
    return startTransaction(name, op, PropagationContext.newHead());
  }

  /**
   * Starts a transaction in the trace of {@code parent} (from {@link #continueTrace}); its parent
   * span is the incoming one. Sampling: a {@link TracesSampler} decides first, then the incoming
   * decision, then {@code tracesSampleRate}, each as {@code sample_rand < rate}.
   */
  public Span startTransaction(String name, String op, PropagationContext parent) {
    Objects.requireNonNull(parent, "parent");
    TransactionState state = stateFor(parent, name, op, isTracingEnabled(), decisions.isEnabled());
    return new Span(this, state, true, parent.traceId(), SpanId.random(), parent.parentSpanId(), op, name);
  }

  private TransactionState stateFor(PropagationContext parent, String name, String op, boolean tracing, boolean log) {
    if (!tracing) {
      // Propagation only: keep the incoming decision (or none) and record nothing.
      if (log) decisions.notRecorded(name, parent.traceId(), parent.sampled());
      return new TransactionState(name, false, parent.sampled(), null, parent.sampleRand(), parent.frozenDynamicSamplingContext(), null);
    }
    Double rate = null;
    Boolean sampled = null;
    String rateSource = null;
    if (tracesSampler != null) {
      rate = askSampler(new SamplingContext(name, op, parent.sampled(), parent.sampleRand()));
      rateSource = "tracesSampler";
    }
    if (rate != null) {
      sampled = parent.sampleRand() < rate;
    } else if (parent.sampled() != null) {
      sampled = parent.sampled();
    } else {
      rate = tracesSampleRate != null ? tracesSampleRate : 0.0;
      rateSource = tracesSampleRate != null ? "tracesSampleRate" : "the tracesSampler returned null and there is no tracesSampleRate";
      sampled = parent.sampleRand() < rate;
    }
    if (log) decisions.sampling(name, parent.traceId(), sampled, rate, rateSource, parent.sampleRand());
    return new TransactionState(
        name, sampled, sampled, rate, parent.sampleRand(), parent.frozenDynamicSamplingContext(), sampled ? clock.anchor() : null);
  }

  private Double askSampler(SamplingContext context) {
    try {
      Double rate = tracesSampler.sample(context);
      if (rate == null) return null;
      if (!(rate >= 0.0 && rate <= 1.0)) {
        LOG.log(System.Logger.Level.WARNING, "tracesSampler returned {0}, not a rate in [0, 1]; not sampling", rate);
        return 0.0;
      }
      return rate;
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "tracesSampler threw; not sampling", e);
      return 0.0;
    }
  }

  // ---- continuing incoming traces ----

  /** A new trace of which this process is the head. */
  public PropagationContext newTrace() {
    return PropagationContext.newHead();
  }

  /**
   * The context of an incoming request, from its {@code sentry-trace} and {@code baggage} headers.
   * Null, invalid or refused headers (another org) give a new trace; this never throws. The
   * incoming DSC is frozen as it is; a missing {@code sample_rand} is backfilled so that it
   * reproduces the incoming decision.
   */
  public PropagationContext continueTrace(String sentryTrace, String baggage) {
    return continueTrace((CharSequence) sentryTrace, (CharSequence) baggage);
  }

  /**
   * {@link #continueTrace(String, String)} for headers held in any char sequence (a buffer of the
   * request, or a view of it): the same decision, reading at most the first {@link
   * Baggage#MAX_HEADER_LENGTH} chars of {@code baggage}.
   */
  public PropagationContext continueTrace(CharSequence sentryTrace, CharSequence baggage) {
    try {
      SentryTrace incoming = parseIncoming(sentryTrace);
      if (incoming == null) {
        logNotContinued(sentryTrace, false);
        return PropagationContext.newHead();
      }
      return continueFrom(incoming, SentryTrace.HEADER, baggage);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "could not continue the incoming trace; starting a new one", e);
      return PropagationContext.newHead();
    }
  }

  /**
   * The context of an incoming request read from any carrier, the twin of {@link #inject}: like
   * {@link #continueTrace(String, String)} with the headers {@code getter} reads. Reads {@code
   * sentry-trace} and {@code baggage}; with {@link Builder#continueFromTraceparent(boolean)}, a W3C
   * {@code traceparent} when there is no valid {@code sentry-trace}. Never throws, also when the
   * getter does.
   *
   * <pre>{@code
   * PropagationContext incoming = tracer.extract(exchange.getRequestHeaders(), Headers::getFirst);
   * }</pre>
   */
  public <C> PropagationContext extract(C carrier, CarrierGetter<C> getter) {
    try {
      String header = getter.get(carrier, SentryTrace.HEADER);
      SentryTrace incoming = parseIncoming(header);
      String via = SentryTrace.HEADER;
      if (incoming == null && continueFromTraceparent) {
        incoming = Traceparent.parse(getter.get(carrier, Traceparent.HEADER));
        via = Traceparent.HEADER;
      }
      if (incoming == null) {
        logNotContinued(header, continueFromTraceparent);
        return PropagationContext.newHead();
      }
      return continueFrom(incoming, via, getter.get(carrier, Baggage.HEADER));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "could not continue the incoming trace; starting a new one", e);
      return PropagationContext.newHead();
    }
  }

  /** The incoming header, or null; a header that is present but invalid is logged (debug). */
  private static SentryTrace parseIncoming(CharSequence header) {
    SentryTrace parsed = SentryTrace.parse(header).orElse(null);
    if (parsed == null && header != null && LOG.isLoggable(System.Logger.Level.DEBUG)) {
      LOG.log(System.Logger.Level.DEBUG, "ignoring invalid sentry-trace \"{0}\"; starting a new trace", Strings.preview(header));
    }
    return parsed;
  }

  /** Logs why no trace was continued: the header was missing, or invalid. */
  private void logNotContinued(CharSequence sentryTrace, boolean withTraceparent) {
    if (!decisions.isEnabled()) return;
    if (sentryTrace == null) decisions.incomingNone(withTraceparent);
    else decisions.incomingIgnored(sentryTrace);
  }

  private PropagationContext continueFrom(SentryTrace incoming, String via, CharSequence baggageHeader) {
    Baggage dsc = Baggage.parse(baggageHeader);
    if (!continuesOrg(dsc.get("org_id"))) {
      LOG.log(System.Logger.Level.DEBUG, "incoming trace from org {0} not continued (ours: {1})", dsc.get("org_id"), orgId);
      if (decisions.isEnabled()) {
        String theirs = dsc.get("org_id");
        decisions.incomingRefused(incoming.traceId(), theirs, orgId, theirs == null || orgId == null);
      }
      return PropagationContext.newHead();
    }
    double sampleRand = SampleRand.parse(dsc.get("sample_rand"));
    boolean fromBaggage = !Double.isNaN(sampleRand);
    double rate = Double.NaN;
    boolean backfill = false;
    if (!fromBaggage) {
      rate = parseRate(dsc.get("sample_rate"));
      backfill = incoming.sampled() != null && !Double.isNaN(rate);
      sampleRand = backfill ? SampleRand.backfill(incoming.sampled(), rate) : SampleRand.random();
      dsc = dsc.with("sample_rand", SampleRand.format(sampleRand));
    }
    PropagationContext continued =
        new PropagationContext(incoming.traceId(), SpanId.random(), incoming.spanId(), incoming.sampled(), sampleRand, dsc);
    if (decisions.isEnabled()) {
      decisions.incomingContinued(
          via,
          continued,
          fromBaggage
              ? "from baggage"
              : backfill ? "not in baggage: backfilled from sample_rate " + SampleRand.formatRate(rate) : "not in baggage: random");
    }
    return continued;
  }

  private boolean continuesOrg(String incomingOrg) {
    if (incomingOrg != null && orgId != null) return incomingOrg.equals(orgId);
    if (strictTraceContinuation) return incomingOrg == null && orgId == null;
    return true;
  }

  private static double parseRate(String value) {
    if (value == null) return Double.NaN;
    try {
      double d = Double.parseDouble(value);
      return d >= 0.0 && d <= 1.0 ? d : Double.NaN;
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  // ---- the current span ----

  /**
   * The span current on this thread, or null. Never a finished span, nor a span of a finished
   * transaction (a scope left open on a pool thread): new work would be lost with it, so without a
   * current span outgoing requests carry {@link #currentPropagationContext()}.
   */
  public Span currentSpan() {
    Object current = CurrentContext.get();
    if (!(current instanceof Span)) return null;
    Span span = (Span) current;
    return span.isEnded() ? null : span;
  }

  /**
   * The propagation context made current on this thread ({@link PropagationContext#makeCurrent()}),
   * or the tracer's own when none is. It is not derived from a current span: with a span, use the
   * span's headers ({@link #inject} with that span).
   */
  public PropagationContext currentPropagationContext() {
    Object current = CurrentContext.get();
    return current instanceof PropagationContext ? (PropagationContext) current : rootContext;
  }

  // ---- handing the current context to other threads ----

  /**
   * {@code task} to run on another thread with what is current here now (span or propagation
   * context, or nothing): while it runs there, {@link #currentSpan()} and outgoing requests see this
   * thread's parent. Afterwards that thread's own context is back, also when the task throws or
   * leaves scopes open.
   *
   * <pre>{@code
   * Thread.ofVirtual().start(tracer.wrap(() -> inventory.reserve(order)));
   * }</pre>
   */
  public Runnable wrap(Runnable task) {
    Objects.requireNonNull(task, "task");
    return CurrentContext.wrap(CurrentContext.get(), task);
  }

  /**
   * Like {@link #wrap(Runnable)}, for a task with a result.
   *
   * <pre>{@code
   * Future<Stock> stock = pool.submit(tracer.wrap(() -> inventory.stock(sku)));
   * }</pre>
   */
  public <T> Callable<T> wrap(Callable<T> task) {
    Objects.requireNonNull(task, "task");
    return CurrentContext.wrap(CurrentContext.get(), task);
  }

  /**
   * An executor that runs each task with what was current on the thread that submitted it (not
   * when this was called), then restores the worker's own context.
   *
   * <pre>{@code
   * Executor traced = tracer.wrap(executor);
   * CompletableFuture.supplyAsync(() -> pricing.quote(cart), traced);
   * }</pre>
   */
  public Executor wrap(Executor executor) {
    Objects.requireNonNull(executor, "executor");
    if (executor instanceof ExecutorService) return wrap((ExecutorService) executor);
    return executor instanceof ContextExecutor ? executor : new ContextExecutor(executor);
  }

  /**
   * An executor service whose {@code execute}, {@code submit}, {@code invokeAll} and {@code
   * invokeAny} run each task with what was current on the submitting thread, then restore the
   * worker's own context; {@code shutdown} and the rest go to {@code executor} as they are. The
   * executor behind Spring's {@code @Async} can be wrapped so.
   *
   * <pre>{@code
   * ExecutorService pool = tracer.wrap(Executors.newFixedThreadPool(4));
   * }</pre>
   */
  public ExecutorService wrap(ExecutorService executor) {
    Objects.requireNonNull(executor, "executor");
    return executor instanceof ContextExecutorService ? executor : new ContextExecutorService(executor);
  }

  // ---- outgoing requests ----

  /** Whether trace headers go to {@code url} ({@code tracePropagationTargets}). */
  public boolean shouldPropagate(CharSequence url) {
    return targets.matches(url);
  }

  public PropagationTargets propagationTargets() {
    return targets;
  }

  /**
   * Sets {@code sentry-trace}, {@code baggage} (Sentry's members only) and, when enabled, {@code
   * traceparent} on {@code carrier}, naming {@code span} as the parent; with a null span, the
   * current propagation context. Does not check the targets: see {@link #shouldPropagate}.
   */
  public <C> void inject(Span span, C carrier, CarrierSetter<C> setter) {
    inject(span, carrier, (c, k) -> null, setter);
  }

  /**
   * Like {@link #inject(Span, Object, CarrierSetter)}, for a carrier that may already carry
   * headers: a {@code sentry-trace} already there is kept and then nothing is added; an existing
   * {@code baggage} is merged (its other vendors' members kept, its {@code sentry-} members
   * replaced), so injecting twice never grows it.
   */
  public <C> void inject(Span span, C carrier, CarrierGetter<C> getter, CarrierSetter<C> setter) {
    if (span == null) {
      inject(currentPropagationContext(), carrier, getter, setter);
      return;
    }
    if (hasSentryTrace(carrier, getter)) return;
    write(
        carrier,
        getter,
        setter,
        span.toSentryTrace(),
        span.dynamicSamplingContext(),
        propagateTraceparent ? span.toTraceparent() : null);
  }

  /**
   * Sets the headers of {@code context} (a trace without an active span, as captured when a call
   * was made) on {@code carrier} without making it current: {@code sentry-trace} names the
   * context's own span id, {@code baggage} carries its frozen DSC (or, at the head of a trace, the
   * DSC this process writes). Does not check the targets.
   *
   * <pre>{@code
   * PropagationContext captured = tracer.currentPropagationContext();
   * executor.execute(() -> tracer.inject(captured, request, Request::header, Request::setHeader));
   * }</pre>
   */
  public <C> void inject(PropagationContext context, C carrier, CarrierSetter<C> setter) {
    inject(context, carrier, (c, k) -> null, setter);
  }

  /**
   * Like {@link #inject(PropagationContext, Object, CarrierSetter)}, for a carrier that may already
   * carry headers: a {@code sentry-trace} already there is kept and then nothing is added; an
   * existing {@code baggage} is merged.
   */
  public <C> void inject(PropagationContext context, C carrier, CarrierGetter<C> getter, CarrierSetter<C> setter) {
    Objects.requireNonNull(context, "context");
    if (hasSentryTrace(carrier, getter)) return;
    write(
        carrier,
        getter,
        setter,
        SentryTrace.format(context.traceId(), context.spanId(), context.sampled()),
        dscOf(context),
        propagateTraceparent ? Traceparent.format(context.traceId(), context.spanId(), context.sampled()) : null);
  }

  private static <C> boolean hasSentryTrace(C carrier, CarrierGetter<C> getter) {
    String existing = getter.get(carrier, SentryTrace.HEADER);
    return existing != null && !existing.isEmpty();
  }

  private static <C> void write(
      C carrier, CarrierGetter<C> getter, CarrierSetter<C> setter, String sentryTrace, Baggage dsc, String traceparent) {
    setter.set(carrier, SentryTrace.HEADER, sentryTrace);
    String baggage = Baggage.merge(getter.get(carrier, Baggage.HEADER), dsc);
    if (!baggage.isEmpty()) setter.set(carrier, Baggage.HEADER, baggage);
    if (traceparent != null) setter.set(carrier, Traceparent.HEADER, traceparent);
  }

  /** Whether outgoing requests also get a W3C {@code traceparent}. */
  public boolean propagatesTraceparent() {
    return propagateTraceparent;
  }

  private Baggage dscOf(PropagationContext ctx) {
    if (ctx == rootContext) return rootState.dsc(this, ctx.traceId());
    Baggage frozen = ctx.frozenDynamicSamplingContext();
    if (frozen != null) return frozen;
    // A head context made current by the user is sent with every request: build its DSC once.
    Baggage head = ctx.cachedHeadDsc();
    if (head == null) {
      head = headDsc(ctx.traceId(), null, null, ctx.sampleRand(), ctx.sampled());
      ctx.cacheHeadDsc(head);
    }
    return head;
  }

  /**
   * The DSC this tracer writes as the head of a trace whose sampling decision was made elsewhere,
   * by a sampler that reads its own random value: the OpenTelemetry bridge passes the {@code
   * sample_rand} it derives from the trace id, so that the value sent agrees with OpenTelemetry's
   * {@code TraceIdRatioBased} sampler. Trace id, public key and org id (of the DSN), release,
   * environment, {@code tracesSampleRate} as {@code sample_rate} (when set), {@code sample_rand}
   * and {@code sampled}; the same definition as the DSC of a transaction this tracer starts.
   *
   * @param sampleRand the trace's random value in [0, 1), sent truncated to six decimals
   * @param sampled the decision; null when deferred
   * @throws IllegalArgumentException when {@code sampleRand} is not in [0, 1)
   */
  public Baggage headDynamicSamplingContext(TraceId traceId, double sampleRand, Boolean sampled) {
    Objects.requireNonNull(traceId, "traceId");
    if (!(sampleRand >= 0.0 && sampleRand < 1.0)) {
      throw new IllegalArgumentException("sampleRand must be in [0, 1), got " + sampleRand);
    }
    return headDsc(traceId, null, tracesSampleRate, sampleRand, sampled);
  }

  /** The DSC a trace's head writes: what this process knows when it first sends the trace. */
  Baggage headDsc(TraceId traceId, String transaction, Double sampleRate, double sampleRand, Boolean sampled) {
    Map<String, String> dsc = new LinkedHashMap<>();
    dsc.put("trace_id", traceId.toString());
    if (publicKey != null) dsc.put("public_key", publicKey);
    if (release != null) dsc.put("release", release);
    if (environment != null) dsc.put("environment", environment);
    if (transaction != null) dsc.put("transaction", transaction);
    if (sampleRate != null) dsc.put("sample_rate", SampleRand.formatRate(sampleRate));
    dsc.put("sample_rand", SampleRand.format(sampleRand));
    if (sampled != null) dsc.put("sampled", sampled.toString());
    if (orgId != null) dsc.put("org_id", orgId);
    return Baggage.of(dsc);
  }

  // ---- export ----

  /** True when transactions are sampled and exported ({@code tracesSampleRate} or a sampler set). */
  public boolean isTracingEnabled() {
    return tracesSampleRate != null || tracesSampler != null;
  }

  void export(TransactionData transaction) {
    if (exporter == null) return;
    try {
      exporter.export(transaction);
    } catch (RuntimeException e) {
      exporterFailure.log(() -> "exporter failed; transaction dropped", () -> e);
    }
  }

  /** A transaction this tracer traced finished unsampled: the exporter hears of it (client reports). */
  void unsampled() {
    if (exporter == null) return;
    try {
      exporter.onDiscarded("sample_rate", "transaction", 1);
      exporter.onDiscarded("sample_rate", "span", 1);
    } catch (RuntimeException e) {
      exporterFailure.log(() -> "exporter failed to take a discard count", () -> e);
    }
  }

  /** Waits for the exporter to send what it has; true when done in time. */
  public boolean flush(Duration timeout) {
    return exporter == null || exporter.flush(timeout);
  }

  /**
   * Closes the exporter, which sends what it still has (bounded by its own timeout). A second call
   * does nothing. Spans finished afterwards go to the closed exporter, which drops them.
   */
  @Override
  public void close() {
    if (exporter == null || !closed.compareAndSet(false, true)) return;
    try {
      exporter.close();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "closing the exporter failed", e);
    }
  }

  /** A reading of the span clock, see {@link SpanClock}. */
  long nanos() {
    return clock.nanos();
  }

  /** The release sent with transactions and in the DSC of traces this tracer starts; may be null. */
  public String release() {
    return release;
  }

  /** The environment sent with transactions and in that DSC; may be null. */
  public String environment() {
    return environment;
  }

  /** The DSN this tracer was built with; null when none was set. */
  public Dsn dsn() {
    return dsn;
  }

  /**
   * {@code tracesSampleRate}: the rate transactions are sampled at, and the {@code sample_rate} of
   * the DSC of traces this tracer starts; null when not set.
   */
  public Double tracesSampleRate() {
    return tracesSampleRate;
  }

  /** Whether incoming traces are also refused when only one side has an org id. */
  public boolean strictTraceContinuation() {
    return strictTraceContinuation;
  }

  /**
   * The decision log ({@link Builder#debug(boolean)}): integrations report the decisions they make
   * to it, such as an HTTP client's headers added or not. Off unless the tracer was built with
   * {@code debug(true)}; then each call costs one boolean check.
   */
  public DecisionLog decisionLog() {
    return decisions;
  }

  /**
   * The tracer's options. Every setter validates its argument and says what is wrong.
   *
   * <pre>{@code
   * Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(new InMemorySpanExporter()).build();
   * }</pre>
   */
  public static final class Builder {
    private PropagationTargets targets = PropagationTargets.all();
    private Double tracesSampleRate;
    private TracesSampler tracesSampler;
    private String release;
    private String environment;
    private Dsn dsn;
    private String publicKey;
    private String orgId;
    private boolean strictTraceContinuation;
    private boolean propagateTraceparent;
    private boolean continueFromTraceparent;
    private SpanExporter exporter;
    private Clock clock; // null: the system clock, read as SpanClock says
    private boolean debug;

    private Builder() {}

    /**
     * URLs that get trace headers: {@code String}s (substring, or regex matching the whole URL)
     * and {@link java.util.regex.Pattern}s ({@code find()}). Null: all URLs (the default); empty:
     * none.
     */
    public Builder tracePropagationTargets(List<?> targets) {
      this.targets = PropagationTargets.of(targets);
      return this;
    }

    public Builder tracePropagationTargets(PropagationTargets targets) {
      this.targets = Objects.requireNonNull(targets, "targets");
      return this;
    }

    /**
     * A rate in [0, 1]: {@code tracesSampleRate(1)} and {@code tracesSampleRate(0.2)} both
     * compile; boxed {@code Double}s and null go to {@link #tracesSampleRate(Double)}.
     *
     * @throws IllegalArgumentException when {@code rate} is not in [0, 1]
     */
    public Builder tracesSampleRate(double rate) {
      return tracesSampleRate(Double.valueOf(rate));
    }

    /**
     * A rate in [0, 1]; null (the default) turns tracing off but keeps propagation on.
     *
     * @throws IllegalArgumentException when {@code rate} is not null and not in [0, 1]
     */
    public Builder tracesSampleRate(Double rate) {
      if (rate != null && !(rate >= 0.0 && rate <= 1.0)) {
        throw new IllegalArgumentException("tracesSampleRate must be between 0.0 and 1.0, got " + rate);
      }
      this.tracesSampleRate = rate;
      return this;
    }

    public Builder tracesSampler(TracesSampler sampler) {
      this.tracesSampler = sampler;
      return this;
    }

    public Builder release(String release) {
      this.release = emptyToNull(release);
      return this;
    }

    public Builder environment(String environment) {
      this.environment = emptyToNull(environment);
      return this;
    }

    /**
     * The project's DSN: its public key and org id go into the DSC.
     *
     * @throws IllegalArgumentException naming what is wrong with the DSN
     */
    public Builder dsn(String dsn) {
      this.dsn = dsn == null ? null : Dsn.parse(dsn);
      return this;
    }

    /** The DSN, parsed; null when none is set. */
    public Dsn dsn() {
      return dsn;
    }

    /** Overrides the DSN's public key in the DSC. */
    public Builder publicKey(String publicKey) {
      this.publicKey = emptyToNull(publicKey);
      return this;
    }

    /** Overrides the DSN's org id: traces from other orgs are not continued. */
    public Builder orgId(String orgId) {
      this.orgId = emptyToNull(orgId);
      return this;
    }

    /** Also refuse incoming traces when only one side has an org id. */
    public Builder strictTraceContinuation(boolean strict) {
      this.strictTraceContinuation = strict;
      return this;
    }

    /** Also send W3C {@code traceparent}. */
    public Builder propagateTraceparent(boolean propagate) {
      this.propagateTraceparent = propagate;
      return this;
    }

    /** Continue from an incoming {@code traceparent} when there is no {@code sentry-trace}. */
    public Builder continueFromTraceparent(boolean continueFrom) {
      this.continueFromTraceparent = continueFrom;
      return this;
    }

    /** Where finished, sampled transactions go; none by default. */
    public Builder exporter(SpanExporter exporter) {
      this.exporter = exporter;
      return this;
    }

    /**
     * The clock for span timestamps, read at every span start and end (tests). By default the
     * system clock is read once per transaction and its spans are timed with {@link
     * System#nanoTime()} from there: cheaper, and no span ends before it starts when the wall clock
     * is stepped.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Logs every propagation decision with its reason, one line each at INFO on the logger {@value
     * DecisionLog#LOGGER_NAME} (see {@link DecisionLog}): whether an incoming trace is continued,
     * refused or deferred, whether a transaction is sampled, whether an outgoing request gets the
     * headers, whether an envelope was sent. For finding out why a trace does not connect; off by
     * default (then it costs one boolean check per decision).
     */
    public Builder debug(boolean debug) {
      this.debug = debug;
      return this;
    }

    public Tracer build() {
      return new Tracer(this);
    }

    private static String emptyToNull(String s) {
      return s == null || s.isEmpty() ? null : s;
    }
  }
}
