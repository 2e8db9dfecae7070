package io.sentrytrace.envelope;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The one backoff all senders share when Sentry fails (5xx, I/O errors): a failure starts it,
 * nobody sends until it is over, then one send alone probes Sentry; the others wait for its
 * outcome. A probe that fails doubles the wait (capped); any success ends it. Failures of sends
 * that were already on the wire when the backoff began do not lengthen it: one outage, one backoff,
 * however many senders saw it. Thread-safe.
 */
final class SharedBackoff {
  private final Duration base;
  private final Duration max;
  /** Consecutive backoffs; 0 while Sentry is fine. Guarded by this, as are the fields below. */
  private int streak;
  private long until;
  private boolean probing;

  SharedBackoff(Duration base, Duration max) {
    this.base = base;
    this.max = max;
  }

  /**
   * Waits until a send may start; true when it is the probe (it must then report its outcome with
   * {@link #succeeded}, {@link #failed} or {@link #released}).
   *
   * @throws InterruptedException when the exporter is stopping
   */
  synchronized boolean awaitTurn() throws InterruptedException {
    while (streak > 0) {
      long left = until - System.nanoTime();
      if (!probing && left <= 0) {
        probing = true;
        return true;
      }
      if (probing) wait();
      else TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return false;
  }

  /** Sentry answered: the backoff is over for everyone. */
  synchronized void succeeded(boolean probe) {
    streak = 0;
    if (probe) probing = false;
    notifyAll();
  }

  /** A send ended with a 5xx or an I/O error. */
  synchronized void failed(boolean probe) {
    if (probe || streak == 0) {
      streak++;
      until = System.nanoTime() + delay(streak).toNanos();
    }
    if (probe) probing = false;
    notifyAll();
  }

  /** A probe ended neither way (a 4xx, a 429): the next sender may probe. */
  synchronized void released(boolean probe) {
    if (!probe) return;
    probing = false;
    notifyAll();
  }

  /** True while senders are held back (for tests and toString). */
  synchronized boolean isBackingOff() {
    return streak > 0;
  }

  /** base, 2 x base, 4 x base, ... capped at max. */
  Duration delay(int streak) {
    long factor = 1L << Math.min(streak - 1, 20);
    return base.toNanos() > max.toNanos() / factor ? max : Duration.ofNanos(base.toNanos() * factor);
  }
}
