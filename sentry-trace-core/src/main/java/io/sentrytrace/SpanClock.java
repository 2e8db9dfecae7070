package io.sentrytrace;

import java.time.Clock;
import java.time.Instant;

/**
 * Span times as one {@code long} reading each, turned into instants only when a span is exported.
 *
 * <p>With the system clock (the default), a reading is {@link System#nanoTime()}: an intrinsic, far
 * cheaper than {@code Clock.instant()} (a native call and an {@code Instant} per read), and
 * monotonic, so a span never ends before it starts when the wall clock is stepped. Each recording
 * transaction reads the wall clock once, as its {@link Anchor}; all its spans are placed in time
 * from that one anchor, so they stay inside their transaction whatever the wall clock does
 * meanwhile. A clock given to the builder (tests) is read on every event instead, so its instants
 * come out exactly.
 */
final class SpanClock {
  /** With a given clock, a reading is its instant in nanoseconds since the epoch. */
  private static final Anchor EPOCH = new Anchor(Instant.EPOCH, 0);

  private final Clock clock;

  private SpanClock(Clock clock) {
    this.clock = clock;
  }

  static SpanClock of(Clock clock) {
    return new SpanClock(clock == null || clock.equals(Clock.systemUTC()) ? null : clock);
  }

  /** A reading now. */
  long nanos() {
    return clock == null ? System.nanoTime() : epochNanos(clock.instant());
  }

  /** What turns the readings of one transaction into instants: the wall clock now, read once. */
  Anchor anchor() {
    return clock == null ? new Anchor(Instant.now(), System.nanoTime()) : EPOCH;
  }

  /** Exact from 1678 to 2262; a given clock outside those years reads as their bounds. */
  private static long epochNanos(Instant instant) {
    try {
      return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
    } catch (ArithmeticException e) {
      return instant.getEpochSecond() < 0 ? Long.MIN_VALUE + 1 : Long.MAX_VALUE;
    }
  }

  /** An instant and the reading taken with it. */
  static final class Anchor {
    final Instant instant;
    final long nanos;

    Anchor(Instant instant, long nanos) {
      this.instant = instant;
      this.nanos = nanos;
    }

    Instant instant(long reading) {
      return instant.plusNanos(reading - nanos);
    }
  }
}
