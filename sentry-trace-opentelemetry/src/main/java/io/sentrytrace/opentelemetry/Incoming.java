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
  private PropagationContext context; // guarded by this

  Incoming(Tracer tracer, SentryTrace header, String baggage) {
    this.tracer = tracer;
    this.header = header;
    this.baggage = baggage;
  }

  String traceId() {
    return header.traceId().toString();
  }

  /** The incoming decision; null when deferred. */
  Boolean sampled() {
    return header.sampled();
  }

  /**
   * The continued trace as sentry-trace's core reads it: the frozen DSC (a missing {@code
   * sample_rand} backfilled once, so every request sends the same).
   */
  synchronized PropagationContext context() {
    if (context == null) context = tracer.continueTrace(header.toString(), baggage);
    return context;
  }

  /** The frozen DSC, or empty if the core refused the trace after all. */
  Baggage dsc() {
    PropagationContext c = context();
    return c.isHeadOfTrace() ? Baggage.empty() : c.frozenDynamicSamplingContext();
  }
}
