package io.sentrytrace.jmh;

/**
 * Run settings shared by every benchmark class, sized so that {@code jmh/run.sh} finishes in
 * under 10 minutes on 2 cores: 1 fork, 3 × 1 s warm-up, 3 × 1 s measurement.
 */
final class Defaults {
  private Defaults() {}

  static final int FORKS = 1;
  static final int WARMUP_ITERATIONS = 3;
  static final int MEASUREMENT_ITERATIONS = 3;
  static final int SECONDS = 1;
}
