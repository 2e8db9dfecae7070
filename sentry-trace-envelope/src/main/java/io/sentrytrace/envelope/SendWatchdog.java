package io.sentrytrace.envelope;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Ends a blocking {@link HttpURLConnection} exchange from outside, which the connection cannot do
 * by itself: when the request is past its deadline (a read timeout bounds each read, not the whole
 * request) or the sending thread is interrupted (blocking socket I/O ignores interrupts), it
 * disconnects, and the sender's read or write fails.
 *
 * <p>One daemon thread, started with the first request. It looks at the requests in flight (from
 * any number of sending threads) every {@link #TICK_NANOS} while requests keep coming, and parks
 * after a second without any; so a request costs the sender an add to and a remove from a
 * concurrent set, and one unpark only after such a pause.
 */
final class SendWatchdog {
  static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  /** How long the thread keeps ticking after the last request before it parks. */
  static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** Bounds close()'s wait for the thread, which never blocks but on park. */
  private static final long STOP_JOIN_MILLIS = 100;

  /** One request being watched. */
  static final class Watch {
    private static final int ACTIVE = 0;
    private static final int DONE = 1;
    private static final int TIMED_OUT = 2;
    private static final int INTERRUPTED = 3;

    private final HttpURLConnection connection;
    private final Runnable abort;
    private final Thread sender;
    private volatile long deadlineNanos;
    private final long timeoutMillis;
    private final AtomicInteger state = new AtomicInteger(ACTIVE);

    Watch(HttpURLConnection connection, Runnable abort, Thread sender, long deadlineNanos, long timeoutMillis) {
      this.connection = connection;
      this.abort = abort;
      this.sender = sender;
      this.deadlineNanos = deadlineNanos;
      this.timeoutMillis = timeoutMillis;
    }

    /** When the request must be over (System.nanoTime()). */
    long deadlineNanos() {
      return deadlineNanos;
    }

    /** From the sender: the request must now be over by {@code nanos}, if that is sooner. */
    void endBy(long nanos) {
      if (nanos - deadlineNanos < 0) deadlineNanos = nanos;
    }

    /**
     * From the watchdog: disconnects when the request is interrupted or past its deadline, again
     * on every tick until the sender is out (should the connection try the request once more).
     */
    void check(long now) {
      int reason = sender.isInterrupted() ? INTERRUPTED : now - deadlineNanos >= 0 ? TIMED_OUT : ACTIVE;
      if (reason == ACTIVE) return;
      state.compareAndSet(ACTIVE, reason);
      if (state.get() == DONE) return;
      if (abort != null) abort.run(); // first: disconnect() waits for a body read to end
      connection.disconnect();
    }

    /**
     * From the sender, once the exchange is over: the exception to throw instead of {@code
     * failure} when the watchdog ended the request, else {@code failure} itself (null: it
     * succeeded).
     */
    IOException finish(IOException failure) {
      int s = state.compareAndExchange(ACTIVE, DONE);
      if (failure == null || s == ACTIVE) return failure;
      InterruptedIOException why = s == INTERRUPTED
          ? new InterruptedIOException("interrupted while sending the envelope")
          : new SocketTimeoutException("no response within " + timeoutMillis + " ms");
      why.initCause(failure);
      return why;
    }
  }

  private final String threadName;
  private final Object lock = new Object();
  private volatile Thread thread; // written under lock
  private final Set<Watch> current = ConcurrentHashMap.newKeySet();
  private volatile boolean parked;
  private volatile boolean closed;
  private volatile long lastRequestNanos;

  SendWatchdog(String threadName) {
    this.threadName = threadName;
  }

  /**
   * Starts watching the calling thread's request on {@code connection}, which must end within
   * {@code timeoutMillis}; {@code abort} (or null) runs before the connection is disconnected.
   */
  Watch watch(HttpURLConnection connection, long timeoutMillis, Runnable abort) {
    Watch w = new Watch(connection, abort, Thread.currentThread(),
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis), timeoutMillis);
    current.add(w);
    Thread t = thread;
    if (t == null) t = start();
    if (parked) LockSupport.unpark(t); // after a pause only: while busy it is ticking anyway
    return w;
  }

  /** The request is over (and {@link Watch#finish} was called). */
  void done(Watch w) {
    lastRequestNanos = System.nanoTime();
    current.remove(w);
  }

  private Thread start() {
    synchronized (lock) {
      if (thread == null && !closed) {
        Thread t = new Thread(this::run, threadName);
        t.setDaemon(true);
        t.start();
        thread = t;
      }
      return thread;
    }
  }

  /** Stops the thread and waits (briefly: it only ticks and parks) until it has ended. */
  void close() {
    closed = true;
    Thread t;
    synchronized (lock) {
      t = thread;
      if (t != null) LockSupport.unpark(t);
    }
    if (t == null || t == Thread.currentThread()) return;
    try {
      t.join(STOP_JOIN_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    while (!closed) {
      long now = System.nanoTime();
      if (!current.isEmpty()) {
        for (Watch w : current) w.check(now);
      } else if (now - lastRequestNanos > LINGER_NANOS) {
        parked = true;
        // watch() adds to current, then reads parked: it unparks us, or we see its request here.
        if (current.isEmpty() && !closed) LockSupport.park(this);
        parked = false;
        continue;
      }
      LockSupport.parkNanos(this, TICK_NANOS);
    }
  }
}
