package io.sentrytrace;

/**
 * What a {@link TracesSampler} knows about a transaction being started.
 *
 * <pre>{@code
 * TracesSampler sampler = ctx -> ctx.name().startsWith("GET /health") ? 0.0 : null;
 * }</pre>
 */
public final class SamplingContext {
  private final String name;
  private final String op;
  private final Boolean parentSampled;
  private final double sampleRand;

  SamplingContext(String name, String op, Boolean parentSampled, double sampleRand) {
    this.name = name;
    this.op = op;
    this.parentSampled = parentSampled;
    this.sampleRand = sampleRand;
  }

  public String name() {
    return name;
  }

  public String op() {
    return op;
  }

  /** The incoming decision; null at the head of a trace or when deferred. */
  public Boolean parentSampled() {
    return parentSampled;
  }

  /** The trace's {@code sample_rand}; the decision is {@code sampleRand < rate}. */
  public double sampleRand() {
    return sampleRand;
  }
}
