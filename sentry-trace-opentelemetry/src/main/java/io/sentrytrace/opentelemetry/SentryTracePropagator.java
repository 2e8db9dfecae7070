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
import io.sentrytrace.PropagationContext;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.SpanId;
import io.sentrytrace.TraceId;
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
 * SentryTracePropagatorProvider}, or made here from a sentry-trace {@link Tracer}, whose options it
 * uses. Thread-safe; never throws into the caller.
 *
 * <pre>{@code
 * Tracer tracer = Tracer.builder()
 *     .dsn("https://public@o1.ingest.sentry.io/2")
 *     .release("shop@1.4.0")
 *     .tracesSampleRate(0.2)          // the rate of your sampler, written into the DSC
 *     .tracePropagationTargets(List.of("api.example.com"))
 *     .build();
 * ContextPropagators propagators = ContextPropagators.create(TextMapPropagator.composite(
 *     W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance(),
 *     SentryTracePropagator.create(tracer)));
 * }</pre>
 *
 * <p><b>Extract</b> continues the trace exactly as the tracer's {@link Tracer#continueTrace} does
 * (the same header rules, the same org check of the DSN's org id and {@code
 * strictTraceContinuation}, the same DSC read from the first 8,192 chars of {@code baggage}): a
 * missing or invalid {@code sentry-trace} leaves the context as it is; a continued trace becomes
 * the remote parent with its DSC frozen beside it; a refused one also removes a W3C remote parent
 * of the same trace. The remote parent's sampled flag is the header's; a deferred decision ({@code
 * sentry-trace} without a flag) gives a parent that is <em>not sampled</em>, with the deferral kept
 * in the context: OpenTelemetry's default {@code ParentBased} sampler therefore drops such traces
 * (a sampler that wants to decide them itself sees the parent's trace id and can sample by rate),
 * and this propagator sends the decision on as still deferred while the local span is not sampled.
 *
 * <p><b>Inject</b> writes {@code sentry-trace} naming the current span, and {@code baggage}: the
 * frozen incoming DSC when the trace came in, else the tracer's {@link
 * Tracer#headDynamicSamplingContext head DSC} with a {@code sample_rand} read from the trace id as
 * OpenTelemetry's {@code TraceIdRatioBased} sampler reads it. OpenTelemetry {@code Baggage}
 * members of other vendors are written with it, so that listed after {@code baggage} in {@code
 * otel.propagators} the header holds every member once; list {@code sentry-trace} after {@code
 * baggage}, since whichever writes last replaces the header. When the span is an SDK client span
 * with a {@code url.full} that is not one of the tracer's {@code tracePropagationTargets}, nothing
 * is written. The tracer's sampler, exporter and W3C options play no part here.
 *
 * <p>With the tracer's {@link Tracer.Builder#debug(boolean) debug} switch on ({@code
 * sentry-trace.debug=true} through {@link SentryTracePropagatorProvider}), every extract and inject
 * decision is logged with its reason on the tracer's {@link Tracer#decisionLog() decision log}.
 */
public final class SentryTracePropagator implements TextMapPropagator {
  private static final System.Logger LOG = System.getLogger(SentryTracePropagator.class.getName());
  /** The incoming trace: trace id, parent, decision (null when deferred), frozen DSC. */
  static final ContextKey<Incoming> INCOMING = ContextKey.named("sentry-trace-incoming");
  private static final List<String> FIELDS = List.of(SentryTrace.HEADER, Baggage.HEADER);

  /** Continues traces, matches targets and defines the head DSC; records nothing. */
  private final Tracer tracer;
  private final AtomicBoolean warnedFailure = new AtomicBoolean();

  private SentryTracePropagator(Tracer tracer) {
    this.tracer = tracer;
  }

  /** A propagator without a DSN: no org check, headers to every URL. */
  public static SentryTracePropagator create() {
    return create(Tracer.builder().build());
  }

  /**
   * A propagator with the options of {@code tracer}: its DSN (public key and org id), release,
   * environment, {@code tracesSampleRate}, {@code tracePropagationTargets} and {@code
   * strictTraceContinuation}.
   */
  public static SentryTracePropagator create(Tracer tracer) {
    return new SentryTracePropagator(Objects.requireNonNull(tracer, "tracer"));
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
      if (sentryTrace == null) {
        tracer.decisionLog().incomingIgnored(null);
        return context;
      }
      if (SentryTrace.parse(sentryTrace).isEmpty()) {
        if (LOG.isLoggable(Level.DEBUG)) LOG.log(Level.DEBUG, "ignoring an invalid sentry-trace header");
        tracer.decisionLog().incomingIgnored(sentryTrace);
        return context;
      }
      return extract(context, sentryTrace, getter.get(carrier, Baggage.HEADER));
    } catch (RuntimeException e) {
      warnOnce("could not extract the incoming Sentry trace; context left as it was", e);
      return context;
    }
  }

  /** Extract from the header values (the scaling test counts the chars read through here). */
  Context extract(Context context, CharSequence sentryTrace, CharSequence baggage) {
    SentryTrace parsed = SentryTrace.parse(sentryTrace).orElse(null);
    if (parsed == null) return context;
    PropagationContext continued = tracer.continueTrace(sentryTrace, baggage);
    if (continued.isHeadOfTrace()) return refused(context, parsed);
    String traceId = continued.traceId().toString();
    SpanContext remote =
        SpanContext.createFromRemoteParent(
            traceId,
            continued.parentSpanId().toString(),
            Boolean.TRUE.equals(continued.sampled()) ? TraceFlags.getSampled() : TraceFlags.getDefault(),
            traceStateOf(context, traceId));
    return context.with(Span.wrap(remote)).with(INCOMING, new Incoming(continued));
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
      if (url != null && !tracer.shouldPropagate(url)) {
        if (tracer.decisionLog().isEnabled()) tracer.decisionLog().outgoing(url, false);
        return;
      }
      String traceIdHex = spanContext.getTraceId();
      Incoming incoming = context.get(INCOMING);
      if (incoming != null && !incoming.traceId().equals(traceIdHex)) incoming = null;
      boolean sampled = spanContext.isSampled();
      // A deferred incoming decision stays deferred while the local span is not sampled.
      Boolean flag = sampled ? Boolean.TRUE : incoming != null && incoming.sampled() == null ? null : Boolean.FALSE;
      TraceId traceId = TraceId.fromHex(traceIdHex);
      String sentryTrace = SentryTrace.of(traceId, SpanId.fromHex(spanContext.getSpanId()), flag).toString();
      Baggage dsc =
          incoming != null
              ? incoming.dsc()
              : tracer.headDynamicSamplingContext(traceId, TraceIdSampleRand.of(traceIdHex), sampled);
      String baggage = baggageHeader(context, dsc);
      // Both made before either is set: a failure sends neither, never sentry-trace without its DSC.
      setter.set(carrier, SentryTrace.HEADER, sentryTrace);
      if (!baggage.isEmpty()) setter.set(carrier, Baggage.HEADER, baggage);
      if (tracer.decisionLog().isEnabled()) tracer.decisionLog().outgoing(url, true);
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
}
