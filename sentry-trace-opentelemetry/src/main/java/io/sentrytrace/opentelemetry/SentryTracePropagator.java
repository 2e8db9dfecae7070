package io.sentrytrace.opentelemetry;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.sentrytrace.Baggage;
import io.sentrytrace.Dsn;
import io.sentrytrace.PropagationTargets;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Tracer;
import java.lang.System.Logger.Level;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sentry's {@code sentry-trace} and {@code baggage} headers for OpenTelemetry: OpenTelemetry
 * services join traces that Sentry SDKs (and sentry-trace) started, and pass them on. Loaded by
 * name ({@code otel.propagators=tracecontext,baggage,sentry-trace}) through {@link
 * SentryTracePropagatorProvider}, or built here. Thread-safe; never throws into the caller.
 *
 * <pre>{@code
 * TextMapPropagator sentry = SentryTracePropagator.builder()
 *     .dsn("https://public@o1.ingest.sentry.io/2")
 *     .release("shop@1.4.0")
 *     .tracesSampleRate(0.2)
 *     .tracePropagationTargets(List.of("api.example.com"))
 *     .build();
 * ContextPropagators propagators = ContextPropagators.create(TextMapPropagator.composite(
 *     W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance(), sentry));
 * }</pre>
 *
 * <p><b>Extract</b> reads {@code sentry-trace} with sentry-trace's rules (a missing or invalid
 * header leaves the context as it is), applies the org check ({@code org_id} of the DSN against the
 * incoming DSC; {@code strictTraceContinuation}), and puts the incoming span as the remote parent,
 * with the incoming DSC frozen beside it (read from the {@code baggage} only when first needed). A refused trace also removes a W3C remote parent of the
 * same trace. The remote parent's sampled flag is the header's; a deferred decision ({@code
 * sentry-trace} without a flag) gives a parent that is <em>not sampled</em>, with the deferral kept
 * in the context: OpenTelemetry's default {@code ParentBased} sampler therefore drops such traces
 * (a sampler that wants to decide them itself sees the parent's trace id and can sample by rate),
 * and this propagator sends the decision on as still deferred while the local span is not sampled.
 *
 * <p><b>Inject</b> writes {@code sentry-trace} naming the current span, and {@code baggage}: the
 * frozen incoming DSC when the trace came in, else the DSC of a trace this service started
 * (trace id, public key, org, release, environment, sample rate, {@code sample_rand} from the trace
 * id, sampled). OpenTelemetry {@code Baggage} members of other vendors are written with it, so that
 * listed after {@code baggage} in {@code otel.propagators} the header holds every member once; list
 * {@code sentry-trace} after {@code baggage}, since whichever writes last replaces the header.
 * When the span is an SDK client span with a {@code url.full} that is not one of the {@code
 * tracePropagationTargets}, nothing is written.
 */
public final class SentryTracePropagator implements TextMapPropagator {
  private static final System.Logger LOG = System.getLogger(SentryTracePropagator.class.getName());
  /** The incoming trace: trace id, parent, decision (null when deferred), frozen DSC. */
  static final ContextKey<Incoming> INCOMING = ContextKey.named("sentry-trace-incoming");
  private static final List<String> FIELDS = List.of(SentryTrace.HEADER, Baggage.HEADER);

  /** Continues traces and matches targets; records nothing (no sample rate, no exporter). */
  private final Tracer tracer;
  private final OrgCheck orgCheck;
  private final HeadDsc headDsc;
  private final AtomicBoolean warnedFailure = new AtomicBoolean();

  private SentryTracePropagator(Builder b) {
    Tracer.Builder t = Tracer.builder().strictTraceContinuation(b.strictTraceContinuation).tracePropagationTargets(b.targets);
    if (b.dsn != null) t.dsn(b.dsn.toString());
    this.tracer = t.build();
    this.orgCheck = new OrgCheck(b.dsn == null ? null : b.dsn.orgId(), b.strictTraceContinuation);
    this.headDsc = new HeadDsc(b.dsn, b.release, b.environment, b.tracesSampleRate);
  }

  /** A propagator without a DSN: no org check, headers to every URL. */
  public static SentryTracePropagator create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Collection<String> fields() {
    return FIELDS;
  }

  @Override
  public <C> Context extract(Context context, C carrier, TextMapGetter<C> getter) {
    if (context == null) return Context.root();
    if (getter == null) return context;
    try {
      String sentryTrace = getter.get(carrier, SentryTrace.HEADER);
      if (sentryTrace == null) return context;
      SentryTrace parsed = SentryTrace.parse(sentryTrace).orElse(null);
      if (parsed == null) {
        if (LOG.isLoggable(Level.DEBUG)) LOG.log(Level.DEBUG, "ignoring an invalid sentry-trace header");
        return context;
      }
      String baggage = getter.get(carrier, Baggage.HEADER);
      if (!orgCheck.continues(baggage)) return refused(context, parsed);
      String traceId = parsed.traceId().toString();
      SpanContext remote =
          SpanContext.createFromRemoteParent(
              traceId,
              parsed.spanId().toString(),
              Boolean.TRUE.equals(parsed.sampled()) ? TraceFlags.getSampled() : TraceFlags.getDefault(),
              traceStateOf(context, traceId));
      Incoming incoming = new Incoming(tracer, parsed, traceId, baggage);
      return context.with(Span.wrap(remote)).with(INCOMING, incoming);
    } catch (RuntimeException e) {
      warnOnce("could not extract the incoming Sentry trace; context left as it was", e);
      return context;
    }
  }

  /** A W3C parent of the same trace keeps its {@code tracestate}. */
  private static TraceState traceStateOf(Context context, String traceId) {
    SpanContext w3c = Span.fromContext(context).getSpanContext();
    return w3c.isRemote() && w3c.getTraceId().equals(traceId) ? w3c.getTraceState() : TraceState.getDefault();
  }

  /**
   * A valid {@code sentry-trace} that was not continued (another org) must not be continued through
   * the {@code traceparent} of the same request either.
   */
  private static Context refused(Context context, SentryTrace parsed) {
    LOG.log(Level.DEBUG, "incoming trace {0} of another org not continued", parsed.traceId());
    SpanContext w3c = Span.fromContext(context).getSpanContext();
    if (w3c.isRemote() && w3c.getTraceId().equals(parsed.traceId().toString())) return context.with(Span.getInvalid());
    return context;
  }

  @Override
  public <C> void inject(Context context, C carrier, TextMapSetter<C> setter) {
    if (context == null || setter == null) return;
    Span span = Span.fromContext(context);
    SpanContext spanContext = span.getSpanContext();
    if (!spanContext.isValid()) return;
    try {
      String url = ClientSpanUrl.of(span);
      if (url != null && !tracer.shouldPropagate(url)) return;
      String traceId = spanContext.getTraceId();
      Incoming incoming = context.get(INCOMING);
      if (incoming != null && !incoming.traceId().equals(traceId)) incoming = null;
      boolean sampled = spanContext.isSampled();
      String flag = sampled ? "-1" : incoming != null && incoming.sampled() == null ? "" : "-0";
      setter.set(carrier, SentryTrace.HEADER, traceId + '-' + spanContext.getSpanId() + flag);
      Baggage dsc = incoming != null ? incoming.dsc() : headDsc.of(traceId, sampled);
      String baggage = baggageHeader(context, dsc);
      if (!baggage.isEmpty()) setter.set(carrier, Baggage.HEADER, baggage);
    } catch (RuntimeException e) {
      warnOnce("could not inject the Sentry trace; request sent without it", e);
    }
  }

  private static String baggageHeader(Context context, Baggage dsc) {
    io.opentelemetry.api.baggage.Baggage otel = io.opentelemetry.api.baggage.Baggage.fromContextOrNull(context);
    if (otel == null || otel.isEmpty()) return dsc.toHeader();
    return Baggage.merge(OtelBaggageHeader.render(otel), dsc);
  }

  private void warnOnce(String message, RuntimeException e) {
    LOG.log(warnedFailure.compareAndSet(false, true) ? Level.WARNING : Level.DEBUG, message, e);
  }

  @Override
  public String toString() {
    return "SentryTracePropagator";
  }

  /**
   * The propagator's options. Every setter validates its argument and says what is wrong.
   *
   * <pre>{@code
   * SentryTracePropagator propagator = SentryTracePropagator.builder().dsn(dsn).release("shop@1.4.0").build();
   * }</pre>
   */
  public static final class Builder {
    private Dsn dsn;
    private String release;
    private String environment;
    private Double tracesSampleRate;
    private PropagationTargets targets = PropagationTargets.all();
    private boolean strictTraceContinuation;

    private Builder() {}

    /**
     * The project's DSN: its public key and org id go into the DSC this service writes, and traces
     * of other orgs are not continued. Null: none.
     *
     * @throws IllegalArgumentException naming what is wrong with the DSN
     */
    public Builder dsn(String dsn) {
      this.dsn = dsn == null || dsn.isBlank() ? null : Dsn.parse(dsn);
      return this;
    }

    /** The release written into the DSC of traces this service starts. */
    public Builder release(String release) {
      this.release = emptyToNull(release);
      return this;
    }

    /** The environment written into the DSC of traces this service starts. */
    public Builder environment(String environment) {
      this.environment = emptyToNull(environment);
      return this;
    }

    /**
     * The sample rate written into the DSC of traces this service starts: the rate its sampler
     * uses (e.g. {@code traceidratio}). Null (the default): not written.
     */
    public Builder tracesSampleRate(Double rate) {
      if (rate != null && !(rate >= 0.0 && rate <= 1.0)) {
        throw new IllegalArgumentException("tracesSampleRate must be between 0.0 and 1.0, got " + rate);
      }
      this.tracesSampleRate = rate;
      return this;
    }

    /**
     * URLs of client spans that get the headers: {@code String}s (substring, or a regex matching
     * the whole URL) and {@link java.util.regex.Pattern}s, as in sentry-trace's {@code Tracer}.
     * Null: all URLs (the default); empty: none.
     */
    public Builder tracePropagationTargets(List<?> targets) {
      this.targets = PropagationTargets.of(targets);
      return this;
    }

    public Builder tracePropagationTargets(PropagationTargets targets) {
      this.targets = Objects.requireNonNull(targets, "targets");
      return this;
    }

    /** Also refuse incoming traces when only one side has an org id. */
    public Builder strictTraceContinuation(boolean strict) {
      this.strictTraceContinuation = strict;
      return this;
    }

    public SentryTracePropagator build() {
      return new SentryTracePropagator(this);
    }

    private static String emptyToNull(String s) {
      return s == null || s.isEmpty() ? null : s;
    }
  }
}
