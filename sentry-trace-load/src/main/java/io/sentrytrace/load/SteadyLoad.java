package io.sentrytrace.load;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Transactions finished at a steady rate by a small pool of producer threads: the n-th is due at
 * {@code n / rate} seconds after the start, taken by whichever producer is free, which waits until
 * it is due. Producers that fall behind (too little CPU) run late, until one second after the
 * window; what is still not started then is given up, so {@link #finished} can be below
 * {@link #offered}.
 */
final class SteadyLoad {
  /** Makes and finishes the n-th transaction. */
  interface Transaction {
    void finish(long n) throws Exception;
  }

  private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** Transactions due within the window. */
  final long offered;
  /** Transactions made and finished without an exception. */
  final AtomicLong finished = new AtomicLong();
  /** Transactions that threw; the first is kept. */
  final AtomicLong errors = new AtomicLong();
  final AtomicReference<Throwable> firstError = new AtomicReference<>();
  /** Transactions started more than 100 ms after they were due. */
  final AtomicLong late = new AtomicLong();

  private final double perSecond;
  private final long startNanos;
  private final long endNanos;
  private final AtomicLong next = new AtomicLong();
  private final Thread[] producers;
  private volatile boolean stopped;

  private SteadyLoad(String name, int threads, double perSecond, Duration length, Transaction transaction) {
    if (threads < 1) throw new IllegalArgumentException("producers must be at least 1, got " + threads);
    if (!(perSecond > 0)) throw new IllegalArgumentException("rate must be positive, got " + perSecond);
    this.perSecond = perSecond;
    this.offered = (long) Math.ceil(perSecond * length.toNanos() / 1e9);
    this.startNanos = System.nanoTime();
    this.endNanos = startNanos + length.toNanos();
    producers = new Thread[threads];
    for (int i = 0; i < threads; i++) {
      producers[i] = new Thread(() -> produce(transaction), name + "-" + (i + 1));
      producers[i].setDaemon(true);
    }
  }

  /** Starts {@code threads} producers finishing {@code perSecond} transactions a second for {@code length}. */
  static SteadyLoad start(String name, int threads, double perSecond, Duration length, Transaction transaction) {
    SteadyLoad load = new SteadyLoad(name, threads, perSecond, length, transaction);
    for (Thread t : load.producers) t.start();
    return load;
  }

  private void produce(Transaction transaction) {
    // At most `offered` tickets in all, and none started after the window plus the grace.
    for (long n; !stopped && (n = next.getAndIncrement()) < offered; ) {
      long due = startNanos + (long) (n * 1e9 / perSecond);
      for (long wait; (wait = due - System.nanoTime()) > 0 && !stopped; ) LockSupport.parkNanos(wait);
      long now = System.nanoTime();
      if (stopped || now - endNanos > GRACE_NANOS) return;
      if (now - due > 100_000_000L) late.incrementAndGet();
      try {
        transaction.finish(n);
        finished.incrementAndGet();
      } catch (Exception | LinkageError e) {
        errors.incrementAndGet();
        firstError.compareAndSet(null, e);
      }
    }
  }

  /** The window's start, System.nanoTime(). */
  long startNanos() {
    return startNanos;
  }

  /** Waits for the producers; true when all ended in time. On a timeout they are told to stop. */
  boolean join(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread t : producers) {
      long left = deadline - System.nanoTime();
      if (left > 0) TimeUnit.NANOSECONDS.timedJoin(t, left);
    }
    boolean done = true;
    for (Thread t : producers) done &= !t.isAlive();
    if (!done) stop();
    return done;
  }

  /** Tells the producers to stop after the transaction they are making. */
  void stop() {
    stopped = true;
    for (Thread t : producers) LockSupport.unpark(t);
  }
}
