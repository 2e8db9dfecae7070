package io.sentrytrace.envelope;

import io.sentrytrace.Baggage;
import io.sentrytrace.Dsn;
import io.sentrytrace.EnvelopeTransport;
import io.sentrytrace.Scope;
import io.sentrytrace.SpanData;
import io.sentrytrace.SpanExporter;
import io.sentrytrace.SpanId;
import io.sentrytrace.TraceId;
import io.sentrytrace.TransactionData;
import io.sentrytrace.TransactionNameSource;
import io.sentrytrace.internal.Instrumentation;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.zip.Deflater;

/**
 * Sends finished transactions to Sentry as envelopes, from background daemon threads, several at
 * once.
 *
 * <p>{@link #export} only puts the transaction on a bounded queue and never blocks: when the queue
 * is full the transaction is dropped and counted ({@link #droppedCount()}). Senders encode each
 * transaction and POST it to the DSN's envelope endpoint through an {@link EnvelopeTransport}
 * (by default {@link UrlConnectionTransport}). One sender thread runs while the queue keeps up;
 * when transactions wait and every sender is busy, another is started, up to {@code maxSenders}
 * (default 64): with Sentry a round trip away, one blocking sender delivers only 1 / round-trip
 * envelopes a second (about 40/s at 25 ms), and throughput grows with the envelopes in flight
 * (Little's law: 1,000/s at 25 ms needs 25, 300/s at 150 ms needs 45). A sender idle for 5 s ends, down to the one.
 * Threads are named {@code sentry-trace-envelope-sender-N}.
 *
 * <p>A 5xx or an I/O error is retried, up to {@code maxAttempts} in all, then counted in {@link
 * #failedCount()}; the backoff is shared: the first failure holds every sender back (500 ms, then
 * doubling, capped at 30 s), then a single send probes Sentry until one succeeds. Rate limits
 * ({@code 429}, {@code Retry-After}, {@code X-Sentry-Rate-Limits} for {@code transaction} or all
 * categories) are honoured as Sentry's SDKs do: until the limit expires no send starts, what is
 * queued is discarded, and transactions exported meanwhile too, all counted in {@link
 * #rateLimitedCount()}, as is the envelope that got the 429; sends already on the wire finish.
 * {@link #close()} sends what is still queued (bounded by {@code closeTimeout}), then the last
 * client report (what it could not send is in it, as {@code queue_overflow}; with every sender in
 * a send, one more thread starts for it), then stops the senders and closes the transport.
 *
 * <p>What is discarded is reported to Sentry in {@code client_report} items (develop docs, "Client
 * Reports"), for the {@code transaction} and {@code span} categories: {@code queue_overflow},
 * {@code ratelimit_backoff}, {@code send_error} (an answer other than 2xx or 429, after the
 * retries for a 5xx), {@code network_error} (no answer, retries exhausted), {@code
 * internal_sdk_error} and {@code sample_rate} (the tracer's unsampled transactions, through {@link
 * SpanExporter#onDiscarded}). The envelope answered 429 is not reported: Relay counts it itself.
 * A report rides along with the next envelope, or goes on its own after 30 s without one and at
 * close; counts in a report that does not arrive go into the next one.
 *
 * <p>Bodies of 2 KiB or more are gzipped ({@code Content-Encoding: gzip}) unless the builder says
 * {@link Builder#compression(boolean) compression(false)}: smaller ones would save less than a KiB
 * for gzip's fixed cost of some 15 µs CPU. Requests carry {@code User-Agent:
 * sentry-trace.java/<version>}, {@code X-Sentry-Auth} ({@code sentry_version=7}, {@code
 * sentry_client}, {@code sentry_key}), {@code Content-Type} and {@code Accept: application/json}.
 *
 * <p>The senders are daemon threads, so a program that returns from {@code main} without closing
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
  /** Senders at most by default: 1,000 envelopes/s at 25 ms, or 200/s at 150 ms. */
  static final int DEFAULT_MAX_SENDERS = 64;
  /** The most senders a builder accepts: threads and connections stay few. */
  static final int MAX_SENDERS_LIMIT = 64;
  /** How long a sender beyond the first waits for work before it ends. */
  static final Duration SENDER_IDLE = Duration.ofSeconds(5);
  /** How long counts wait for an envelope to ride along with before a report goes on its own. */
  static final Duration REPORT_INTERVAL = Duration.ofSeconds(30);
  /** Deflate level 1: nearly level 6's saving on envelopes (985 v 936 bytes of 4,749), at less CPU. */
  static final int GZIP_LEVEL = Deflater.BEST_SPEED;
  /**
   * Smaller bodies go as they are: gzip costs some 15 µs whatever the size (its tables are reset),
   * which a typical 2-span envelope (1.8 KB, 0.8 KB gzipped) does not repay.
   */
  static final int GZIP_MIN_BYTES = 2048;
  static final String SENDER_NAME = "sentry-trace-envelope-sender-";
  /**
   * The end of closeTimeout kept for stopping the senders (at most half of it): close() waits for
   * the queue until then, so that interrupting and joining the senders still fits in the timeout.
   */
  static final Duration STOP_WINDOW = Duration.ofMillis(250);
  /** Longer close timeouts are taken as this one (a nanoTime deadline must not overflow). */
  private static final Duration MAX_CLOSE_TIMEOUT = Duration.ofDays(365L * 100);

  private final Dsn dsn;
  private final URI uri;
  private final Map<String, String> headers;
  private final Map<String, String> gzipHeaders;
  private final EnvelopeTransport transport;
  private final int maxAttempts;
  private final int maxSenders;
  private final boolean compression;
  private final Duration senderIdle;
  private final Duration closeTimeout;
  private final BlockingQueue<TransactionData> queue;
  private final RateLimits rateLimits = new RateLimits(System::nanoTime);
  private final SharedBackoff backoff;
  private final ClientReports reports = new ClientReports();
  /** Nanos (System.nanoTime()) of the last envelope that carried a report, or of the start. */
  private volatile long lastReportNanos = System.nanoTime();

  private final Set<Thread> senders = ConcurrentHashMap.newKeySet();
  /** Senders started and not yet ended; at most maxSenders. */
  private final AtomicInteger senderCount = new AtomicInteger();
  /** Senders waiting on the queue: while one is, nothing needs a new sender. */
  private final AtomicInteger idleSenders = new AtomicInteger();
  private final AtomicInteger senderNumbers = new AtomicInteger();
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
    h.put("User-Agent", Sdk.CLIENT);
    h.put("X-Sentry-Auth",
        "Sentry sentry_version=7, sentry_client=" + Sdk.CLIENT + ", sentry_key=" + b.dsn.publicKey());
    h.put("Content-Type", EnvelopeEncoder.CONTENT_TYPE);
    // Else HttpURLConnection sends its own "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2".
    h.put("Accept", "application/json");
    this.headers = Map.copyOf(h);
    h.put("Content-Encoding", "gzip");
    this.gzipHeaders = Map.copyOf(h);
    this.transport = b.transport != null ? b.transport : UrlConnectionTransport.create();
    this.maxAttempts = b.maxAttempts;
    this.maxSenders = b.maxSenders;
    this.compression = b.compression;
    this.senderIdle = b.senderIdle;
    this.backoff = new SharedBackoff(b.retryBaseDelay, MAX_RETRY_DELAY);
    this.closeTimeout = b.closeTimeout;
    this.queue = new ArrayBlockingQueue<>(b.queueCapacity);
    senderCount.incrementAndGet();
    startSender(true);
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
        transaction.decisionLog().envelopeDropped(transaction, "exporter closed");
        return;
      }
      if (rateLimits.isLimited()) {
        rateLimited.incrementAndGet();
        reports.transaction(ClientReports.Reason.RATELIMIT_BACKOFF, spans(transaction));
        transaction.decisionLog().envelopeDropped(transaction, "rate-limited by Sentry");
        return;
      }
      pending.incrementAndGet();
      if (!queue.offer(transaction)) {
        done();
        dropped.incrementAndGet();
        reports.transaction(ClientReports.Reason.QUEUE_OVERFLOW, spans(transaction));
        if (transaction.decisionLog().isEnabled()) {
          transaction.decisionLog().envelopeDropped(transaction, "queue full (" + (queue.size() + queue.remainingCapacity()) + ")");
        }
        warn(warnedQueueFull, () -> "envelope queue full (" + (queue.size() + queue.remainingCapacity())
            + "); dropping transactions until it drains", null);
        return;
      }
      // Transactions wait and no sender is idle: another one helps. (Not when a sender has
      // already taken this one: the queue is empty again.)
      if (idleSenders.get() == 0 && !queue.isEmpty()) grow();
      // close() raced us after the closed check: the senders may be gone, so take it back.
      if (stopped && queue.remove(transaction)) {
        done();
        dropped.incrementAndGet();
        transaction.decisionLog().envelopeDropped(transaction, "exporter closed");
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not queue a transaction for export; dropped", e);
    }
  }

  /** Counts what the tracer discarded (unsampled transactions), for the next client report. */
  @Override
  public void onDiscarded(String reason, String category, long quantity) {
    if (reason != null && category != null) reports.add(reason, category, quantity);
  }

  /** Spans a transaction carries, its own included: what a client report counts in {@code span}. */
  private static long spans(TransactionData tx) {
    return tx.spans().size() + 1L;
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
   * Sends what is queued, then stops the senders and closes the transport; returns within {@code
   * closeTimeout}. It waits for the queue until the last 250 ms of the timeout (the last half, when
   * shorter), sends the client report still due, then interrupts the senders, which ends sends in
   * flight, and waits for them to stop until the timeout is up. Transactions still queued then, or
   * exported later, are dropped. A second call does nothing.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    long timeout = closeTimeout.compareTo(MAX_CLOSE_TIMEOUT) > 0 ? MAX_CLOSE_TIMEOUT.toNanos() : closeTimeout.toNanos();
    long deadline = System.nanoTime() + timeout;
    long window = Math.min(STOP_WINDOW.toNanos(), timeout / 4); // one for the last report, one for stopping
    removeShutdownHook();
    boolean flushed = flush(Duration.ofNanos(timeout - 2 * window));
    // What is still queued will not be sent: counted now, so that the last client report has it.
    int left = 0;
    for (TransactionData tx; (tx = queue.poll()) != null; ) {
      if (tx != REPORT_ONLY) {
        left++;
        reports.transaction(ClientReports.Reason.QUEUE_OVERFLOW, spans(tx));
        if (tx.decisionLog().isEnabled()) tx.decisionLog().envelopeDropped(tx, "closed before it was sent (closeTimeout " + closeTimeout + ")");
      }
      done();
    }
    dropped.addAndGet(left);
    // The last counts go on their own, even when the queue was not sent in time (the report is
    // what tells the user so). A sender takes it; with every sender in a send, one more starts.
    pending.incrementAndGet();
    if (!queue.offer(REPORT_ONLY)) {
      done();
    } else if (idleSenders.get() == 0) {
      senderCount.incrementAndGet(); // beyond maxSenders by this one, for the last report only
      startSender(false);
    }
    flush(Duration.ofNanos(Math.max(0, deadline - System.nanoTime() - window)));
    stopped = true;
    // Ends sends in flight (the transports end their request when interrupted) and idle waits.
    for (Thread t : senders) t.interrupt();
    boolean sendersStopped = true;
    for (Thread t : senders) sendersStopped &= join(t, deadline);
    // Left now: the report marker if no sender took it, or an export that raced close().
    for (TransactionData tx; (tx = queue.poll()) != null; ) {
      if (tx != REPORT_ONLY) {
        left++;
        dropped.incrementAndGet();
        tx.decisionLog().envelopeDropped(tx, "exporter closed");
      }
      done();
    }
    if (!flushed) {
      LOG.log(Level.WARNING, "closed before everything was sent (timeout {0}); {1} queued transactions dropped",
          closeTimeout, left);
    }
    if (!sendersStopped) {
      // A transport that ignores interrupts: its send ends on its own timeout; nothing is sent after it.
      LOG.log(Level.DEBUG, "an envelope sender is still in a send at the close timeout; it stops after it");
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

  /** Sender threads running now: one when idle, at most {@code maxSenders} (for tests). */
  int senderCount() {
    return senderCount.get();
  }

  // ---- the senders ----

  /** Queued by close() to have a sender send the last client report (a marker, never exported). */
  private static final TransactionData REPORT_ONLY = TransactionData.create("client report",
      TransactionNameSource.CUSTOM, SpanData.create(TraceId.random(), SpanId.random(), null, null, null, null, null,
          Instant.EPOCH, Instant.EPOCH), List.of(), Baggage.empty(), null, null);

  /** Starts one more sender when below the maximum (the count is taken by the caller or here). */
  private void grow() {
    for (int n; !stopped && (n = senderCount.get()) < maxSenders; ) {
      if (senderCount.compareAndSet(n, n + 1)) {
        startSender(false);
        return;
      }
    }
  }

  /** A sender counts as idle from its start until it takes its first transaction. */
  private void startSender(boolean first) {
    idleSenders.incrementAndGet();
    try {
      // Started from whichever thread exported (a request's, say): it must not inherit that
      // thread's inheritable thread-locals, nor keep its context class loader (a web app's) alive.
      Thread t = new Thread(null, () -> runSender(first), SENDER_NAME + senderNumbers.incrementAndGet(), 0, false);
      t.setDaemon(true);
      t.setContextClassLoader(EnvelopeExporter.class.getClassLoader());
      senders.add(t);
      t.start();
    } catch (RuntimeException | OutOfMemoryError e) { // no thread to be had: the others carry on
      senderCount.decrementAndGet();
      idleSenders.decrementAndGet();
      LOG.log(Level.DEBUG, "could not start an envelope sender: {0}", e.toString());
    }
  }

  private void runSender(boolean first) {
    EnvelopeEncoder encoder = new EnvelopeEncoder();
    Gzip gzip = compression ? new Gzip(GZIP_LEVEL) : null;
    boolean countedIdle = true; // by startSender
    try {
      while (!stopped) {
        TransactionData tx;
        if (!countedIdle) idleSenders.incrementAndGet();
        countedIdle = true;
        try {
          tx = queue.poll((first ? REPORT_INTERVAL : senderIdle).toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          continue; // close() interrupts after setting stopped
        } finally {
          idleSenders.decrementAndGet();
          countedIdle = false;
        }
        if (tx == null) {
          if (!first) return; // idle: down to the one sender
          if (System.nanoTime() - lastReportNanos >= REPORT_INTERVAL.toNanos()) sendReportOnly(encoder, gzip);
          continue;
        }
        // A backlog, and nobody idle to take it: another sender helps (up to the maximum).
        if (!queue.isEmpty() && idleSenders.get() == 0) grow();
        try {
          if (tx == REPORT_ONLY) sendReportOnly(encoder, gzip);
          else deliver(tx, encoder, gzip);
        } catch (RuntimeException e) {
          failed.incrementAndGet();
          if (tx != REPORT_ONLY) reports.transaction(ClientReports.Reason.INTERNAL_SDK_ERROR, spans(tx));
          warn(warnedFailure, () -> "sending transaction " + tx.name() + " failed", e);
        } finally {
          // Idle again before done(): an export right after flush() returns must find us idle.
          idleSenders.incrementAndGet();
          countedIdle = true;
          done();
        }
      }
    } finally {
      if (countedIdle) idleSenders.decrementAndGet(); // stopped before the first poll
      senderCount.decrementAndGet();
      senders.remove(Thread.currentThread());
      if (gzip != null) gzip.close();
    }
  }

  /** Sends the counts on their own, when there are any and transactions are not rate-limited. */
  private void sendReportOnly(EnvelopeEncoder encoder, Gzip gzip) {
    lastReportNanos = System.nanoTime();
    if (rateLimits.isLimited()) return;
    long[] taken = reports.take();
    if (taken == null) return;
    Instant now = Instant.now();
    byte[] body = concat(encoder.encodeHeaderOnly(dsn, now), ClientReports.item(taken, now));
    boolean arrived = false;
    try (Scope quiet = Instrumentation.suppress()) {
      boolean zip = gzip != null && body.length >= GZIP_MIN_BYTES;
      EnvelopeTransport.Response response = transport.send(uri, zip ? gzipHeaders : headers, zip ? gzip.compress(body) : body);
      rateLimits.update(response);
      arrived = isSuccess(response.statusCode());
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, "sending a client report failed: {0}", e.toString());
    } finally {
      if (!arrived) reports.giveBack(taken);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private void deliver(TransactionData tx, EnvelopeEncoder encoder, Gzip gzip) {
    if (rateLimits.isLimited()) {
      discardRateLimited(tx);
      return;
    }
    long[] report = reports.take();
    try {
      if (deliver(tx, encoder, gzip, report)) report = null; // it arrived with the envelope
    } finally {
      reports.giveBack(report);
    }
  }

  /** Sends one envelope, with retries; true when Sentry accepted it (and the report it carried). */
  private boolean deliver(TransactionData tx, EnvelopeEncoder encoder, Gzip gzip, long[] report) {
    byte[] body;
    Map<String, String> headers = this.headers;
    try {
      Instant now = Instant.now();
      body = encoder.encode(tx, dsn, EnvelopeEncoder.newEventId(), now);
      if (report != null) {
        body = concat(body, ClientReports.item(report, now));
        lastReportNanos = System.nanoTime();
      }
      if (gzip != null && body.length >= GZIP_MIN_BYTES) {
        body = gzip.compress(body);
        headers = gzipHeaders;
      }
    } catch (RuntimeException e) {
      failed.incrementAndGet();
      reports.transaction(ClientReports.Reason.INTERNAL_SDK_ERROR, spans(tx));
      warn(warnedFailure, () -> "could not encode transaction " + tx.name() + "; dropped", e);
      tx.decisionLog().envelopeDropped(tx, "could not encode");
      return false;
    }
    for (int attempt = 1; ; attempt++) {
      boolean probe;
      try {
        probe = backoff.awaitTurn(); // while Sentry fails, one sender at a time, after the shared backoff
      } catch (InterruptedException e) {
        failed.incrementAndGet(); // close() gave up waiting
        tx.decisionLog().envelopeDropped(tx, "exporter closed during a retry");
        return false;
      }
      // Checked before every attempt: a limit may have come in while we backed off.
      if (rateLimits.isLimited()) {
        backoff.released(probe);
        discardRateLimited(tx);
        tx.decisionLog().envelopeDropped(tx, "rate-limited by Sentry");
        return false;
      }
      EnvelopeTransport.Response response = null;
      IOException error = null;
      try (Scope quiet = Instrumentation.suppress()) {
        response = transport.send(uri, headers, body);
      } catch (IOException e) {
        error = e;
      } catch (RuntimeException e) {
        backoff.released(probe);
        throw e;
      }
      if (response != null && response.statusCode() < 500) {
        backoff.succeeded(probe); // Sentry answered
      } else {
        backoff.failed(probe);
      }
      if (response != null) {
        int code = response.statusCode();
        boolean limited = rateLimits.update(response);
        if (isSuccess(code)) {
          sent.incrementAndGet();
          tx.decisionLog().envelopeSent(tx);
          warnedFailure.over();
          warnedRateLimit.over();
          if (queue.isEmpty()) warnedQueueFull.over();
          return true;
        }
        if (code == 429) {
          // Not in a client report: Relay records what it answered 429 itself (develop docs,
          // "Dealing With Network Failures"). What is discarded later for the limit is reported.
          rateLimited.incrementAndGet();
          if (limited) discardQueued();
          long seconds = (rateLimits.remaining().toMillis() + 999) / 1000;
          if (tx.decisionLog().isEnabled()) tx.decisionLog().envelopeDropped(tx, "HTTP 429, rate-limited for " + seconds + " s");
          warn(warnedRateLimit, () -> limited
              ? "Sentry rate-limited transactions for " + seconds + " s; discarding transactions until then"
              : "Sentry answered 429 (limits for other categories only); transaction discarded", null);
          return false;
        }
        if (code < 500) {
          failed.incrementAndGet();
          reports.transaction(ClientReports.Reason.SEND_ERROR, spans(tx));
          if (tx.decisionLog().isEnabled()) {
            tx.decisionLog().envelopeDropped(tx, "HTTP " + code + (code == 401 || code == 403 ? " (check the DSN)" : " (not retried)"));
          }
          warn(warnedFailure, () -> "Sentry rejected the envelope with HTTP " + code + " ("
              + (code == 401 || code == 403 ? "check the DSN" : "not retried") + ")", null);
          return false;
        }
        if (limited && rateLimits.isLimited()) {
          discardRateLimited(tx);
          tx.decisionLog().envelopeDropped(tx, "rate-limited by Sentry");
          discardQueued();
          return false;
        }
      }
      if (attempt >= maxAttempts || stopped) { // stopped: close() gave up waiting, no more attempts
        failed.incrementAndGet();
        // An answer that was not 2xx is a send error; no answer at all, a network error.
        reports.transaction(response != null ? ClientReports.Reason.SEND_ERROR : ClientReports.Reason.NETWORK_ERROR, spans(tx));
        String why = response != null ? "HTTP " + response.statusCode() : String.valueOf(error);
        if (tx.decisionLog().isEnabled()) {
          tx.decisionLog().envelopeDropped(tx, stopped ? "exporter closed during a retry" : "failed after " + attempt + " attempts (" + why + ")");
        }
        if (stopped) return false;
        warn(warnedFailure, () -> "sending transaction " + tx.name() + " to " + uri + " failed after "
            + maxAttempts + " attempts (" + why + "); dropped", null); // the reason is enough: no stack trace
        return false;
      }
    }
  }

  private void discardRateLimited(TransactionData tx) {
    rateLimited.incrementAndGet();
    reports.transaction(ClientReports.Reason.RATELIMIT_BACKOFF, spans(tx));
  }

  /** A rate limit came in: what is queued would only wait to be discarded, so it is now. */
  private void discardQueued() {
    List<TransactionData> queued = new ArrayList<>();
    queue.drainTo(queued);
    for (TransactionData tx : queued) {
      if (tx != REPORT_ONLY) discardRateLimited(tx);
      done();
    }
  }

  private static boolean isSuccess(int code) {
    return code >= 200 && code < 300;
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
        + " rateLimited=" + rateLimited + " queued=" + queue.size() + " senders=" + senderCount + '}';
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
    private int maxSenders = DEFAULT_MAX_SENDERS;
    private boolean compression = true;
    private Duration senderIdle = SENDER_IDLE;

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

    /**
     * Sender threads at most, hence envelopes in flight at most; default and limit 64. One runs
     * while the queue keeps up; more start while transactions wait, and end after 5 s idle. Sentry
     * a round trip {@code r} away takes at most {@code maxSenders / r} envelopes a second (64 at
     * 25 ms: about 2,500/s; at 150 ms: about 420/s). With {@link UrlConnectionTransport} over
     * plain {@code http}, the JDK keeps at most {@code http.maxConnections} (default 5) idle
     * connections to a host: set it to {@code maxSenders} so that concurrent sends reuse theirs.
     */
    public Builder maxSenders(int maxSenders) {
      if (maxSenders < 1 || maxSenders > MAX_SENDERS_LIMIT) {
        throw new IllegalArgumentException("maxSenders must be between 1 and " + MAX_SENDERS_LIMIT + ", got " + maxSenders);
      }
      this.maxSenders = maxSenders;
      return this;
    }

    /**
     * Whether envelope bodies of 2 KiB or more are gzipped ({@code Content-Encoding: gzip}), as
     * Sentry's SDKs do; default true. A 10-span transaction shrinks from 4.7 KB to 1 KB, a 100-span
     * one from 37 KB to 3.3 KB, for 20 to 55 µs of CPU; smaller bodies are sent as they are.
     */
    public Builder compression(boolean compression) {
      this.compression = compression;
      return this;
    }

    /** How long a sender beyond the first waits for work before it ends; 5 s (for tests). */
    Builder senderIdle(Duration senderIdle) {
      this.senderIdle = nonNegative(senderIdle, "senderIdle");
      return this;
    }

    /** Starts the first sender thread and, unless opted out, registers the shutdown hook. */
    public EnvelopeExporter build() {
      return new EnvelopeExporter(this);
    }

    private static Duration nonNegative(Duration d, String name) {
      if (d == null || d.isNegative()) throw new IllegalArgumentException(name + " must be zero or positive, got " + d);
      return d;
    }
  }
}
