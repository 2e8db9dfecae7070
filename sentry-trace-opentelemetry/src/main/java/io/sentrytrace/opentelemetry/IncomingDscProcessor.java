package io.sentrytrace.opentelemetry;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;

/**
 * Keeps the DSC that {@link SentryTracePropagator} extracted on the span that continues the
 * incoming trace (a local root with a remote parent), as {@code sentry.baggage}: the exporter sees
 * only finished spans, not contexts, and sends this DSC in the envelope header.
 */
final class IncomingDscProcessor implements SpanProcessor {
  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {
    SpanContext parent = span.getParentSpanContext();
    if (!parent.isRemote()) return;
    Incoming incoming = parentContext.get(SentryTracePropagator.INCOMING);
    if (incoming == null || !incoming.traceId().equals(span.getSpanContext().getTraceId())) return;
    String dsc = incoming.dsc().toHeader();
    if (!dsc.isEmpty()) span.setAttribute(SpanMapping.SENTRY_BAGGAGE, dsc);
  }

  @Override
  public boolean isStartRequired() {
    return true;
  }

  @Override
  public void onEnd(ReadableSpan span) {}

  @Override
  public boolean isEndRequired() {
    return false;
  }
}
