package io.sentrytrace.envelope;

import io.sentrytrace.Dsn;
import io.sentrytrace.EnvelopeTransport;
import io.sentrytrace.Instrumentation;
import io.sentrytrace.Scope;
import io.sentrytrace.SpanExporter;
import io.sentrytrace.TransactionData;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Sends finished transactions to Sentry as envelopes, from one background daemon thread.
 *
 * <p>{@link #export} only puts the transaction on a bounded queue and never blocks: when the queue
 * is full the transaction is dropped and counted ({@link #droppedCount()}). The sender encodes each
 * transaction and POSTs it to the DSN's envelope endpoint through an {@link EnvelopeTransport}
 * (by default {@link UrlConnectionTransport}). A 5xx or an I/O error is retried with exponential backoff,
 * up to {@code maxAttempts} in all, then counted in {@link #failedCount()}. Rate limits ({@code 429},
 * {@code Retry-After}, {@code X-Sentry-Rate-Limits} for {@code transaction} or all categories) are
 * honoured as Sentry's SDKs do: until the limit expires nothing is sent, and transactions exported
 * or dequeued meanwhile are discarded and counted in {@link #rateLimitedCount()}, as is the envelope
 * that got the 429. {@link #close()} sends what is still queued (bounded by {@code closeTimeout}),
 * then stops the thread and closes the transport.
 *
 * <p>The sender is a daemon thread, so a program that returns from {@code main} without closing
 * would lose what is queued. Unless the builder says {@link Builder#shutdownHook(boolean)
 * shutdownHook(false)}, a JVM shutdown hook therefore closes the exporter at exit (sending what is
 * queued, bounded by {@code closeTimeout}; it never throws). {@link #close()} removes the hook, so
 * closing explicitly (or closing the {@code Tracer}) is still the way to choose when it happens.
 *
 * <pre>{@code
 * EnvelopeExporter exporter = EnvelopeExporter.builder("https://public@o1.ingest.sentry.io/2").build();
 * Tracer tracer = Tracer.builder().dsn("https://public@o1.ingest.sentry.io/2").tracesSampleRate(0.2)
 *     .exporter(exporter).build();
 * // ... at shutdown:
 * tracer.close();
 * }</pre>
 */
public final class EnvelopeExporter implements SpanExporter {
  private static final System.Logger LOG = System.getLogger(EnvelopeExporter.class.getName());

  static final int DEFAULT_QUEUE_CAPACITY = 1000;
  static final int DEFAULT_MAX_ATTEMPTS = 3;
  static final Duration DEFAULT_RETRY_BASE_DELAY = Duration.ofMillis(500);
  static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(30);
  static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);
  /**
   * The end of closeTimeout kept for stopping the sender (at most half of it): close() waits for the
   * queue until then, so that interrupting and joining the sender still fits in the timeout.
   */
  static final Duration STOP_WINDOW = Duration.ofMillis(250);
  /** Longer close timeouts are taken as this one (a nanoTime deadline must not overflow). */
  private static final Duration MAX_CLOSE_TIMEOUT = Duration.ofDays(365L * 100);

  private final Dsn dsn;
  private final URI uri;
  private final Map<String, String> headers;
  private final EnvelopeTransport transport;
  private final int maxAttempts;
  private final Duration retryBaseDelay;
  private final Duration closeTimeout;
  private final BlockingQueue<TransactionData> queue;
  private final RateLimits rateLimits = new RateLimits(System::nanoTime);
  /** Used by the sender thread only. */
  private final EnvelopeEncoder encoder = new EnvelopeEncoder();
  private final Thread sender;
  /** Closes this exporter at JVM exit; null when opted out. Package-private for tests. */
  final Thread shutdownHook;

  /** Queued plus in flight; flush() waits on {@link #idle} for it to reach zero. */
  private final AtomicLong pending = new AtomicLong();
  private final Object idle = new Object();

  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong rateLimited = new AtomicLong();

  // Each kind of trouble is logged at WARNING once, then at DEBUG until it is over (a send
  // succeeds; for a full queue, a send that leaves it empty), and at WARNING at most once a minute
  // however often it comes back: a flapping Sentry must not flood the log.
  private final Trouble warnedQueueFull = new Trouble();
  private final Trouble warnedFailure = new Trouble();
  private final Trouble warnedRateLimit = new Trouble();

  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean stopped;

  private EnvelopeExporter(Builder b) {
    this.dsn = b.dsn;
    this.uri = b.dsn.envelopeUri();
    Map<String, String> h = new LinkedHashMap<>();
    h.put("X-Sentry-Auth",
        "Sentry sentry_version=7, sentry_key=" + b.dsn.publicKey() + ", sentry_client=" + Sdk.CLIENT);
    h.put("Content-Type", EnvelopeEncoder.CONTENT_TYPE);
    this.headers = Map.copyOf(h);
    this.transport = b.transport != null ? b.transport : UrlConnectionTransport.create();
    this.maxAttempts = b.maxAttempts;
    this.retryBaseDelay = b.retryBaseDelay;
    this.closeTimeout = b.closeTimeout;
    this.queue = new ArrayBlockingQueue<>(b.queueCapacity);
    this.sender = new Thread(this::run, "sentry-trace-envelope-sender");
    sender.setDaemon(true);
    sender.start();
    this.shutdownHook = b.shutdownHook ? registerShutdownHook() : null;
  }

  private Thread registerShutdownHook() {
    Thread hook = new Thread(this::closeAtExit, "sentry-trace-envelope-shutdown");
    try {
      Runtime.getRuntime().addShutdownHook(hook);
      return hook;
    } catch (IllegalStateException | SecurityException e) {
      // Built while the JVM is already exiting (or not allowed): close() is the only flush.
      LOG.log(Level.DEBUG, "no shutdown hook for the envelope exporter: {0}", e.toString());
      return null;
    }
  }

  /** The shutdown hook: sends what is queued; nothing may escape a shutdown hook. */
  private void closeAtExit() {
    try {
      if (!closed.get()) LOG.log(Level.DEBUG, "JVM exiting: sending {0} queued transactions", pending.get());
      close();
    } catch (Throwable e) { // even an Error: the JVM is going down, the other hooks must still run
      try {
        LOG.log(Level.WARNING, "closing the envelope exporter at JVM exit failed", e);
      } catch (Throwable ignored) {
        // the logging system may already be shut down
      }
    }
  }

  /** A builder sending to {@code dsn}. */
  public static Builder builder(Dsn dsn) {
    if (dsn == null) throw new IllegalArgumentException("dsn must not be null");
    return new Builder(dsn);
  }

  /**
   * A builder sending to {@code dsn}.
   *
   * @throws IllegalArgumentException when the DSN is not valid, naming what is wrong
   */
  public static Builder builder(String dsn) {
    return new Builder(Dsn.parse(dsn));
  }

  /** Queues the transaction for sending; never blocks and never throws. */
  @Override
  public void export(TransactionData transaction) {
    try {
      if (transaction == null) return;
      if (closed.get()) {
        dropped.incrementAndGet();
        LOG.log(Level.DEBUG, "exporter closed; transaction {0} dropped", transaction.name());
        return;
      }
      if (rateLimits.isLimited()) {
        rateLimited.incrementAndGet();
        return;
      }
      pending.incrementAndGet();
      if (!queue.offer(transaction)) {
        done();
        dropped.incrementAndGet();
        warn(warnedQueueFull, () -> "envelope queue full (" + (queue.size() + queue.remainingCapacity())
            + "); dropping transactions until it drains", null);
        return;
      }
      // close() raced us after the closed check: the sender may be gone, so take it back.
      if (stopped && queue.remove(transaction)) {
        done();
        dropped.incrementAndGet();
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not queue a transaction for export; dropped", e);
    }
  }

  /** Waits until the queue is empty and no send is in flight; true when that happened in time. */
  @Override
  public boolean flush(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (idle) {
      while (pending.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) return false;
        try {
          TimeUnit.NANOSECONDS.timedWait(idle, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  /**
   * Sends what is queued, then stops the sender thread and closes the transport; returns within
   * {@code closeTimeout}. It waits for the queue until the last 250 ms of the timeout (the last half,
   * when shorter), then interrupts the sender, which ends a send in flight, and waits for it to stop
   * until the timeout is up. Transactions still queued then, or exported later, are dropped. A
   * second call does nothing.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    long timeout = closeTimeout.compareTo(MAX_CLOSE_TIMEOUT) > 0 ? MAX_CLOSE_TIMEOUT.toNanos() : closeTimeout.toNanos();
    long deadline = System.nanoTime() + timeout;
    removeShutdownHook();
    boolean flushed = flush(Duration.ofNanos(timeout - Math.min(STOP_WINDOW.toNanos(), timeout / 2)));
    stopped = true;
    sender.interrupt(); // ends a send in flight (the transports end their request when interrupted)
    boolean senderStopped = join(sender, deadline);
    int left = 0;
    for (TransactionData tx; (tx = queue.poll()) != null; ) {
      left++;
      done();
    }
    dropped.addAndGet(left);
    if (!flushed) {
      LOG.log(Level.WARNING, "closed before everything was sent (timeout {0}); {1} queued transactions dropped",
          closeTimeout, left);
    }
    if (!senderStopped) {
      // A transport that ignores interrupts: its send ends on its own timeout; nothing is sent after it.
      LOG.log(Level.DEBUG, "the envelope sender is still in a send at the close timeout; it stops after it");
    }
    try {
      transport.close();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "closing the envelope transport failed", e);
    }
  }

  /** Waits for {@code thread} to end until {@code deadline} (System.nanoTime()); true when it did. */
  private static boolean join(Thread thread, long deadline) {
    try {
      for (long left; thread.isAlive() && (left = deadline - System.nanoTime()) > 0; ) {
        TimeUnit.NANOSECONDS.timedJoin(thread, left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return !thread.isAlive();
  }

  private void removeShutdownHook() {
    if (shutdownHook == null || Thread.currentThread() == shutdownHook) return;
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // Closed from another hook while the JVM exits: ours runs too and finds us closed.
    }
  }

  /** Transactions Sentry accepted (2xx). */
  public long sentCount() {
    return sent.get();
  }

  /** Transactions not sent because the queue was full, the exporter was closed, or close() timed out. */
  public long droppedCount() {
    return dropped.get();
  }

  /** Transactions that failed: retries exhausted (5xx, I/O errors) or rejected (other 4xx). */
  public long failedCount() {
    return failed.get();
  }

  /** Transactions discarded because Sentry rate-limited transactions (including the one that got the 429). */
  public long rateLimitedCount() {
    return rateLimited.get();
  }

  // ---- the sender thread ----

  private void run() {
    while (!stopped) {
      TransactionData tx;
      try {
        tx = queue.take();
      } catch (InterruptedException e) {
        continue; // close() interrupts after setting stopped
      }
      try {
        deliver(tx);
      } catch (RuntimeException e) {
        failed.incrementAndGet();
        warn(warnedFailure, () -> "sending transaction " + tx.name() + " failed", e);
      } finally {
        done();
      }
    }
  }

  private void deliver(TransactionData tx) {
    if (rateLimits.isLimited()) {
      rateLimited.incrementAndGet();
      return;
    }
    byte[] body;
    try {
      body = encoder.encode(tx, dsn, EnvelopeEncoder.newEventId(), Instant.now());
    } catch (RuntimeException e) {
      failed.incrementAndGet();
      warn(warnedFailure, () -> "could not encode transaction " + tx.name() + "; dropped", e);
      return;
    }
    for (int attempt = 1; ; attempt++) {
      // Checked before every attempt: a limit may have come in while we backed off.
      if (rateLimits.isLimited()) {
        rateLimited.incrementAndGet();
        return;
      }
      EnvelopeTransport.Response response = null;
      IOException error = null;
      try (Scope quiet = Instrumentation.suppress()) {
        response = transport.send(uri, headers, body);
      } catch (IOException e) {
        error = e;
      }
      if (response != null) {
        int code = response.statusCode();
        boolean limited = rateLimits.update(response);
        if (isSuccess(code)) {
          sent.incrementAndGet();
          warnedFailure.over();
          warnedRateLimit.over();
          if (queue.isEmpty()) warnedQueueFull.over();
          return;
        }
        if (code == 429) {
          rateLimited.incrementAndGet();
          long seconds = (rateLimits.remaining().toMillis() + 999) / 1000;
          warn(warnedRateLimit, () -> limited
              ? "Sentry rate-limited transactions for " + seconds + " s; discarding transactions until then"
              : "Sentry answered 429 (limits for other categories only); transaction discarded", null);
          return;
        }
        if (code < 500) {
          failed.incrementAndGet();
          warn(warnedFailure, () -> "Sentry rejected the envelope with HTTP " + code + " ("
              + (code == 401 || code == 403 ? "check the DSN" : "not retried") + ")", null);
          return;
        }
        if (limited && rateLimits.isLimited()) {
          rateLimited.incrementAndGet();
          return;
        }
      }
      if (attempt >= maxAttempts) {
        failed.incrementAndGet();
        String why = response != null ? "HTTP " + response.statusCode() : String.valueOf(error);
        warn(warnedFailure, () -> "sending transaction " + tx.name() + " to " + uri + " failed after "
            + maxAttempts + " attempts (" + why + "); dropped", null); // the reason is enough: no stack trace
        return;
      }
      // close() gave up waiting (stopped): no more attempts.
      if (stopped || !sleep(backoff(attempt))) {
        failed.incrementAndGet();
        return;
      }
    }
  }

  private static boolean isSuccess(int code) {
    return code >= 200 && code < 300;
  }

  /** base, 2 x base, 4 x base, ... capped. */
  private Duration backoff(int attempt) {
    long factor = 1L << Math.min(attempt - 1, 20);
    long nanos = retryBaseDelay.toNanos() > MAX_RETRY_DELAY.toNanos() / factor
        ? MAX_RETRY_DELAY.toNanos()
        : retryBaseDelay.toNanos() * factor;
    return Duration.ofNanos(nanos);
  }

  /** False when interrupted (close() stopping us). */
  private static boolean sleep(Duration d) {
    try {
      TimeUnit.NANOSECONDS.sleep(d.toNanos());
      return true;
    } catch (InterruptedException e) {
      return false;
    }
  }

  private void done() {
    if (pending.decrementAndGet() == 0) {
      synchronized (idle) {
        idle.notifyAll();
      }
    }
  }

  private static void warn(Trouble trouble, Supplier<String> message, Throwable error) {
    Level level = trouble.firstSinceOver() ? Level.WARNING : Level.DEBUG;
    if (!LOG.isLoggable(level)) return;
    if (error == null) LOG.log(level, message);
    else LOG.log(level, message, error);
  }

  /** One kind of trouble: whether it was reported since it was last over, and when. */
  private static final class Trouble {
    private static final long MIN_WARNING_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    private final AtomicBoolean reported = new AtomicBoolean();
    private volatile long lastWarning = System.nanoTime() - MIN_WARNING_INTERVAL_NANOS;

    /** True for the first report since the trouble was over, at most once a minute. */
    boolean firstSinceOver() {
      long now = System.nanoTime();
      if (now - lastWarning < MIN_WARNING_INTERVAL_NANOS || !reported.compareAndSet(false, true)) return false;
      lastWarning = now;
      return true;
    }

    void over() {
      reported.set(false);
    }
  }

  @Override
  public String toString() {
    return "EnvelopeExporter{" + uri + " sent=" + sent + " dropped=" + dropped + " failed=" + failed
        + " rateLimited=" + rateLimited + " queued=" + queue.size() + '}';
  }

  /**
   * Options for an {@link EnvelopeExporter}.
   *
   * <pre>{@code
   * EnvelopeExporter exporter = EnvelopeExporter.builder(dsn)
   *     .transport(JdkHttpTransport.create())
   *     .queueCapacity(1000)
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private final Dsn dsn;
    private EnvelopeTransport transport;
    private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration retryBaseDelay = DEFAULT_RETRY_BASE_DELAY;
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
    private boolean shutdownHook = true;

    private Builder(Dsn dsn) {
      this.dsn = dsn;
    }

    /** How envelopes are POSTed; default {@link UrlConnectionTransport#create()}. Closed by {@link #close()}. */
    public Builder transport(EnvelopeTransport transport) {
      if (transport == null) throw new IllegalArgumentException("transport must not be null");
      this.transport = transport;
      return this;
    }

    /** Transactions waiting to be sent before new ones are dropped; default 1000. */
    public Builder queueCapacity(int queueCapacity) {
      if (queueCapacity < 1) throw new IllegalArgumentException("queueCapacity must be at least 1, got " + queueCapacity);
      this.queueCapacity = queueCapacity;
      return this;
    }

    /** Attempts per envelope on 5xx or I/O errors, the first included; default 3. */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** The wait before the first retry, doubled for each next one (capped at 30 s); default 500 ms. */
    public Builder retryBaseDelay(Duration retryBaseDelay) {
      this.retryBaseDelay = nonNegative(retryBaseDelay, "retryBaseDelay");
      return this;
    }

    /**
     * How long {@link EnvelopeExporter#close()} may take to send the queue and stop the sender;
     * default 5 s. A send still in flight at the end is ended (a 2xx already received counts as sent).
     */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = nonNegative(closeTimeout, "closeTimeout");
      return this;
    }

    /**
     * Whether a JVM shutdown hook closes the exporter at exit, sending what is still queued (for at
     * most {@code closeTimeout}); default true. Turn it off when the application closes the exporter
     * (or its {@code Tracer}) in its own shutdown sequence, or must not delay exit.
     */
    public Builder shutdownHook(boolean shutdownHook) {
      this.shutdownHook = shutdownHook;
      return this;
    }

    /** Starts the sender thread and, unless opted out, registers the shutdown hook. */
    public EnvelopeExporter build() {
      return new EnvelopeExporter(this);
    }

    private static Duration nonNegative(Duration d, String name) {
      if (d == null || d.isNegative()) throw new IllegalArgumentException(name + " must be zero or positive, got " + d);
      return d;
    }
  }
}
