package io.sentrytrace.opentelemetry;

/**
 * The {@code sample_rand} of a trace this service starts, read from its trace id instead of drawn
 * at random (the one way the bridge differs from sentry-trace's core, which passes it to {@link
 * io.sentrytrace.Tracer#headDynamicSamplingContext}): the low 64 bits as OpenTelemetry's {@code
 * TraceIdRatioBased} sampler reads them, {@code |low| / 2^63}. A trace that sampler keeps at rate r
 * then sends {@code sample_rand < r}, as Sentry expects, and every span and service of the trace
 * agrees on it without state.
 */
final class TraceIdSampleRand {
  private TraceIdSampleRand() {}

  /** The value in [0, 1) for a trace id of 32 hex chars. */
  static double of(String traceIdHex) {
    long low = Long.parseUnsignedLong(traceIdHex.substring(16, 32), 16);
    // The sampler's Math.abs(Long.MIN_VALUE) stays negative: it keeps that trace at every rate above 0.
    double rand = low == Long.MIN_VALUE ? 0.0 : Math.abs(low) / 0x1p63;
    // |Long.MAX_VALUE| / 2^63 rounds to 1.0 as a double: the largest value below 1 stands for it.
    return Math.min(rand, Math.nextDown(1.0));
  }
}
