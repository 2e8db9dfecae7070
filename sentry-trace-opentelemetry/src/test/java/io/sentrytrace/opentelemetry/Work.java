package io.sentrytrace.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.function.IntFunction;
import java.util.function.ToLongFunction;

/**
 * Measures work without a clock, for the scaling guards (the pattern of sentry-trace-core's test
 * {@code Work}): chars read through a counting {@link CharSequence}, or bytes the thread allocates.
 */
final class Work {
  /** How much more work 8 times the input may cost: linear is 8, quadratic 64. */
  static final double MAX_GROWTH = 10.0;

  private Work() {}

  /** A {@code CharSequence} that counts the chars read from it. */
  static final class Chars implements CharSequence {
    private final String s;
    long reads;

    Chars(String s) {
      this.s = s;
    }

    @Override
    public int length() {
      return s.length();
    }

    @Override
    public char charAt(int index) {
      reads++;
      return s.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      reads += end - start;
      return s.subSequence(start, end);
    }

    @Override
    public String toString() {
      reads += s.length();
      return s;
    }
  }

  /** Bytes the current thread allocates running {@code r}: the least of 5 runs after a warm-up. */
  static long allocatedBytes(Runnable r) {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    r.run();
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      long before = threads.getThreadAllocatedBytes(id);
      r.run();
      least = Math.min(least, threads.getThreadAllocatedBytes(id) - before);
    }
    return least;
  }

  /** Asserts that the work at size {@code 8n} is at most {@link #MAX_GROWTH} times the work at n. */
  static <T> long[] assertLinear(String what, int n, IntFunction<T> input, ToLongFunction<T> measure) {
    long small = measure.applyAsLong(input.apply(n));
    long large = measure.applyAsLong(input.apply(8 * n));
    assertThat(small).as("%s: work at n=%d", what, n).isPositive();
    assertThat((double) large)
        .as("%s: work at n=%d is %d, at 8n it is %d (more than %.0fx: not linear)", what, n, small, large, MAX_GROWTH)
        .isLessThanOrEqualTo(MAX_GROWTH * small);
    return new long[] {small, large};
  }
}
