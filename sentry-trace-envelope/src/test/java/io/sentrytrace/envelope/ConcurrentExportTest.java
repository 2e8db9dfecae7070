package io.sentrytrace.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.EnvelopeTransport;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import io.sentrytrace.test.LogRecords;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.stream.Collectors;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The exporter at a distance: several envelopes in flight, senders that grow with the backlog and
 * shrink back, rate limits and the shared backoff under concurrency, client reports that match the
 * counters. Against a stand-in Sentry on 127.0.0.1 that answers after a delay.
 */
class ConcurrentExportTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private FakeSentry sentry;
  private LogRecords logs;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeEach
  void startSentry() throws IOException {
    logs = LogRecords.of(EnvelopeExporter.class);
    sentry = FakeSentry.start();
  }

  @AfterEach
  void stop() throws Exception {
    sentry.release();
    for (AutoCloseable c : toClose) c.close();
    sentry.close();
    logs.close();
  }

  private EnvelopeExporter track(EnvelopeExporter exporter) {
    toClose.add(exporter);
    return exporter;
  }

  private static Tracer tracer(String dsn, EnvelopeExporter exporter, double rate) {
    return Tracer.builder().dsn(dsn).tracesSampleRate(rate).exporter(exporter).build();
  }

  /** A transaction with two child spans. */
  private static void finishTransaction(Tracer tracer, String name) {
    Span tx = tracer.startTransaction(name, "http.server");
    tx.startChild("db.query", "SELECT 1").finish();
    tx.startChild("http.client", "GET /").finish();
    tx.finish();
  }

  private static Set<Thread> senderThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith(EnvelopeExporter.SENDER_NAME) && t.isAlive())
        .collect(Collectors.toSet());
  }

  private static boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) return false;
      TimeUnit.MILLISECONDS.sleep(10);
    }
    return true;
  }

  /**
   * 1,000 transactions finished over 2 s (500/s) at a Sentry 25 ms away, default exporter: every
   * one delivered, each once. One sender delivers about 40 a second: it would leave most of them
   * queued at close() (5 s) and drop them.
   */
  @Test
  void deliversEveryTransactionOfferedAt500PerSecondToASentry25msAway() throws Exception {
    sentry.answerAfter(Duration.ofMillis(25));
    EnvelopeExporter exporter = EnvelopeExporter.builder(sentry.dsn()).shutdownHook(false).build();
    Tracer tracer = tracer(sentry.dsn(), exporter, 1.0);
    long start = System.nanoTime();
    for (int i = 0; i < 1000; i++) {
      long wait = start + TimeUnit.MILLISECONDS.toNanos(2L * i) - System.nanoTime();
      if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
      finishTransaction(tracer, "tx " + i);
    }
    exporter.close();

    assertThat(exporter.sentCount()).isEqualTo(1000);
    assertThat(exporter.droppedCount() + exporter.failedCount() + exporter.rateLimitedCount()).isZero();
    Set<Object> eventIds = new HashSet<>();
    for (FakeSentry.Request r : sentry.requests()) eventIds.add(r.envelope().header.get("event_id"));
    assertThat(eventIds).hasSize(1000);
    assertThat(logs.atLeast(Level.WARNING)).isEmpty();
  }

  /**
   * Over HTTPS (as Sentry is), with the default transport: a backlog of 300 envelopes at a Sentry
   * 25 ms away goes over at most maxSenders connections, each kept alive, not one per envelope.
   */
  @Test
  void aBacklogGoesOverAtMostMaxSendersConnections() throws Exception {
    SSLSocketFactory jdkDefault = HttpsURLConnection.getDefaultSSLSocketFactory();
    HttpsURLConnection.setDefaultSSLSocketFactory(FakeSentry.clientTls().getSocketFactory());
    try (FakeSentry tls = FakeSentry.startTls()) {
      tls.answerAfter(Duration.ofMillis(25));
      EnvelopeExporter exporter = EnvelopeExporter.builder(tls.dsn()).shutdownHook(false).maxSenders(8)
          .closeTimeout(WAIT).build();
      Tracer tracer = tracer(tls.dsn(), exporter, 1.0);
      for (int i = 0; i < 300; i++) finishTransaction(tracer, "tx " + i);
      exporter.close();

      assertThat(exporter.sentCount()).isEqualTo(300);
      assertThat(tls.requests()).hasSize(300);
      assertThat(tls.maxConcurrent()).isGreaterThan(1);
      assertThat(tls.connections()).as("connections at the stand-in").isLessThanOrEqualTo(8);
      assertThat(logs.atLeast(Level.WARNING)).isEmpty();
    } finally {
      HttpsURLConnection.setDefaultSSLSocketFactory(jdkDefault);
    }
  }

  /**
   * One sender while the queue keeps up; up to maxSenders under a backlog, never more; all daemon
   * threads named sentry-trace-*; back to one when idle; none after close().
   */
  @Test
  void sendersGrowWithTheBacklogUpToTheMaximumAndEndAfterClose() throws Exception {
    Set<Thread> before = senderThreads();
    sentry.answerAfter(Duration.ofMillis(200));
    EnvelopeExporter exporter = track(EnvelopeExporter.builder(sentry.dsn()).shutdownHook(false)
        .maxSenders(6).senderIdle(Duration.ofMillis(300)).build());
    Tracer tracer = tracer(sentry.dsn(), exporter, 1.0);
    for (int i = 0; i < 3; i++) {
      finishTransaction(tracer, "alone " + i);
      assertThat(exporter.flush(WAIT)).isTrue();
    }
    assertThat(exporter.senderCount()).as("senders while the queue keeps up").isEqualTo(1);

    for (int i = 0; i < 60; i++) finishTransaction(tracer, "backlog " + i);
    assertThat(await(() -> sentry.maxConcurrent() >= 6, WAIT)).as("six envelopes in flight at once").isTrue();
    Set<Thread> running = new HashSet<>(senderThreads());
    running.removeAll(before);
    assertThat(running).hasSizeBetween(1, 6).allSatisfy(t -> {
      assertThat(t.isDaemon()).isTrue();
      assertThat(t.getName()).startsWith("sentry-trace-");
    });
    assertThat(exporter.flush(WAIT)).isTrue();
    assertThat(sentry.maxConcurrent()).as("in flight at most").isEqualTo(6);
    assertThat(exporter.sentCount()).isEqualTo(63);

    assertThat(await(() -> exporter.senderCount() == 1, WAIT)).as("back to one sender when idle").isTrue();
    exporter.close();
    assertThat(running).allSatisfy(t -> assertThat(t.isAlive()).as(t.getName()).isFalse());
    Set<Thread> after = new HashSet<>(senderThreads());
    after.removeAll(before);
    assertThat(after).isEmpty();
    assertThat(exporter.senderCount()).isZero();
    assertThat(logs.atLeast(Level.WARNING)).isEmpty();
  }

  /**
   * A 429 stops new sends for its duration and discards what is queued; the sends already on the
   * wire finish (they are not cancelled). Every transaction is accounted for.
   */
  @Test
  void a429StopsNewSendsDiscardsTheQueueAndLetsSendsInFlightFinish() throws Exception {
    sentry.answerAfter(Duration.ofMillis(150));
    sentry.enqueue(429, Map.of("Retry-After", "2"));
    EnvelopeExporter exporter = track(EnvelopeExporter.builder(sentry.dsn()).shutdownHook(false).maxSenders(4).build());
    Tracer tracer = tracer(sentry.dsn(), exporter, 1.0);
    for (int i = 0; i < 40; i++) finishTransaction(tracer, "tx " + i);
    assertThat(exporter.flush(WAIT)).isTrue();

    List<FakeSentry.Request> requests = sentry.requests();
    FakeSentry.Request limited = requests.stream().filter(r -> r.answeredStatus == 429).findFirst().orElseThrow();
    // Nothing started after the 429 was answered (plus the moment a request takes over loopback).
    assertThat(requests).allSatisfy(r ->
        assertThat(r.receivedNanos).isLessThan(limited.answeredNanos + TimeUnit.MILLISECONDS.toNanos(50)));
    assertThat(requests.size()).isLessThanOrEqualTo(4 + 3); // the first wave, and what was starting with it
    assertThat(exporter.rateLimitedCount()).isEqualTo(40 - exporter.sentCount());
    assertThat(exporter.sentCount()).isEqualTo(requests.size() - 1);
    assertThat(exporter.droppedCount() + exporter.failedCount()).isZero();
    assertThat(logs.atLeast(Level.WARNING))
        .containsExactly("Sentry rate-limited transactions for 2 s; discarding transactions until then");
  }

  /**
   * Sentry fails: the senders back off together. The first wave of sends in flight all fail, then
   * one probe goes alone after the backoff and, when it succeeds, the others follow.
   */
  @Test
  void aFailingSentryGetsOneSharedBackoffAndASingleProbe() throws Exception {
    sentry.answerAfter(Duration.ofMillis(100));
    for (int i = 0; i < 4; i++) sentry.enqueue(503);
    EnvelopeExporter exporter = track(EnvelopeExporter.builder(sentry.dsn()).shutdownHook(false).maxSenders(4)
        .retryBaseDelay(Duration.ofMillis(300)).build());
    Tracer tracer = tracer(sentry.dsn(), exporter, 1.0);
    for (int i = 0; i < 4; i++) finishTransaction(tracer, "tx " + i);
    assertThat(await(() -> sentry.requests().size() >= 4, WAIT)).isTrue();
    assertThat(exporter.flush(WAIT)).isTrue();

    List<FakeSentry.Request> requests = sentry.requests().stream()
        .sorted(Comparator.comparingLong(r -> r.receivedNanos)).toList();
    assertThat(requests).extracting(r -> r.answeredStatus).containsExactly(503, 503, 503, 503, 200, 200, 200, 200);
    long lastFailure = requests.subList(0, 4).stream().mapToLong(r -> r.answeredNanos).min().orElseThrow();
    FakeSentry.Request probe = requests.get(4);
    assertThat(Duration.ofNanos(probe.receivedNanos - lastFailure)).as("the shared backoff").isGreaterThanOrEqualTo(Duration.ofMillis(250));
    assertThat(requests.subList(5, 8)).as("the others wait for the probe's answer")
        .allSatisfy(r -> assertThat(r.receivedNanos).isGreaterThanOrEqualTo(probe.answeredNanos));
    assertThat(exporter.sentCount()).isEqualTo(4);
    assertThat(exporter.failedCount()).isZero();
    assertThat(logs.atLeast(Level.WARNING)).isEmpty();
  }

  /**
   * Every discard is reported to Sentry in client reports, and what Sentry received (in envelopes
   * it accepted) matches the counters: sample_rate (the tracer's unsampled transactions),
   * send_error (an answer that was not 2xx), network_error (no answer, retries exhausted),
   * queue_overflow and ratelimit_backoff. The envelope answered 429 is not reported: Relay
   * counts it itself (develop docs, "Dealing With Network Failures").
   */
  @Test
  void clientReportsReceivedMatchTheCounters() throws Exception {
    EnvelopeTransport unreachable = new Unreachable(UrlConnectionTransport.create(), "\"unreachable\"");
    EnvelopeExporter exporter = track(EnvelopeExporter.builder(sentry.dsn()).shutdownHook(false).maxSenders(1)
        .queueCapacity(2).maxAttempts(2).retryBaseDelay(Duration.ofMillis(20)).transport(unreachable).build());
    Tracer sampled = tracer(sentry.dsn(), exporter, 1.0);
    Tracer unsampled = tracer(sentry.dsn(), exporter, 0.0);
    for (int i = 0; i < 3; i++) finishTransaction(unsampled, "unsampled " + i);

    sentry.enqueue(500).enqueue(500); // send_error: both attempts answered 500
    finishTransaction(sampled, "fails");
    assertThat(exporter.flush(WAIT)).isTrue(); // one at a time: the queue holds two
    sentry.enqueue(400); // send_error: not retried
    finishTransaction(sampled, "rejected");
    assertThat(exporter.flush(WAIT)).isTrue();
    finishTransaction(sampled, "unreachable"); // network_error: both attempts throw
    assertThat(exporter.flush(WAIT)).isTrue();

    sentry.stall(); // queue_overflow: one in flight, two queued, the rest dropped
    for (int i = 0; i < 6; i++) finishTransaction(sampled, "overflow " + i);
    sentry.release();
    assertThat(exporter.flush(WAIT)).isTrue();

    sentry.enqueue(429, Map.of("Retry-After", "1")); // ratelimit_backoff: the next two, not the 429's
    finishTransaction(sampled, "limited");
    assertThat(exporter.flush(WAIT)).isTrue();
    finishTransaction(sampled, "during the limit 1");
    finishTransaction(sampled, "during the limit 2");
    assertThat(await(() -> exporter.rateLimitedCount() == 3, WAIT)).isTrue();
    TimeUnit.MILLISECONDS.sleep(1100);
    exporter.close(); // sends the counts still due on their own

    Map<String, Long> received = received();
    assertThat(exporter.failedCount()).isEqualTo(3);
    assertThat(exporter.droppedCount()).isPositive();
    assertThat(received).containsExactlyInAnyOrderEntriesOf(Map.of(
        "sample_rate/transaction", 3L,
        "sample_rate/span", 3L, // an unsampled transaction records no children: its own span
        "send_error/transaction", 2L,
        "send_error/span", 6L,
        "network_error/transaction", 1L,
        "network_error/span", 3L,
        "queue_overflow/transaction", exporter.droppedCount(),
        "queue_overflow/span", 3 * exporter.droppedCount(),
        "ratelimit_backoff/transaction", 2L,
        "ratelimit_backoff/span", 6L));
    // One warning per kind of trouble (the 400 and the unreachable send are the same kind as the 500s).
    assertThat(logs.atLeast(Level.WARNING)).hasSize(3).anySatisfy(m -> assertThat(m).contains("failed after 2 attempts"))
        .anySatisfy(m -> assertThat(m).startsWith("envelope queue full"))
        .anySatisfy(m -> assertThat(m).startsWith("Sentry rate-limited transactions"));
  }

  /**
   * close() that runs out of time still sends the last client report, with what it could not send
   * as queue_overflow, even when every sender is held in a send: one more thread sends it.
   */
  @Test
  void closeThatRunsOutOfTimeStillSendsTheLastReport() throws Exception {
    EnvelopeTransport held = new Held(UrlConnectionTransport.create());
    EnvelopeExporter exporter = EnvelopeExporter.builder(sentry.dsn()).shutdownHook(false).maxSenders(2)
        .queueCapacity(10).closeTimeout(Duration.ofSeconds(1)).transport(held).build();
    Tracer tracer = tracer(sentry.dsn(), exporter, 1.0);
    for (int i = 0; i < 5; i++) finishTransaction(tracer, "held " + i); // two held in a send, three queued
    assertThat(await(() -> exporter.toString().contains("senders=2"), WAIT)).isTrue();

    long start = System.nanoTime();
    exporter.close();
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(took).isLessThan(Duration.ofSeconds(3)); // bounds a hang only
    assertThat(received()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "queue_overflow/transaction", 3L,
        "queue_overflow/span", 9L));
    assertThat(exporter.droppedCount()).isEqualTo(3);
    assertThat(exporter.failedCount()).isEqualTo(2); // the two held sends, cut off: after the report
    assertThat(await(() -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.getName().startsWith(EnvelopeExporter.SENDER_NAME)), WAIT)).isTrue();
    assertThat(logs.atLeast(Level.WARNING)).singleElement()
        .satisfies(m -> assertThat(m).startsWith("closed before everything was sent"));
  }

  /** Discards in client reports Sentry accepted, by reason/category. */
  private Map<String, Long> received() throws IOException {
    Map<String, Long> received = new java.util.TreeMap<>();
    for (FakeSentry.Request r : sentry.requests()) {
      if (r.answeredStatus != 200) continue; // a report in a failed envelope went again later
      r.envelope().discarded().forEach((k, v) -> received.merge(k, v, Long::sum));
    }
    return received;
  }

  /** Throws for envelopes whose body contains {@code marker}, as a network that drops them would. */
  private static final class Unreachable implements EnvelopeTransport {
    private final EnvelopeTransport delegate;
    private final byte[] marker;

    Unreachable(EnvelopeTransport delegate, String marker) {
      this.delegate = delegate;
      this.marker = marker.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public Response send(URI uri, Map<String, String> headers, byte[] body) throws IOException {
      if (contains(body, marker)) throw new java.net.ConnectException("unreachable (test)");
      return delegate.send(uri, headers, body);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  /** Holds transaction envelopes until interrupted; client reports on their own go through. */
  private static final class Held implements EnvelopeTransport {
    private static final byte[] TRANSACTION = "\"type\":\"transaction\"".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    private final EnvelopeTransport delegate;

    Held(EnvelopeTransport delegate) {
      this.delegate = delegate;
    }

    @Override
    public Response send(URI uri, Map<String, String> headers, byte[] body) throws IOException {
      if (!contains(body, TRANSACTION)) return delegate.send(uri, headers, body);
      try {
        new java.util.concurrent.CountDownLatch(1).await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new java.io.InterruptedIOException("held until close (test)");
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  private static boolean contains(byte[] body, byte[] marker) {
    outer:
    for (int i = 0; i + marker.length <= body.length; i++) {
      for (int j = 0; j < marker.length; j++) if (body[i + j] != marker[j]) continue outer;
      return true;
    }
    return false;
  }
}
