package io.sentrytrace;

import java.util.Objects;

/**
 * Where a trace stands when it enters this process: the trace id, the span it continues, the
 * sampling decision, {@code sample_rand} and the frozen dynamic sampling context. Immutable. Made by
 * {@link Tracer#continueTrace(String, String)} or {@link Tracer#newTrace()}.
 *
 * <pre>{@code
 * PropagationContext parent = tracer.continueTrace(sentryTraceHeader, baggageHeader);
 * Span tx = tracer.startTransaction("GET /orders", "http.server", parent);
 * }</pre>
 */
public final class PropagationContext {
  private final TraceId traceId;
  private final SpanId spanId;
  private final SpanId parentSpanId;
  private final Boolean sampled;
  private final double sampleRand;
  private final Baggage frozenDsc;
  /** The DSC this context sends as the head of its trace, made once by the tracer (racy cache). */
  private Baggage headDsc;

  PropagationContext(
      TraceId traceId, SpanId spanId, SpanId parentSpanId, Boolean sampled, double sampleRand, Baggage frozenDsc) {
    this.traceId = traceId;
    this.spanId = spanId;
    this.parentSpanId = parentSpanId;
    this.sampled = sampled;
    this.sampleRand = sampleRand;
    this.frozenDsc = frozenDsc;
  }

  /** A new trace of which this process is the head. */
  static PropagationContext newHead() {
    return new PropagationContext(TraceId.random(), SpanId.random(), null, null, SampleRand.random(), null);
  }

  public TraceId traceId() {
    return traceId;
  }

  /**
   * The span id sent when there is no active span (tracing off): outgoing requests name it as
   * their parent.
   */
  public SpanId spanId() {
    return spanId;
  }

  /** The incoming span this trace continues; null at the head of a trace. */
  public SpanId parentSpanId() {
    return parentSpanId;
  }

  /** The incoming sampling decision; null when deferred or at the head of a trace. */
  public Boolean sampled() {
    return sampled;
  }

  /** The trace's random number in [0, 1) that sampling decisions compare against. */
  public double sampleRand() {
    return sampleRand;
  }

  /**
   * The dynamic sampling context frozen by the head of the trace, as received; null when this
   * process is the head (its DSC is made when it is first sent).
   */
  public Baggage frozenDynamicSamplingContext() {
    return frozenDsc;
  }

  Baggage cachedHeadDsc() {
    return headDsc;
  }

  void cacheHeadDsc(Baggage dsc) {
    headDsc = dsc;
  }

  /** True when this process started the trace. */
  public boolean isHeadOfTrace() {
    return parentSpanId == null;
  }

  /**
   * Makes this context current on this thread, so that requests made without an active span carry
   * its trace (tracing off: propagation only).
   */
  public Scope makeCurrent() {
    return CurrentContext.attach(this);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof PropagationContext)) return false;
    PropagationContext that = (PropagationContext) o;
    return traceId.equals(that.traceId)
        && spanId.equals(that.spanId)
        && Objects.equals(parentSpanId, that.parentSpanId)
        && Objects.equals(sampled, that.sampled)
        && Double.compare(sampleRand, that.sampleRand) == 0
        && Objects.equals(frozenDsc, that.frozenDsc);
  }

  @Override
  public int hashCode() {
    return Objects.hash(traceId, spanId, parentSpanId, sampled, sampleRand, frozenDsc);
  }

  @Override
  public String toString() {
    return "PropagationContext{trace=" + traceId + ", span=" + spanId + ", parent=" + parentSpanId
        + ", sampled=" + sampled + ", sampleRand=" + SampleRand.format(sampleRand)
        + ", dsc=" + (frozenDsc == null ? "(head)" : frozenDsc.toHeader()) + '}';
  }
}
