package io.sentrytrace.opentelemetry;

import io.sentrytrace.Baggage;
import io.sentrytrace.PropagationContext;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Tracer;

/**
 * A trace continued from {@code sentry-trace} and {@code baggage}, kept in the OpenTelemetry
 * context. The org check ran at extract; the DSC is read from the baggage only when something needs
 * it (an outgoing request, the exporter), because most extracted contexts never send one and the
 * baggage is the larger part of the work.
 */
final class Incoming {
  private final Tracer tracer;
  private final SentryTrace header;
  private final String baggage;
  private final String traceId;
  private volatile PropagationContext context;

  Incoming(Tracer tracer, SentryTrace header, String traceId, String baggage) {
    this.tracer = tracer;
    this.header = header;
    this.traceId = traceId;
    this.baggage = baggage;
  }

  String traceId() {
    return traceId;
  }

  /** The incoming decision; null when deferred. */
  Boolean sampled() {
    return header.sampled();
  }

  /**
   * The continued trace as sentry-trace's core reads it: the frozen DSC (a missing {@code
   * sample_rand} backfilled once, so every request sends the same).
   */
  PropagationContext context() {
    PropagationContext c = context;
    if (c == null) {
      synchronized (this) {
        c = context;
        // Once: a backfilled sample_rand is random, and every request must send the same.
        if (c == null) context = c = tracer.continueTrace(header.toString(), baggage);
      }
    }
    return c;
  }

  /** The frozen DSC, or empty if the core refused the trace after all. */
  Baggage dsc() {
    PropagationContext c = context();
    return c.isHeadOfTrace() ? Baggage.empty() : c.frozenDynamicSamplingContext();
  }
}
