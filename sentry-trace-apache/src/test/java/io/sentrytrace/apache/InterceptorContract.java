package io.sentrytrace.apache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentrytrace.Baggage;
import io.sentrytrace.Scope;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Span;
import io.sentrytrace.SpanData;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import io.sentrytrace.testing.InMemorySpanExporter;
import io.sentrytrace.test.LogRecords;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.message.BasicHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What is particular to the Apache interceptors, the same for the classic and the async client
 * (where it is registered, the context's parent attribute, the caller's request object, failures):
 * each subclass runs these tests against its client, with real servers on 127.0.0.1. The rules
 * every client keeps are {@code HttpClientContract}'s, run by the {@code *ClientContractTest}s.
 */
@SuppressWarnings("try") // scopes are opened for their effect on the current span
abstract class InterceptorContract {
  /** One of the tracer's propagation targets. */
  MockWebServer target;
  /** Not a target. */
  MockWebServer other;
  InMemorySpanExporter exporter;
  Tracer tracer;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  abstract TestClient client(Tracer tracer, TestClient.Position position);

  /** A client whose transport, below the interceptor, fails every call with {@code failure}. */
  abstract TestClient failingClient(Tracer tracer, IOException failure);

  /** The interceptor's class, which names its logger. */
  abstract Class<?> interceptorType();

  @BeforeEach
  void startServers() throws IOException {
    target = new MockWebServer();
    target.start(InetAddress.getByName("127.0.0.1"), 0);
    other = new MockWebServer();
    other.start(InetAddress.getByName("127.0.0.1"), 0);
    exporter = new InMemorySpanExporter();
    tracer = tracingTracer(exporter);
  }

  @AfterEach
  void stopServers() throws Exception {
    for (AutoCloseable c : closeables) c.close();
    target.close();
    other.close();
  }

  Tracer tracingTracer(InMemorySpanExporter exporter) {
    return Tracer.builder().tracesSampleRate(1.0).exporter(exporter).tracePropagationTargets(List.of(base(target))).build();
  }

  static String base(MockWebServer server) {
    return "http://127.0.0.1:" + server.getPort() + "/";
  }

  TestClient client(TestClient.Position position) {
    TestClient client = client(tracer, position);
    closeables.add(client);
    return client;
  }

  TestClient client() {
    return client(TestClient.Position.FIRST);
  }

  static MockResponse ok(String body) {
    return new MockResponse.Builder().code(200).body(body).build();
  }

  static MockResponse redirectTo(String location) {
    return new MockResponse.Builder().code(302).setHeader("Location", location).build();
  }

  static RecordedRequest take(MockWebServer server) throws InterruptedException {
    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request).as("request received by the server").isNotNull();
    return request;
  }

  static List<String> header(RecordedRequest request, String name) {
    return request.getHeaders().values(name);
  }

  static SentryTrace sentryTrace(RecordedRequest request) {
    List<String> values = header(request, SentryTrace.HEADER);
    assertThat(values).as("sentry-trace headers").hasSize(1);
    return SentryTrace.parse(values.get(0)).orElseThrow();
  }

  /** Runs {@code call} under a new current transaction and returns the exported transaction. */
  TransactionData underTransaction(ThrowingConsumer<Span> call) throws Exception {
    exporter.reset();
    Span tx = tracer.startTransaction("test", "test");
    try (Scope ignored = tx.makeCurrent()) {
      call.accept(tx);
    } finally {
      tx.finish();
    }
    List<TransactionData> exported = exporter.await(1, java.time.Duration.ofSeconds(5));
    assertThat(exported).hasSize(1);
    return exported.get(0);
  }

  interface ThrowingConsumer<T> {
    void accept(T t) throws Exception;
  }

  // ---- which requests get headers ----

  @Test
  void redirectFromTargetToNonTargetCarriesNoTraceHeaders() throws Exception {
    // target -> other -> target: registered first, only the call's own first hop gets our headers.
    target.enqueue(redirectTo(base(other) + "b"));
    other.enqueue(redirectTo(base(target) + "c"));
    target.enqueue(ok("done"));
    TestClient client = client();
    TransactionData tx = underTransaction(span -> assertThat(client.execute(client.newRequest("GET", base(target) + "a"), null)).isEqualTo(200));

    RecordedRequest first = take(target);
    RecordedRequest atOther = take(other);
    RecordedRequest back = take(target);
    assertThat(sentryTrace(first).spanId()).isEqualTo(tx.spans().get(0).spanId());
    assertThat(header(atOther, SentryTrace.HEADER)).isEmpty();
    assertThat(header(atOther, Baggage.HEADER)).isEmpty();
    assertThat(header(back, SentryTrace.HEADER)).as("redirect hops are rebuilt from the caller's request").isEmpty();
    assertThat(tx.spans()).as("one span per call").singleElement().satisfies(span -> {
      assertThat(span.data()).containsEntry("url", base(target) + "a").containsEntry("http.response.status_code", 200);
    });
  }

  @Test
  void perHopRegistrationDecidesEveryRedirectHopOnItsOwn() throws Exception {
    target.enqueue(redirectTo(base(other) + "b"));
    other.enqueue(redirectTo(base(target) + "c"));
    target.enqueue(ok("done"));
    TestClient client = client(TestClient.Position.PER_HOP);
    TransactionData tx = underTransaction(span -> assertThat(client.execute(client.newRequest("GET", base(target) + "a"), null)).isEqualTo(200));

    RecordedRequest first = take(target);
    RecordedRequest atOther = take(other);
    RecordedRequest back = take(target);
    assertThat(header(atOther, SentryTrace.HEADER)).isEmpty();
    assertThat(header(atOther, Baggage.HEADER)).isEmpty();
    assertThat(tx.spans()).as("one span per attempt").hasSize(3);
    assertThat(tx.spans()).extracting(SpanData::parentSpanId).containsOnly(tx.root().spanId());
    assertThat(tx.spans()).extracting(s -> s.data().get("url"))
        .containsExactlyInAnyOrder(base(target) + "a", base(other) + "b", base(target) + "c");
    assertThat(sentryTrace(first).spanId()).isEqualTo(spanWithUrl(tx, base(target) + "a").spanId());
    assertThat(sentryTrace(back).spanId()).isEqualTo(spanWithUrl(tx, base(target) + "c").spanId());
    assertThat(header(back, Baggage.HEADER)).singleElement().asString().contains("sentry-trace_id=" + tx.root().traceId());
  }

  static SpanData spanWithUrl(TransactionData tx, String url) {
    return tx.spans().stream().filter(s -> url.equals(s.data().get("url"))).findFirst().orElseThrow();
  }

  // ---- headers the caller set ----

  @Test
  void sameRequestObjectSentTwiceNeitherGrowsNorRepeatsAStaleTrace() throws Exception {
    target.enqueue(ok("1"));
    target.enqueue(ok("2"));
    TestClient client = client();
    HttpRequest request = client.newRequest("GET", base(target));
    request.addHeader(Baggage.HEADER, "vendor=1");
    TransactionData tx = underTransaction(span -> {
      client.execute(request, null);
      client.execute(request, null);
    });

    RecordedRequest first = take(target);
    RecordedRequest second = take(target);
    assertThat(tx.spans()).hasSize(2);
    assertThat(List.of(sentryTrace(first).spanId(), sentryTrace(second).spanId()))
        .containsExactlyInAnyOrderElementsOf(tx.spans().stream().map(SpanData::spanId).toList());
    assertThat(sentryTrace(first).spanId()).isNotEqualTo(sentryTrace(second).spanId());
    assertThat(header(second, Baggage.HEADER)).singleElement().asString().startsWith("vendor=1,");
    assertThat(request.getHeaders(SentryTrace.HEADER)).as("the caller's request is not changed").isEmpty();
    assertThat(request.getHeaders(Baggage.HEADER)).extracting(Header::getValue).containsExactly("vendor=1");
  }

  // ---- the span ----

  @Test
  void callFailureReachesTheCallerUnchanged() throws Exception {
    IOException failure = new IOException("transport broke");
    TestClient client = failingClient(tracer, failure);
    closeables.add(client);
    TransactionData tx = underTransaction(span ->
        assertThatThrownBy(() -> client.execute(client.newRequest("GET", base(target)), null)).isSameAs(failure));

    assertThat(tx.spans()).singleElement().extracting(SpanData::status).isEqualTo(SpanStatus.INTERNAL_ERROR);
  }

  // ---- the parent ----

  @Test
  void parentFromContextAttributeWinsOverCurrentSpan() throws Exception {
    target.enqueue(ok("hi"));
    TestClient client = client();
    Span explicit = tracer.startTransaction("explicit", "test");
    TransactionData current = underTransaction(span -> {
      HttpClientContext context = HttpClientContext.create();
      context.setAttribute(TracingExecInterceptor.PARENT_SPAN, explicit);
      client.execute(client.newRequest("GET", base(target)), context);
    });
    explicit.finish();

    assertThat(current.spans()).as("nothing under the current span").isEmpty();
    TransactionData explicitTx = exporter.await(2, java.time.Duration.ofSeconds(5)).stream()
        .filter(t -> t.name().equals("explicit")).findFirst().orElseThrow();
    assertThat(explicitTx.spans()).singleElement().extracting(SpanData::parentSpanId).isEqualTo(explicit.spanId());
    assertThat(sentryTrace(take(target)).traceId()).isEqualTo(explicit.traceId());
  }

  // ---- never throws ----

  @Test
  void instrumentationFailureIsLoggedOnceAndTheRequestGoesOutUnchanged() throws Exception {
    target.enqueue(ok("1"));
    target.enqueue(ok("2"));
    List<LogRecord> warnings;
    // The warning is expected: kept out of the build log, and asserted.
    try (LogRecords log = LogRecords.asConfigured(interceptorType().getName())) {
      TestClient client = client();
      for (int i = 0; i < 2; i++) {
        HttpRequest request = client.newRequest("GET", base(target));
        request.addHeader(failingOnFirstRead(Baggage.HEADER, "vendor=1"));
        assertThat(client.execute(request, null)).isEqualTo(200);
      }
      warnings = log.records().stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue()).toList();
    }

    for (int i = 0; i < 2; i++) {
      RecordedRequest received = take(target);
      assertThat(header(received, SentryTrace.HEADER)).as("sentry-trace was set on our copy before the failure").isEmpty();
      assertThat(header(received, Baggage.HEADER)).containsExactly("vendor=1");
    }
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).getThrown()).isInstanceOf(IllegalStateException.class);
  }

  /** A header whose value cannot be read the first time, as a lazily computed header may. */
  static Header failingOnFirstRead(String name, String value) {
    AtomicInteger reads = new AtomicInteger();
    return new BasicHeader(name, value) {
      @Override
      public String getValue() {
        if (reads.getAndIncrement() == 0) throw new IllegalStateException("value not ready");
        return super.getValue();
      }
    };
  }
}
