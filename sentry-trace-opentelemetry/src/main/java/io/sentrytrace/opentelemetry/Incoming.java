package io.sentrytrace.opentelemetry;

import io.sentrytrace.Baggage;
import io.sentrytrace.PropagationContext;

/**
 * A trace continued from {@code sentry-trace} and {@code baggage}, kept in the OpenTelemetry
 * context: sentry-trace's core decided to continue it ({@code Tracer.continueTrace}, the one org
 * rule and the one bounded DSC reader), and froze its DSC.
 */
final class Incoming {
  private final PropagationContext context;
  private final String traceId;

  Incoming(PropagationContext context) {
    this.context = context;
    this.traceId = context.traceId().toString();
  }

  String traceId() {
    return traceId;
  }

  /** The incoming decision; null when deferred. */
  Boolean sampled() {
    return context.sampled();
  }

  /** The continued trace as sentry-trace's core reads it. */
  PropagationContext context() {
    return context;
  }

  /** The frozen DSC (a missing {@code sample_rand} backfilled once by the core). */
  Baggage dsc() {
    return context.frozenDynamicSamplingContext();
  }
}
