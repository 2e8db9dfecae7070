package io.sentrytrace;

/**
 * Chooses the sample rate of each transaction, overriding {@code tracesSampleRate} and the parent's
 * decision. Return null to fall back to those rules (the parent's decision, then the rate).
 *
 * <pre>{@code
 * Tracer.builder().tracesSampler(ctx -> ctx.parentSampled() != null ? (ctx.parentSampled() ? 1.0 : 0.0) : 0.1)
 * }</pre>
 */
@FunctionalInterface
public interface TracesSampler {
  /** A rate in [0, 1], or null for the default rules. */
  Double sample(SamplingContext context);
}
