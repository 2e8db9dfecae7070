package io.sentrytrace.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import io.sentrytrace.Baggage;
import io.sentrytrace.PropagationContext;
import io.sentrytrace.Scope;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Span;
import io.sentrytrace.SpanData;
import io.sentrytrace.SpanExporter;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import io.sentrytrace.internal.Instrumentation;
import io.sentrytrace.testing.InMemorySpanExporter;
import io.sentrytrace.http.internal.HttpSpanData;
import io.sentrytrace.test.LogRecords;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every HTTP client module does, as one suite (like Brave's {@code ITHttpClient}): a client
 * module's test extends it, says how to make an instrumented client and how to send with it, and
 * inherits every test. The peers are the JDK's {@code com.sun.net.httpserver} servers on
 * 127.0.0.1, so the suite depends on no client library.
 *
 * <pre>{@code
 * class OkHttpClientContractTest extends HttpClientContract<OkHttpClient, Request> {
 *   protected OkHttpClient newClient(Tracer tracer) { return TracingInterceptor.instrument(new OkHttpClient(), tracer); }
 *   // newRequest, execute, executeAsync ...
 * }
 * }</pre>
 *
 * <p>A module that cannot keep one rule in some set-up overrides that test with {@code @Disabled}
 * and says why.
 *
 * @param <C> the client
 * @param <R> the client's request
 */
@SuppressWarnings("try") // try (Scope scope = span.makeCurrent()) is the point
public abstract class HttpClientContract<C, R> {
  private static final String USER_TRACE = "771a43a4192642f0b136d5159a501700-a1b2c3d4e5f60718-0";
  private static final Duration PAUSE = Duration.ofMillis(300);

  /** Told once the response's body was read to its end (and closed), or that the call failed. */
  public interface Callback {
    void onResponse(int statusCode);

    void onFailure(Throwable error);
  }

  /** An asynchronous call in flight. */
  public interface Cancellable {
    /** Cancels the call as a user of the client would. */
    void cancel();
  }

  /** A client instrumented with {@code tracer}, following redirects. */
  protected abstract C newClient(Tracer tracer);

  /** Releases what {@link #newClient} made; called after each test for each client. */
  protected void closeClient(C client) throws Exception {}

  /**
   * A request; {@code headers} are name and value pairs, in order, a name repeated for several
   * lines; {@code body} null for none (else sent as {@code text/plain}).
   */
  protected abstract R newRequest(String method, String url, List<Map.Entry<String, String>> headers, String body);

  /**
   * Sends {@code request} on this thread, reads the response body to its end, closes the response,
   * and returns the status code; the call's own exception is thrown as it is.
   */
  protected abstract int execute(C client, R request) throws Exception;

  /**
   * Starts {@code request} on the client's own threads (enqueue, sendAsync, execute with a
   * callback); {@code callback} is told after the body was read to its end.
   */
  protected abstract Cancellable executeAsync(C client, R request, Callback callback);

  protected final InMemorySpanExporter exporter = new InMemorySpanExporter();
  private final List<C> clients = new ArrayList<>();
  private final List<HttpClientPeer> peers = new ArrayList<>();

  @AfterEach
  final void closeEverything() throws Exception {
    for (C client : clients) closeClient(client);
    for (HttpClientPeer peer : peers) peer.close();
  }

  // ---- helpers ----

  protected final HttpClientPeer peer() throws Exception {
    HttpClientPeer peer = new HttpClientPeer();
    peers.add(peer);
    return peer;
  }

  protected final C client(Tracer tracer) {
    C client = newClient(tracer);
    clients.add(client);
    return client;
  }

  private Tracer.Builder tracing() {
    return Tracer.builder().tracesSampleRate(1.0).release("shop@1.0").exporter(exporter);
  }

  private Tracer tracerTargeting(HttpClientPeer peer) {
    return tracing().tracePropagationTargets(List.of(peer.target())).build();
  }

  private R get(String url, String... headers) {
    List<Map.Entry<String, String>> pairs = new ArrayList<>();
    for (int i = 0; i < headers.length; i += 2) pairs.add(Map.entry(headers[i], headers[i + 1]));
    return newRequest("GET", url, pairs, null);
  }

  /** Runs {@code call} under a new transaction, which is returned finished. */
  private Span inTransaction(Tracer tracer, ThrowingRunnable call) throws Exception {
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      call.run();
    } finally {
      tx.finish();
    }
    return tx;
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** Starts an async call; the future completes with the status code or the failure. */
  private CompletableFuture<Integer> async(C client, R request) {
    CompletableFuture<Integer> result = new CompletableFuture<>();
    executeAsync(client, request, callbackFor(result));
    return result;
  }

  private static Callback callbackFor(CompletableFuture<Integer> result) {
    return new Callback() {
      @Override
      public void onResponse(int statusCode) {
        result.complete(statusCode);
      }

      @Override
      public void onFailure(Throwable error) {
        result.completeExceptionally(error);
      }
    };
  }

  private static int await(CompletableFuture<Integer> call) throws Exception {
    try {
      return call.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
    }
  }

  private SpanData onlyClientSpan() {
    List<TransactionData> transactions = exporter.transactions();
    assertThat(transactions).hasSize(1);
    assertThat(transactions.get(0).spans()).hasSize(1);
    SpanData span = transactions.get(0).spans().get(0);
    assertThat(span.op()).isEqualTo(HttpSpanData.OP_CLIENT);
    return span;
  }

  private static SentryTrace sentryTrace(HttpClientPeer.Received received) {
    String header = received.header(SentryTrace.HEADER);
    assertThat(header).as("sentry-trace").isNotNull();
    return SentryTrace.parse(header).orElseThrow();
  }

  private static void assertUntraced(HttpClientPeer.Received received) {
    assertThat(received.values(SentryTrace.HEADER)).isEmpty();
    assertThat(received.values("traceparent")).isEmpty();
  }

  private static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  /**
   * A clock giving {@code goodReadings} instants, then throwing: for a tracer that breaks
   * mid-request ({@code Tracer.builder().clock(breakingAfter(1))}).
   */
  public static Clock breakingAfter(int goodReadings) {
    AtomicInteger readings = new AtomicInteger();
    return new Clock() {
      @Override
      public Instant instant() {
        if (readings.incrementAndGet() > goodReadings) throw new IllegalStateException("clock broke");
        return Instant.now();
      }

      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }
    };
  }

  // ---- which requests get the headers ----

  @Test
  public void addsTheHeadersToATargetNamingTheClientSpan() throws Exception {
    HttpClientPeer peer = peer();
    Tracer tracer = tracerTargeting(peer);
    C client = client(tracer);
    Span tx = inTransaction(tracer, () -> assertThat(execute(client, get(peer.url("/orders")))).isEqualTo(200));

    HttpClientPeer.Received received = peer.take();
    SpanData span = onlyClientSpan();
    assertThat(sentryTrace(received)).isEqualTo(SentryTrace.of(tx.traceId(), span.spanId(), true));
    Baggage baggage = Baggage.parse(received.header(Baggage.HEADER));
    assertThat(baggage.get("trace_id")).isEqualTo(tx.traceId().toString());
    assertThat(baggage.get("sampled")).isEqualTo("true");
    assertThat(baggage.get("release")).isEqualTo("shop@1.0");
  }

  @Test
  public void sendsNoHeadersToAUrlThatIsNotATargetButRecordsItsSpan() throws Exception {
    HttpClientPeer target = peer();
    HttpClientPeer other = peer();
    Tracer tracer = tracerTargeting(target);
    C client = client(tracer);
    inTransaction(tracer, () -> execute(client, get(other.url("/orders"))));

    HttpClientPeer.Received received = other.take();
    assertUntraced(received);
    assertThat(received.values(Baggage.HEADER)).isEmpty();
    assertThat(onlyClientSpan().description()).isEqualTo("GET " + other.url("/orders"));
  }

  @Test
  public void sendsNoHeadersWhenTheTargetsAreEmpty() throws Exception {
    HttpClientPeer peer = peer();
    Tracer tracer = tracing().tracePropagationTargets(List.of()).build();
    C client = client(tracer);
    inTransaction(tracer, () -> execute(client, get(peer.url("/"))));

    assertUntraced(peer.take());
  }

  @Test
  public void addsTraceparentWhenTheTracerSendsIt() throws Exception {
    HttpClientPeer peer = peer();
    Tracer tracer = tracing().propagateTraceparent(true).build();
    C client = client(tracer);
    inTransaction(tracer, () -> execute(client, get(peer.url("/"))));

    HttpClientPeer.Received received = peer.take();
    SentryTrace sent = sentryTrace(received);
    assertThat(received.values("traceparent")).containsExactly("00-" + sent.traceId() + "-" + sent.spanId() + "-01");
  }

  // ---- redirects: decided per hop ----

  @Test
  public void aRedirectFromATargetToAnotherHostCarriesOnlyTheRequestsOwnHeaders() throws Exception {
    HttpClientPeer target = peer();
    HttpClientPeer other = peer();
    Tracer tracer = tracerTargeting(target);
    C client = client(tracer);
    target.redirectTo(other.url("/landing"));
    Span tx = inTransaction(tracer, () ->
        assertThat(execute(client, get(target.url("/start"), "baggage", "vendor=1"))).isEqualTo(200));

    HttpClientPeer.Received first = target.take();
    assertThat(sentryTrace(first).traceId()).isEqualTo(tx.traceId());
    assertThat(first.header(Baggage.HEADER)).startsWith("vendor=1,").contains("sentry-trace_id=" + tx.traceId());
    HttpClientPeer.Received second = other.take();
    assertUntraced(second);
    assertThat(second.values(Baggage.HEADER)).containsExactly("vendor=1");
  }

  @Test
  public void anAsyncRedirectFromATargetToAnotherHostCarriesNoTraceHeaders() throws Exception {
    HttpClientPeer target = peer();
    HttpClientPeer other = peer();
    Tracer tracer = tracerTargeting(target);
    C client = client(tracer);
    target.redirectTo(other.url("/landing"));
    Span tx = inTransaction(tracer, () -> assertThat(await(async(client, get(target.url("/start"))))).isEqualTo(200));

    assertThat(sentryTrace(target.take()).traceId()).isEqualTo(tx.traceId());
    assertUntraced(other.take());
  }

  @Test
  public void aRedirectFromAnotherHostToATargetCarriesTheHeaders() throws Exception {
    HttpClientPeer other = peer();
    HttpClientPeer target = peer();
    Tracer tracer = tracerTargeting(target);
    C client = client(tracer);
    other.redirectTo(target.url("/landing"));
    Span tx = inTransaction(tracer, () -> execute(client, get(other.url("/start"))));

    assertUntraced(other.take());
    SentryTrace sent = sentryTrace(target.take());
    assertThat(sent.traceId()).isEqualTo(tx.traceId());
    assertThat(exporter.transactions().get(0).spans()).extracting(SpanData::spanId).contains(sent.spanId());
  }

  @Test
  public void eachHopOfARedirectWithinATargetCarriesOneSetOfHeaders() throws Exception {
    HttpClientPeer target = peer();
    Tracer tracer = tracerTargeting(target);
    C client = client(tracer);
    target.redirectTo(target.url("/next")).redirectTo(target.url("/last"));
    Span tx = inTransaction(tracer, () -> execute(client, get(target.url("/start"), "baggage", "vendor=1")));

    for (int hop = 0; hop < 3; hop++) {
      HttpClientPeer.Received received = target.take();
      assertThat(sentryTrace(received).traceId()).isEqualTo(tx.traceId());
      assertThat(received.header(Baggage.HEADER))
          .startsWith("vendor=1,sentry-")
          .satisfies(b -> assertThat(b.split("vendor=1", -1)).hasSize(2))
          .satisfies(b -> assertThat(b.split("sentry-trace_id=", -1)).hasSize(2));
    }
  }

  // ---- the parent ----

  @Test
  public void aSyncCallIsAChildOfTheCallersSpan() throws Exception {
    HttpClientPeer peer = peer();
    Tracer tracer = tracing().build();
    C client = client(tracer);
    Span tx = inTransaction(tracer, () -> execute(client, get(peer.url("/"))));

    SpanData span = onlyClientSpan();
    assertThat(span.parentSpanId()).isEqualTo(tx.spanId());
    assertThat(sentryTrace(peer.take()).spanId()).isEqualTo(span.spanId());
  }

  @Test
  public void anAsyncCallIsAChildOfTheSpanCurrentWhereItWasMade() throws Exception {
    HttpClientPeer peer = peer();
    Tracer tracer = tracing().build();
    C client = client(tracer);
    Span tx = tracer.startTransaction("checkout", "task");
    CompletableFuture<Integer> call;
    try (Scope scope = tx.makeCurrent()) {
      call = async(client, get(peer.url("/")));
    }
    assertThat(await(call)).isEqualTo(200);
    tx.finish();

    SpanData span = onlyClientSpan();
    assertThat(span.parentSpanId()).isEqualTo(tx.spanId());
    assertThat(sentryTrace(peer.take())).isEqualTo(SentryTrace.of(tx.traceId(), span.spanId(), true));
  }

  @Test
  public void withoutASpanTheHeadersCarryThePropagationContextWhereTheCallWasMade() throws Exception {
    HttpClientPeer peer = peer();
    Tracer off = Tracer.builder().exporter(exporter).build(); // tracing off: propagation only
    C client = client(off);
    PropagationContext incoming = off.continueTrace(
        "771a43a4192642f0b136d5159a501700-a1b2c3d4e5f60718-1", "sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-sampled=true");
    CompletableFuture<Integer> call;
    try (Scope scope = incoming.makeCurrent()) {
      execute(client, get(peer.url("/sync")));
      call = async(client, get(peer.url("/async")));
    }
    await(call);
    execute(client, get(peer.url("/outside")));

    SentryTrace expected = SentryTrace.of(incoming.traceId(), incoming.spanId(), true);
    assertThat(sentryTrace(peer.take())).isEqualTo(expected);
    assertThat(sentryTrace(peer.take())).isEqualTo(expected);
    PropagationContext root = off.currentPropagationContext();
    assertThat(sentryTrace(peer.take())).isEqualTo(SentryTrace.of(root.traceId(), root.spanId(), null));
    assertThat(exporter.transactions()).isEmpty();
  }

  @Test
  public void withTracingOffATransactionsCallsCarryItsTraceAndRecordNothing() throws Exception {
    HttpClientPeer peer = peer();
    Tracer off = Tracer.builder().exporter(exporter).build();
    C client = client(off);
    Span tx = inTransaction(off, () -> execute(client, get(peer.url("/"))));

    assertThat(sentryTrace(peer.take()).traceId()).isEqualTo(tx.traceId());
    assertThat(exporter.transactions()).isEmpty();
  }

  // ---- the span ----

  @ParameterizedTest
  @CsvSource({"200, OK", "404, NOT_FOUND", "500, INTERNAL_ERROR"})
  public void recordsTheSpanDataAndTheStatusOfTheResponse(int code, SpanStatus status) throws Exception {
    HttpClientPeer peer = peer();
    Tracer tracer = tracing().build();
    C client = client(tracer);
    peer.respond(code);
    Span tx = inTransaction(tracer, () -> assertThat(execute(client, get(peer.url("/v1/orders?id=7&sort=asc")))).isEqualTo(code));

    SpanData span = onlyClientSpan();
    String url = peer.url("/v1/orders");
    assertThat(span.description()).isEqualTo("GET " + url);
    assertThat(span.parentSpanId()).isEqualTo(tx.spanId());
    assertThat(span.status()).isEqualTo(status);
    assertThat(span.data())
        .containsEntry(HttpSpanData.METHOD, "GET")
        .containsEntry(HttpSpanData.URL, url)
        .containsEntry(HttpSpanData.QUERY, "id=7&sort=asc")
        .containsEntry(HttpSpanData.STATUS_CODE, code)
        .containsEntry(HttpSpanData.RESPONSE_CONTENT_LENGTH, 5L)
        .containsKey(HttpSpanData.TIME_TO_FIRST_BYTE);
    assertThat(peer.take().target).isEqualTo("/v1/orders?id=7&sort=asc");
  }

  @Test
  public void aPostIsNamedAfterItsMethodAndHasNoQueryData() throws Exception {
    HttpClientPeer peer = peer();
    Tracer tracer = tracing().build();
    C client = client(tracer);
    peer.respond(201);
    inTransaction(tracer, () -> assertThat(execute(client, newRequest("POST", peer.url("/upload"), List.of(), "x"))).isEqualTo(201));

    SpanData span = onlyClientSpan();
    assertThat(span.description()).isEqualTo("POST " + peer.url("/upload"));
    assertThat(span.data()).containsEntry(HttpSpanData.METHOD, "POST").doesNotContainKey(HttpSpanData.QUERY);
    HttpClientPeer.Received received = peer.take();
    assertThat(received.method).isEqualTo("POST");
    assertThat(received.body).isEqualTo("x");
  }

  @Test
  public void aRefusedConnectionEndsTheSpanWithInternalErrorAndReachesTheCaller() throws Exception {
    Tracer tracer = tracing().build();
    C client = client(tracer);
    String url = "http://127.0.0.1:" + closedPort() + "/";
    Span tx = tracer.startTransaction("checkout", "task");
    CompletableFuture<Integer> async;
    try (Scope scope = tx.makeCurrent()) {
      assertThatThrownBy(() -> execute(client, get(url))).isInstanceOf(Exception.class);
      async = async(client, get(url));
    }
    assertThatThrownBy(() -> await(async)).isInstanceOf(Exception.class);
    tx.finish();

    List<SpanData> spans = exporter.transactions().get(0).spans();
    assertThat(spans).hasSize(2).allSatisfy(span -> {
      assertThat(span.status()).isEqualTo(SpanStatus.INTERNAL_ERROR);
      assertThat(span.data()).doesNotContainKey(HttpSpanData.STATUS_CODE);
    });
  }

  @Test
  public void theSpanLastsUntilASlowlyStreamedBodyIsRead() throws Exception {
    HttpClientPeer peer = peer();
    Tracer tracer = tracing().build();
    C client = client(tracer);
    peer.stream("first chunk,", PAUSE, "second chunk");
    inTransaction(tracer, () -> assertThat(execute(client, get(peer.url("/stream")))).isEqualTo(200));

    SpanData span = onlyClientSpan();
    assertThat(span.duration()).isGreaterThanOrEqualTo(PAUSE);
    assertThat(span.data())
        .containsEntry(HttpSpanData.STATUS_CODE, 200)
        .containsKey(HttpSpanData.TIME_TO_FIRST_BYTE)
        .doesNotContainKey(HttpSpanData.RESPONSE_CONTENT_LENGTH);
  }

  @Test
  public void cancellingAnAsyncCallEndsItsSpanCancelled() throws Exception {
    HttpClientPeer peer = peer();
    Tracer tracer = tracing().build();
    C client = client(tracer);
    CountDownLatch release = new CountDownLatch(1);
    peer.hold(release);
    Span tx = tracer.startTransaction("checkout", "task");
    CompletableFuture<Integer> result = new CompletableFuture<>();
    Cancellable call;
    try (Scope scope = tx.makeCurrent()) {
      call = executeAsync(client, get(peer.url("/slow")), callbackFor(result));
    }
    try {
      peer.take(); // the request is in flight
      call.cancel();
      assertThatThrownBy(() -> await(result)).isInstanceOf(Exception.class);
    } finally {
      release.countDown();
    }
    tx.finish();

    SpanData span = onlyClientSpan();
    assertThat(span.status()).isEqualTo(SpanStatus.CANCELLED);
    assertThat(span.endTimestamp()).isNotNull();
  }

  // ---- headers the request already carries ----

  @Test
  public void mergesTheRequestsOwnBaggageKeepingOtherVendors() throws Exception {
    HttpClientPeer peer = peer();
    Tracer tracer = tracing().build();
    C client = client(tracer);
    Span tx = inTransaction(tracer, () -> execute(client, get(peer.url("/"),
        "baggage", "other-vendor=1,sentry-trace_id=00000000000000000000000000000001,sentry-release=old")));

    String baggage = peer.take().header(Baggage.HEADER);
    Baggage parsed = Baggage.parse(baggage);
    assertThat(baggage).startsWith("other-vendor=1,").doesNotContain("00000000000000000000000000000001").doesNotContain("old");
    assertThat(parsed.get("trace_id")).isEqualTo(tx.traceId().toString());
    assertThat(parsed.get("release")).isEqualTo("shop@1.0");
  }

  /**
   * A request that already carries a {@code baggage} header leaves with one within the W3C limits
   * (64 members, 8192 chars) that keeps Sentry's whole DSC, whatever the existing header holds:
   * the other vendors' members that fit, in their order, then Sentry's; the dropped ones counted in
   * one log line per merge that drops.
   */
  @ParameterizedTest
  @ValueSource(ints = {0, 63, 64, 10_000})
  public void theBaggageSentKeepsSentrysDscWithinTheW3cLimits(int existingMembers) throws Exception {
    HttpClientPeer peer = peer();
    Tracer tracer = tracing().build();
    C client = client(tracer);
    String others = java.util.stream.IntStream.range(0, existingMembers).mapToObj(i -> "m" + i + "=v" + i)
        .collect(java.util.stream.Collectors.joining(","));
    java.util.logging.Logger baggageLogger = java.util.logging.Logger.getLogger(Baggage.class.getName());
    java.util.logging.Level level = baggageLogger.getLevel();
    baggageLogger.setLevel(java.util.logging.Level.ALL); // WARNING the first time, DEBUG after: both counted
    Span tx;
    List<String> dropped;
    try (LogRecords log = LogRecords.asConfigured(Baggage.class.getName())) {
      tx = inTransaction(tracer, () -> assertThat(execute(client,
          existingMembers == 0 ? get(peer.url("/")) : get(peer.url("/"), "baggage", others))).isEqualTo(200));
      dropped = log.records().stream().map(java.util.logging.LogRecord::getMessage).toList();
    } finally {
      baggageLogger.setLevel(level);
    }
    String sent = peer.take().header(Baggage.HEADER);
    assertThat(sent.split(",", -1)).hasSizeLessThanOrEqualTo(Baggage.MAX_MEMBERS);
    assertThat(sent).hasSizeLessThanOrEqualTo(Baggage.MAX_HEADER_LENGTH);
    Baggage dsc = tx.dynamicSamplingContext();
    assertThat(dsc.get("trace_id")).isEqualTo(tx.traceId().toString());
    assertThat(Baggage.parse(sent)).as("every Sentry member").isEqualTo(dsc);
    int kept = Math.min(existingMembers, Baggage.MAX_MEMBERS - dsc.sentryValues().size());
    String keptOthers = java.util.stream.IntStream.range(0, kept).mapToObj(i -> "m" + i + "=v" + i)
        .collect(java.util.stream.Collectors.joining(","));
    assertThat(sent).isEqualTo(kept == 0 ? dsc.toHeader() : keptOthers + "," + dsc.toHeader());
    assertThat(dropped).hasSize(existingMembers > kept ? 1 : 0)
        .allSatisfy(m -> assertThat(m).contains((existingMembers - kept) + " of the outgoing request's other members"));
  }

  @Test
  public void readsRepeatedBaggageLinesAsOneList() throws Exception {
    HttpClientPeer peer = peer();
    Tracer tracer = tracing().build();
    C client = client(tracer);
    Span tx = inTransaction(tracer, () -> execute(client, get(peer.url("/"), "baggage", "a=1", "baggage", "b=2")));

    assertThat(peer.take().header(Baggage.HEADER)).startsWith("a=1,b=2,sentry-trace_id=" + tx.traceId());
  }

  @Test
  public void sendingTheSameRequestTwiceNeverGrowsItsHeaders() throws Exception {
    HttpClientPeer peer = peer();
    Tracer tracer = tracing().build();
    C client = client(tracer);
    R request = get(peer.url("/"), "baggage", "vendor=1");
    inTransaction(tracer, () -> {
      execute(client, request);
      execute(client, request);
    });

    List<SpanData> spans = exporter.transactions().get(0).spans();
    assertThat(spans).hasSize(2);
    for (SpanData span : spans) {
      HttpClientPeer.Received received = peer.take();
      assertThat(sentryTrace(received).spanId()).isEqualTo(span.spanId());
      assertThat(received.header(Baggage.HEADER))
          .startsWith("vendor=1,sentry-")
          .satisfies(b -> assertThat(b.split("vendor=1", -1)).hasSize(2))
          .satisfies(b -> assertThat(b.split("sentry-trace_id=", -1)).hasSize(2));
    }
  }

  @Test
  public void keepsASentryTraceTheUserSetAndAddsNoBaggage() throws Exception {
    HttpClientPeer peer = peer();
    Tracer tracer = tracing().build();
    C client = client(tracer);
    inTransaction(tracer, () -> execute(client, get(peer.url("/"), "sentry-trace", USER_TRACE)));

    HttpClientPeer.Received received = peer.take();
    assertThat(received.values(SentryTrace.HEADER)).containsExactly(USER_TRACE);
    assertThat(received.values(Baggage.HEADER)).isEmpty();
    onlyClientSpan();
  }

  // ---- suppression ----

  @Test
  public void callsMadeWhileSuppressedAreNotTraced() throws Exception {
    HttpClientPeer peer = peer();
    Tracer tracer = tracing().build();
    C client = client(tracer);
    Span tx = inTransaction(tracer, () -> {
      CompletableFuture<Integer> call;
      try (Scope quiet = Instrumentation.suppress()) {
        execute(client, get(peer.url("/sync")));
        call = async(client, get(peer.url("/async")));
      }
      await(call);
      execute(client, get(peer.url("/after")));
    });

    for (HttpClientPeer.Received quiet : List.of(peer.take(), peer.take())) {
      assertUntraced(quiet);
      assertThat(quiet.values(Baggage.HEADER)).isEmpty();
    }
    assertThat(sentryTrace(peer.take()).traceId()).as("traced again once the scope closed").isEqualTo(tx.traceId());
    assertThat(onlyClientSpan().description()).isEqualTo("GET " + peer.url("/after"));
  }

  // ---- a broken tracer never breaks the call ----

  @Test
  public void aTracerThatBreaksBeforeTheRequestLetsItGoOutUnchanged() throws Exception {
    HttpClientPeer peer = peer();
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).clock(breakingAfter(1)).build();
    C client = client(tracer);
    Span tx = tracer.startTransaction("checkout", "task"); // the one good reading
    try (LogRecords log = LogRecords.asConfigured("io.sentrytrace"); Scope scope = tx.makeCurrent()) {
      assertThat(execute(client, get(peer.url("/sync"), "baggage", "vendor=1"))).isEqualTo(200);
      assertThat(await(async(client, get(peer.url("/async"), "baggage", "vendor=1"))))
          .isEqualTo(200);
      assertOnlyReports(log, "clock broke");
    }

    for (int i = 0; i < 2; i++) {
      HttpClientPeer.Received received = peer.take();
      assertUntraced(received);
      assertThat(received.values(Baggage.HEADER)).containsExactly("vendor=1");
    }
  }

  @Test
  public void aTracerThatBreaksWhenTheResponseArrivesStillReturnsIt() throws Exception {
    HttpClientPeer peer = peer();
    // Readings: the transaction's start, the child's start; the child's end throws.
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).clock(breakingAfter(2)).build();
    C client = client(tracer);
    peer.respond(404);
    Span tx = tracer.startTransaction("checkout", "task");
    try (LogRecords log = LogRecords.asConfigured("io.sentrytrace"); Scope scope = tx.makeCurrent()) {
      assertThat(execute(client, get(peer.url("/")))).isEqualTo(404);
      assertOnlyReports(log, "clock broke");
    }

    assertThat(sentryTrace(peer.take()).traceId()).isEqualTo(tx.traceId());
  }

  @Test
  public void aThrowingExporterOrSamplerNeverFailsTheCall() throws Exception {
    HttpClientPeer peer = peer();
    AtomicInteger exports = new AtomicInteger();
    SpanExporter broken = new SpanExporter() {
      @Override
      public void export(TransactionData transaction) {
        exports.incrementAndGet();
        throw new IllegalStateException("exporter broke");
      }

      @Override
      public boolean flush(Duration timeout) {
        return true;
      }

      @Override
      public void close() {}
    };
    Tracer brokenExporter = Tracer.builder().tracesSampleRate(1.0).exporter(broken).build();
    Tracer brokenSampler = Tracer.builder().tracesSampler(context -> {
      throw new IllegalStateException("sampler broke");
    }).build();
    for (Tracer tracer : List.of(brokenExporter, brokenSampler)) {
      try (LogRecords log = LogRecords.asConfigured("io.sentrytrace")) {
        C client = client(tracer);
        Span tx = inTransaction(tracer, () -> {
          assertThat(execute(client, get(peer.url("/sync")))).isEqualTo(200);
          assertThat(await(async(client, get(peer.url("/async"))))).isEqualTo(200);
        });
        assertThat(sentryTrace(peer.take()).traceId()).isEqualTo(tx.traceId());
        assertThat(sentryTrace(peer.take()).traceId()).isEqualTo(tx.traceId());
        assertOnlyReports(log, tracer == brokenExporter ? "exporter broke" : "sampler broke");
      }
    }
    assertThat(exports).hasValue(1);
  }

  /**
   * What the library logged while a test broke it on purpose: only the failure provoked. Each is
   * logged at WARNING once per JVM (or per tracer), later at DEBUG: another test may have been first.
   */
  private static void assertOnlyReports(LogRecords log, String cause) {
    assertThat(log.lines()).allSatisfy(line -> assertThat(line).contains(cause));
  }
}
