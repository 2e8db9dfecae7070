package io.sentrytrace.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentrytrace.Dsn;
import io.sentrytrace.EnvelopeTransport;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionNameSource;
import io.sentrytrace.test.LogRecords;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EnvelopeExporterTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private FakeSentry sentry;
  private final List<AutoCloseable> toClose = new ArrayList<>();
  /** The exporter's log, kept off the console: a test that provokes a warning asserts it. */
  private LogRecords log;
  private boolean warningsAsserted;

  @BeforeEach
  void startSentry() throws IOException {
    log = LogRecords.of(EnvelopeExporter.class);
    sentry = FakeSentry.start();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      sentry.release();
      for (AutoCloseable c : toClose) c.close();
      sentry.close();
      if (!warningsAsserted) assertThat(log.atLeast(Level.WARNING)).as("warnings no assertion expected").isEmpty();
    } finally {
      log.close();
    }
  }

  /** The exporter warned, each of {@code fragments} in some warning, and warned of nothing else. */
  private void assertWarned(String... fragments) {
    warningsAsserted = true;
    List<String> warnings = log.atLeast(Level.WARNING);
    for (String fragment : fragments) assertThat(warnings).anySatisfy(w -> assertThat(w).contains(fragment));
    assertThat(warnings).allSatisfy(w -> assertThat(fragments).anySatisfy(f -> assertThat(w).contains(f)));
  }

  private EnvelopeExporter.Builder exporter() {
    return EnvelopeExporter.builder(sentry.dsn()).retryBaseDelay(Duration.ofMillis(20));
  }

  private EnvelopeExporter track(EnvelopeExporter exporter) {
    toClose.add(exporter);
    return exporter;
  }

  private Tracer tracer(EnvelopeExporter exporter) {
    return Tracer.builder().dsn(sentry.dsn()).tracesSampleRate(1.0).release("shop@1.0").exporter(exporter).build();
  }

  @Test
  void deliversTheFinishedTransactionWithItsSpans() throws Exception {
    EnvelopeExporter exporter = track(exporter().build());
    Tracer tracer = tracer(exporter);
    Span tx = tracer.startTransaction("GET /checkout", "http.server");
    Span first = tx.startChild("db.query", "SELECT * FROM carts");
    Span second = first.startChild("http.client", "GET http://payments/");
    second.finish();
    first.finish();
    tx.finish();

    assertThat(exporter.flush(WAIT)).isTrue();

    List<FakeSentry.Request> requests = sentry.requests();
    assertThat(requests).hasSize(1);
    requests.get(0).envelope().assertCarries(tx, List.of(first, second));
    assertThat(exporter.sentCount()).isEqualTo(1);
    assertThat(exporter.failedCount() + exporter.droppedCount() + exporter.rateLimitedCount()).isZero();
  }

  @Test
  void postsToTheDsnEnvelopeEndpointWithSentryAuth() throws Exception {
    EnvelopeExporter exporter = track(exporter().build());
    tracer(exporter).startTransaction("job", "task").finish();

    FakeSentry.Request request = sentry.await(1, WAIT).get(0);

    assertThat(request.method).isEqualTo("POST");
    assertThat(request.path).isEqualTo("/sentry/api/42/envelope/");
    assertThat(request.header("X-Sentry-Auth"))
        .isEqualTo("Sentry sentry_version=7, sentry_client=sentry-trace.java/0.1.0-SNAPSHOT, sentry_key=f00dcafe");
    assertThat(request.header("Content-Type")).isEqualTo("application/x-sentry-envelope");
    assertThat(request.headers).doesNotContainKeys("sentry-trace", "baggage", "traceparent");
  }

  /**
   * The default transport sends what Sentry's SDKs send, and none of HttpURLConnection's own
   * defaults ({@code User-Agent: Java/17...}, {@code Accept: text/html, image/gif, ...}).
   */
  @Test
  void sendsSentrysUserAgentAndAcceptNotTheJdksDefaults() throws Exception {
    EnvelopeExporter exporter = track(exporter().build());
    tracer(exporter).startTransaction("job", "task").finish();

    FakeSentry.Request request = sentry.await(1, WAIT).get(0);

    assertThat(request.header("User-Agent")).isEqualTo("sentry-trace.java/0.1.0-SNAPSHOT");
    assertThat(request.header("Accept")).isEqualTo("application/json");
    assertThat(request.headers.values()).noneMatch(v -> v.contains("Java/") || v.contains("image/gif"));
  }

  /**
   * Bodies of 2 KiB or more are gzipped by default, smaller ones sent as they are; compression(false)
   * sends every body as it is. All arrive whole.
   */
  @Test
  void gzipsLargeBodiesUnlessTurnedOff() throws Exception {
    EnvelopeExporter gzip = track(exporter().build());
    EnvelopeExporter plain = track(exporter().compression(false).build());
    for (EnvelopeExporter exporter : List.of(gzip, plain)) {
      Span tx = tracer(exporter).startTransaction("GET /checkout", "http.server");
      for (int i = 0; i < 20; i++) tx.startChild("db.query", "SELECT * FROM carts WHERE id = " + i).finish();
      tx.finish();
      assertThat(exporter.flush(WAIT)).isTrue();
    }
    tracer(gzip).startTransaction("small", "task").finish();
    assertThat(gzip.flush(WAIT)).isTrue();

    List<FakeSentry.Request> requests = sentry.requests();
    assertThat(requests).hasSize(3);
    FakeSentry.Request zipped = requests.get(0);
    FakeSentry.Request asIs = requests.get(1);
    FakeSentry.Request small = requests.get(2);
    assertThat(zipped.header("Content-Encoding")).isEqualTo("gzip");
    assertThat(zipped.envelope().spans()).hasSize(20);
    assertThat(zipped.body.length).isGreaterThanOrEqualTo(EnvelopeExporter.GZIP_MIN_BYTES);
    assertThat(zipped.wireLength).isLessThan(zipped.body.length / 2);
    assertThat(asIs.header("Content-Encoding")).isNull();
    assertThat(asIs.envelope().spans()).hasSize(20);
    assertThat(asIs.wireLength).isEqualTo(asIs.body.length);
    assertThat(small.header("Content-Encoding")).isNull();
    assertThat(small.wireLength).isEqualTo(small.body.length).isLessThan(EnvelopeExporter.GZIP_MIN_BYTES);
    assertThat(small.envelope().payload).containsEntry("transaction", "small");
  }

  @Test
  void retriesAServerErrorAndDeliversExactlyOnce() throws Exception {
    sentry.enqueue(500);
    EnvelopeExporter exporter = track(exporter().build());
    tracer(exporter).startTransaction("job", "task").finish();

    assertThat(exporter.flush(WAIT)).isTrue();

    List<FakeSentry.Request> requests = sentry.requests();
    assertThat(requests).extracting(r -> r.answeredStatus).containsExactly(500, 200);
    assertThat(requests.get(1).body).isEqualTo(requests.get(0).body); // same event id: Sentry dedupes
    assertThat(exporter.sentCount()).isEqualTo(1);
    assertThat(exporter.failedCount()).isZero();
  }

  @Test
  void givesUpAfterMaxAttemptsWithGrowingBackoff() throws Exception {
    sentry.enqueue(503).enqueue(502).enqueue(500).enqueue(500);
    EnvelopeExporter exporter = track(exporter().maxAttempts(3).retryBaseDelay(Duration.ofMillis(100)).build());
    tracer(exporter).startTransaction("job", "task").finish();

    assertThat(exporter.flush(WAIT)).isTrue();

    List<FakeSentry.Request> requests = sentry.requests();
    assertThat(requests).extracting(r -> r.answeredStatus).containsExactly(503, 502, 500);
    assertThat(Duration.ofNanos(requests.get(1).receivedNanos - requests.get(0).receivedNanos)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
    assertThat(Duration.ofNanos(requests.get(2).receivedNanos - requests.get(1).receivedNanos)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    assertThat(exporter.failedCount()).isEqualTo(1);
    assertThat(exporter.sentCount()).isZero();
    assertWarned("failed after 3 attempts (HTTP 500)");
  }

  @Test
  void clientErrorsOtherThan429AreNotRetried() throws Exception {
    sentry.enqueue(403);
    EnvelopeExporter exporter = track(exporter().build());
    Tracer tracer = tracer(exporter);
    tracer.startTransaction("first", "task").finish();
    tracer.startTransaction("second", "task").finish();

    assertThat(exporter.flush(WAIT)).isTrue();

    assertThat(sentry.requests()).extracting(r -> r.answeredStatus).containsExactly(403, 200);
    assertThat(exporter.failedCount()).isEqualTo(1);
    assertThat(exporter.sentCount()).isEqualTo(1);
    assertWarned("HTTP 403");
  }

  @Test
  void sendsNothingUntilA429RetryAfterHasPassed() throws Exception {
    sentry.enqueue(429, Map.of("Retry-After", "1"));
    EnvelopeExporter exporter = track(exporter().build());
    Tracer tracer = tracer(exporter);
    tracer.startTransaction("limited", "task").finish();
    assertThat(exporter.flush(WAIT)).isTrue();
    long limitedAt = sentry.requests().get(0).receivedNanos;

    tracer.startTransaction("during the limit 1", "task").finish();
    tracer.startTransaction("during the limit 2", "task").finish();
    assertThat(exporter.flush(WAIT)).isTrue();
    assertThat(sentry.requests()).hasSize(1);
    assertThat(exporter.rateLimitedCount()).isEqualTo(3); // the 429'd one and the two discarded

    // Past the limit, transactions go out again.
    while (System.nanoTime() - limitedAt < Duration.ofMillis(1100).toNanos()) Thread.sleep(20);
    Span after = tracer.startTransaction("after the limit", "task");
    after.finish();
    assertThat(exporter.flush(WAIT)).isTrue();

    List<FakeSentry.Request> requests = sentry.requests();
    assertThat(requests).hasSize(2);
    assertThat(Duration.ofNanos(requests.get(1).receivedNanos - limitedAt)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(requests.get(1).envelope().payload).containsEntry("transaction", "after the limit");
    assertThat(exporter.sentCount()).isEqualTo(1);
    assertWarned("rate-limited");
  }

  @Test
  void rateLimitsHeaderOnASuccessStopsFollowingTransactions() throws Exception {
    sentry.enqueue(200, Map.of("X-Sentry-Rate-Limits", "60:transaction:key"));
    EnvelopeExporter exporter = track(exporter().build());
    Tracer tracer = tracer(exporter);
    tracer.startTransaction("accepted", "task").finish();
    assertThat(exporter.flush(WAIT)).isTrue();

    tracer.startTransaction("limited", "task").finish();
    assertThat(exporter.flush(WAIT)).isTrue();

    assertThat(sentry.requests()).hasSize(1);
    assertThat(exporter.sentCount()).isEqualTo(1);
    assertThat(exporter.rateLimitedCount()).isEqualTo(1);
  }

  @Test
  void rateLimitsForOtherCategoriesDoNotStopTransactions() throws Exception {
    sentry.enqueue(429, Map.of("Retry-After", "60", "X-Sentry-Rate-Limits", "60:error;default:organization"));
    EnvelopeExporter exporter = track(exporter().build());
    Tracer tracer = tracer(exporter);
    tracer.startTransaction("rejected", "task").finish();
    tracer.startTransaction("accepted", "task").finish();

    assertThat(exporter.flush(WAIT)).isTrue();

    assertThat(sentry.requests()).extracting(r -> r.answeredStatus).containsExactly(429, 200);
    assertThat(exporter.sentCount()).isEqualTo(1);
    assertWarned("429");
  }

  @Test
  void connectionRefusedIsRetriedThenCountedWithoutThrowing() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    String dsn = "http://f00dcafe@127.0.0.1:" + closedPort + "/42";
    CountingTransport transport = new CountingTransport(JdkHttpTransport.create(), 0);
    EnvelopeExporter exporter = track(EnvelopeExporter.builder(dsn).transport(transport)
        .maxAttempts(3).retryBaseDelay(Duration.ofMillis(10)).build());
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(exporter).build();

    assertThatCode(() -> tracer.startTransaction("job", "task").finish()).doesNotThrowAnyException();
    assertThat(exporter.flush(WAIT)).isTrue();

    assertThat(transport.outcomes).hasSize(3).allSatisfy(o -> assertThat(o).isInstanceOf(ConnectException.class));
    assertThat(exporter.failedCount()).isEqualTo(1);
    assertThat(exporter.sentCount()).isZero();
    assertWarned("ConnectException");
  }

  @Test
  void aFullQueueDropsAndCountsWithoutBlockingFinish() throws Exception {
    sentry.stall();
    EnvelopeExporter exporter = track(exporter().queueCapacity(100).build());
    Tracer tracer = tracer(exporter);
    int count = 10_000;

    // Sentry stays stalled until release(): a finish() that waited for the network or for room in
    // the queue would never return before then. The bound only stops a hang; it is no speed check.
    assertTimeoutPreemptively(
        Duration.ofSeconds(60),
        () -> {
          for (int i = 0; i < count; i++) tracer.startTransaction("tx " + i, "task").finish();
        });
    // At most the queue plus the requests stuck at the endpoint (one per sender) got in.
    assertThat(exporter.droppedCount()).isGreaterThanOrEqualTo(count - 100 - EnvelopeExporter.DEFAULT_MAX_SENDERS);
    sentry.release();
    assertThat(exporter.flush(WAIT)).isTrue();
    assertThat(exporter.sentCount() + exporter.droppedCount()).isEqualTo(count);
    assertThat(sentry.requests()).hasSize((int) exporter.sentCount());
    assertWarned("queue full");
  }

  @Test
  void flushReportsWhetherEverythingWasSentInTime() throws Exception {
    sentry.stall();
    EnvelopeExporter exporter = track(exporter().build());
    tracer(exporter).startTransaction("job", "task").finish();

    assertThat(exporter.flush(Duration.ofMillis(100))).isFalse();
    sentry.release();
    assertThat(exporter.flush(WAIT)).isTrue();
    assertThat(exporter.sentCount()).isEqualTo(1);
  }

  @Test
  void closeSendsEverythingStillQueuedThenDropsLaterExports() throws Exception {
    sentry.stall();
    CountingTransport transport = new CountingTransport(JdkHttpTransport.create(), 0);
    EnvelopeExporter exporter = exporter().transport(transport).closeTimeout(WAIT).build();
    Tracer tracer = tracer(exporter);
    for (int i = 0; i < 20; i++) tracer.startTransaction("tx " + i, "task").finish();
    Thread releaser = new Thread(() -> {
      try {
        Thread.sleep(200);
      } catch (InterruptedException ignored) {
        // release anyway
      }
      sentry.release();
    });
    releaser.start();

    tracer.close(); // closes the exporter

    assertThat(sentry.requests()).hasSize(20);
    assertThat(exporter.sentCount()).isEqualTo(20);
    assertThat(transport.closed).hasValue(1);
    tracer.startTransaction("after close", "task").finish();
    assertThat(exporter.droppedCount()).isEqualTo(1);
    releaser.join();
  }

  @Test
  void closeGivesUpAfterItsTimeout() throws Exception {
    sentry.stall();
    EnvelopeExporter exporter = exporter().closeTimeout(Duration.ofMillis(300)).build();
    Tracer tracer = tracer(exporter);
    for (int i = 0; i < 5; i++) tracer.startTransaction("tx " + i, "task").finish();

    long start = System.nanoTime();
    exporter.close();
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    // Sentry stays stalled: without its timeout close() would never return. The bound is 100x the
    // timeout so that a slow machine cannot fail it; it only tells "gave up" from "hung".
    assertThat(took).isLessThan(Duration.ofSeconds(30));
    assertThat(exporter.sentCount()).isZero();
    // Those stuck at the endpoint (several senders) failed; those still queued were dropped.
    assertThat(exporter.failedCount()).isPositive();
    assertThat(exporter.droppedCount() + exporter.failedCount()).isEqualTo(5);
    assertWarned("closed before everything was sent");
  }

  @Test
  void unsampledTransactionsAreNeverSent() throws Exception {
    EnvelopeExporter exporter = track(exporter().build());
    Tracer unsampling = Tracer.builder().tracesSampleRate(0.0).exporter(exporter).build();
    Tracer sampling = tracer(exporter);
    for (int i = 0; i < 10; i++) unsampling.startTransaction("unsampled " + i, "task").finish();
    sampling.startTransaction("continued unsampled", "task",
        sampling.continueTrace("771a43a4192642f0b136d5159a501700-b1a2c3d4e5f60718-0", "sentry-sampled=false")).finish();
    sampling.startTransaction("sampled", "task").finish(); // queued behind any unsampled one

    assertThat(exporter.flush(WAIT)).isTrue();

    assertThat(sentry.requests()).hasSize(1);
    assertThat(sentry.requests().get(0).envelope().payload).containsEntry("transaction", "sampled");
  }

  @Test
  void aTransportThatThrowsDoesNotStopTheSender() throws Exception {
    CountingTransport transport = new CountingTransport(JdkHttpTransport.create(), 1);
    // One sender, so that the first transaction is the first send (the one that throws).
    EnvelopeExporter exporter = track(exporter().transport(transport).maxSenders(1).build());
    Tracer tracer = tracer(exporter);
    tracer.startTransaction("hits the bug", "task").finish();
    tracer.startTransaction("goes through", "task").finish();

    assertThat(exporter.flush(WAIT)).isTrue();

    assertThat(exporter.failedCount()).isEqualTo(1);
    assertThat(exporter.sentCount()).isEqualTo(1);
    assertThat(sentry.requests().get(0).envelope().payload).containsEntry("transaction", "goes through");
    assertWarned("sending transaction hits the bug failed");
  }

  @Test
  void builderRejectsBadOptionsWithClearMessages() {
    assertThatThrownBy(() -> EnvelopeExporter.builder("not a dsn")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DSN");
    assertThatThrownBy(() -> EnvelopeExporter.builder((String) null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DSN");
    assertThatThrownBy(() -> EnvelopeExporter.builder((Dsn) null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dsn");
    EnvelopeExporter.Builder b = EnvelopeExporter.builder(sentry.dsn());
    assertThatThrownBy(() -> b.queueCapacity(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("queueCapacity");
    assertThatThrownBy(() -> b.maxAttempts(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxAttempts");
    assertThatThrownBy(() -> b.retryBaseDelay(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retryBaseDelay");
    assertThatThrownBy(() -> b.closeTimeout(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("closeTimeout");
    assertThatThrownBy(() -> b.maxSenders(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxSenders must be between 1 and 64, got 0");
    assertThatThrownBy(() -> b.maxSenders(65)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxSenders");
    assertThatThrownBy(() -> b.transport((EnvelopeTransport) null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("transport");
  }

  @Test
  void sendsWhereTheTransactionNameCameFromAndKeepsAUrlNameOutOfTheDsc() throws Exception {
    EnvelopeExporter exporter = track(exporter().build());
    Tracer tracer = tracer(exporter);
    Span routed = tracer.startTransaction("GET /orders/42", "http.server");
    routed.setName("GET /orders/{id}", TransactionNameSource.ROUTE);
    routed.finish();
    Span raw = tracer.startTransaction("GET /users/alice", "http.server");
    raw.setName("GET /users/alice", TransactionNameSource.URL);
    raw.finish();

    List<FakeSentry.Request> requests = sentry.await(2, WAIT);
    assertThat(requests).hasSize(2);
    Map<String, ReceivedEnvelope> byName = new java.util.HashMap<>();
    for (FakeSentry.Request r : requests) {
      ReceivedEnvelope envelope = r.envelope();
      byName.put(String.valueOf(envelope.payload.get("transaction")), envelope);
    }
    ReceivedEnvelope route = byName.get("GET /orders/{id}");
    assertThat(route.payload.get("transaction_info")).isEqualTo(Map.of("source", "route"));
    assertThat(route.dsc()).containsEntry("transaction", "GET /orders/{id}");
    ReceivedEnvelope url = byName.get("GET /users/alice");
    assertThat(url.payload.get("transaction_info")).isEqualTo(Map.of("source", "url"));
    assertThat(url.dsc()).doesNotContainKey("transaction").containsKey("trace_id");
  }

  @Test
  void aFlappingSentryIsReportedAtWarningOnceNotOncePerOutage() throws Exception {
    // Rejected, accepted, rejected, accepted...: ten outages, each over after one envelope.
    for (int i = 0; i < 10; i++) sentry.enqueue(400).enqueue(200);
    EnvelopeExporter exporter = track(exporter().maxAttempts(1).build());
    Tracer tracer = tracer(exporter);
    for (int i = 0; i < 20; i++) {
      tracer.startTransaction("tx " + i, "task").finish();
      assertThat(exporter.flush(WAIT)).isTrue();
    }
    assertThat(exporter.sentCount()).isEqualTo(10);
    assertThat(exporter.failedCount()).isEqualTo(10);
    assertThat(log.atLeast(Level.WARNING)).as("WARNING records for ten outages in a minute").hasSize(1);
    assertWarned("HTTP 400");
  }
}
