package io.sentrytrace.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.function.IntFunction;
import java.util.function.ToLongFunction;

/**
 * Measures work without a clock, for the scaling guards: time on a shared, throttled 2-core machine
 * varies by more than the factor a guard must tell apart (8x linear against 64x quadratic), counts
 * do not.
 *
 * <ul>
 *   <li>{@link Chars} counts every char a parser reads through {@link CharSequence}: exact and
 *       repeatable, for everything that takes a {@code CharSequence}. The header parsers read a
 *       {@code String} through the same code (they have no {@code String}-only scan: the one they
 *       had searched to the end of the header for each member, invisible to any count), so the
 *       count is the work a real header costs. {@code PropagationTargets.matches} keeps {@code
 *       String} fast paths ({@code contains}, {@code indexOf} with cursors that only move forward).
 *   <li>{@link #allocatedBytes} counts the bytes the current thread allocates ({@code
 *       com.sun.management.ThreadMXBean}), for APIs that take a {@code String} and copy what they
 *       keep: repeatable to a few hundred bytes (the smallest of several runs is taken, after a
 *       warm-up, so class loading and first-call caches are not counted).
 * </ul>
 */
public final class Work {
  /** How much more work 8 times the input may cost: linear is 8, quadratic 64. */
  public static final double MAX_GROWTH = 10.0;

  private Work() {}

  /** A {@code CharSequence} that counts the chars read from it. */
  public static final class Chars implements CharSequence {
    private final String s;
    private long reads;

    public Chars(String s) {
      this.s = s;
    }

    /** The chars read so far. */
    public long reads() {
      return reads;
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

  /** The chars {@code f} reads from {@code input}. */
  public static long charsRead(String input, java.util.function.Consumer<CharSequence> f) {
    Chars chars = new Chars(input);
    f.accept(chars);
    return chars.reads;
  }

  /**
   * Bytes the current thread allocates running {@code r}: the least of 5 runs after 3 warm-up runs
   * (a request cycle through the server handler reaches some of its first-call caches only on the
   * second or third run).
   */
  public static long allocatedBytes(Runnable r) {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    for (int i = 0; i < 3; i++) r.run();
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      long before = threads.getThreadAllocatedBytes(id);
      r.run();
      least = Math.min(least, threads.getThreadAllocatedBytes(id) - before);
    }
    return least;
  }

  /**
   * Asserts that the work of {@code measure} on the input of size {@code 8n} is at most about 8
   * times its work at size {@code n} ({@link #MAX_GROWTH}), and returns the two figures.
   */
  public static <T> long[] assertLinear(String what, int n, IntFunction<T> input, ToLongFunction<T> measure) {
    long small = measure.applyAsLong(input.apply(n));
    long large = measure.applyAsLong(input.apply(8 * n));
    assertThat(small).as("%s: work at n=%d", what, n).isPositive();
    assertThat((double) large)
        .as("%s: work at n=%d is %d, at 8n it is %d (more than %.0fx: not linear)", what, n, small, large, MAX_GROWTH)
        .isLessThanOrEqualTo(MAX_GROWTH * small);
    return new long[] {small, large};
  }
}
