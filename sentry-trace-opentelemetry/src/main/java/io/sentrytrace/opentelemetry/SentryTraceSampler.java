package io.sentrytrace.opentelemetry;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Samples as Sentry's DSC says it did. Parent-based: a span with a parent follows the parent's
 * decision. A trace this service starts is sampled when its {@code sample_rand}, read from the
 * trace id ({@link TraceIdSampleRand}, the value the propagator and the exporter write into the
 * DSC), is below the rate, so the DSC's {@code sample_rate}, {@code sampled} and {@code
 * sample_rand} always agree with the decision. A trace continued with a deferred decision (a
 * {@code sentry-trace} without a flag) is decided the same way with the incoming DSC's {@code
 * sample_rand}, as Sentry SDKs decide it.
 *
 * <p>Every local root it drops (a transaction: no parent, or a remote one) is told to the
 * exporter as a client-report discard (reason {@code sample_rate}, one {@code transaction} and one {@code span}),
 * as sentry-trace's own tracer does, so Sentry's client reports count what sampling kept out.
 */
final class SentryTraceSampler implements Sampler {
  private static final System.Logger LOG = System.getLogger(SentryTraceSampler.class.getName());
  /** The client-report reason (core's {@code SpanExporter.onDiscarded}), not the DSC key of that name. */
  static final String DISCARD_REASON = "sample_rate";

  private final double rate;
  /** Where discards go; may give null (no exporter of ours, or not built yet). */
  private final Supplier<SentryEnvelopeSpanExporter> exporter;
  private final AtomicBoolean warnedFailure = new AtomicBoolean();

  SentryTraceSampler(double rate, Supplier<SentryEnvelopeSpanExporter> exporter) {
    if (!(rate >= 0.0 && rate <= 1.0)) throw new IllegalArgumentException("rate must be in [0, 1], got " + rate);
    this.rate = rate;
    this.exporter = exporter;
  }

  @Override
  public SamplingResult shouldSample(
      Context parentContext, String traceId, String name, SpanKind spanKind, Attributes attributes, List<LinkData> parentLinks) {
    SpanContext parent = Span.fromContext(parentContext).getSpanContext();
    boolean sampled;
    if (!parent.isValid()) {
      sampled = asSent(TraceIdSampleRand.of(traceId)) < rate;
    } else if (!parent.isRemote()) {
      // A child: never counted, its transaction is.
      return parent.isSampled() ? SamplingResult.recordAndSample() : SamplingResult.drop();
    } else {
      Incoming incoming = parentContext.get(SentryTracePropagator.INCOMING);
      boolean deferred = incoming != null && incoming.traceId().equals(traceId) && incoming.sampled() == null;
      sampled = deferred ? incoming.context().sampleRand() < rate : parent.isSampled();
    }
    if (sampled) return SamplingResult.recordAndSample();
    discarded();
    return SamplingResult.drop();
  }

  /**
   * The value as the DSC writes it: six decimals, truncated. Deciding on it keeps {@code sampled}
   * and {@code sample_rand < sample_rate} in agreement even for a rate with more decimals.
   */
  static double asSent(double sampleRand) {
    long micros = (long) Math.floor(sampleRand * 1e6);
    // x * 1e6 can land just below an integer: step up while the next value is still not above x.
    if ((micros + 1) / 1e6 <= sampleRand) micros++;
    return micros / 1e6;
  }

  private void discarded() {
    SentryEnvelopeSpanExporter to = exporter.get();
    if (to == null) return;
    try {
      to.discarded(DISCARD_REASON, "transaction", 1);
      to.discarded(DISCARD_REASON, "span", 1);
    } catch (RuntimeException e) {
      // Counting must never fail the span's start.
      LOG.log(warnedFailure.compareAndSet(false, true) ? Level.WARNING : Level.DEBUG, "could not count a sampled-out transaction", e);
    }
  }

  @Override
  public String getDescription() {
    return "SentryTraceSampler{rate=" + rate + "}";
  }

  @Override
  public String toString() {
    return getDescription();
  }
}
