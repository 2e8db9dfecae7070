package io.sentrytrace.load;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latencies in microseconds, log-linear buckets (128 per power of two: under 1% error), shared by
 * all load threads (one atomic increment per request; fixed size whatever the request count).
 */
final class Histogram {
  private static final int SUB = 128;
  private static final int SUB_BITS = 7;
  private static final int LINEAR = 2 * SUB; // values below this have a bucket each
  private static final int BUCKETS = LINEAR + (64 - 8) * SUB;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

  void recordNanos(long nanos) {
    counts.incrementAndGet(index(Math.max(0, nanos / 1_000)));
  }

  static int index(long micros) {
    if (micros < LINEAR) return (int) micros;
    int e = 63 - Long.numberOfLeadingZeros(micros); // >= 8
    int sub = (int) ((micros >>> (e - SUB_BITS)) & (SUB - 1));
    return LINEAR + (e - 8) * SUB + sub;
  }

  /** The middle of the bucket's range, in microseconds. */
  static long value(int index) {
    if (index < LINEAR) return index;
    int e = (index - LINEAR) / SUB + 8;
    long sub = (index - LINEAR) % SUB;
    long low = (SUB + sub) << (e - SUB_BITS);
    return low + (1L << (e - SUB_BITS)) / 2;
  }

  long count() {
    long n = 0;
    for (int i = 0; i < BUCKETS; i++) n += counts.get(i);
    return n;
  }

  /** The {@code q} quantile (0..1) in microseconds; 0 when empty. */
  long quantileMicros(double q) {
    long total = count();
    if (total == 0) return 0;
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts.get(i);
      if (seen >= rank && seen > 0) return value(i);
    }
    return value(BUCKETS - 1);
  }

  void addTo(Histogram other) {
    for (int i = 0; i < BUCKETS; i++) {
      long c = counts.get(i);
      if (c != 0) other.counts.addAndGet(i, c);
    }
  }
}
