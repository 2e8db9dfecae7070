package io.sentrytrace.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import io.sentrytrace.Baggage;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Span;
import io.sentrytrace.SpanData;
import io.sentrytrace.SpanId;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.TraceId;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import io.sentrytrace.testing.InMemorySpanExporter;
import io.sentrytrace.jdkhttp.TracingFilter;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The trace a browser starts reaches a downstream service through a traced JDK server and each
 * traced client: browser -> frontend-api ({@link TracingFilter}) -> client -> downstream, all on
 * 127.0.0.1. What the downstream receives is checked against what the frontend-api exported.
 */
class BrowserToDownstreamTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  private static final String BROWSER_TRACE_ID = "5b8efff798038103d269b633813fc60c";
  private static final String BROWSER_SPAN_ID = "eee19b7ec3c1b174";
  private static final String BROWSER_SENTRY_TRACE = BROWSER_TRACE_ID + "-" + BROWSER_SPAN_ID + "-1";
  /** As @sentry/browser 11 sends it, after another vendor's member. */
  private static final String BROWSER_BAGGAGE =
      "vendor=x,sentry-environment=production,sentry-release=frontend%401.0.0,"
          + "sentry-public_key=49d0f7386ad645858ae85020e393bef3,sentry-trace_id=" + BROWSER_TRACE_ID + ","
          + "sentry-sample_rate=1,sentry-transaction=%2Fcheckout,sentry-sampled=true,sentry-sample_rand=0.123456";

  /** The test's own browser stand-in: not traced. */
  private static final HttpClient BROWSER =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(WAIT).build();

  private final InMemorySpanExporter exporter = new InMemorySpanExporter();
  /** The frontend-api's transaction, as its handler saw it. */
  private final AtomicReference<Span> serverSpan = new AtomicReference<>();
  private RecordingServer downstream;
  private HttpServer upstream;
  private TracedClient client;
  /** What the downstream got, set by {@link #receivedTrace()}. */
  private RecordingServer.Received received;

  static Stream<Named<TracedClient.Factory>> clients() {
    return Stream.of(
        Named.of("OkHttp execute", TracedClient::okHttpExecute),
        Named.of("OkHttp enqueue", TracedClient::okHttpEnqueue),
        Named.of("Apache classic", TracedClient::apacheClassic),
        Named.of("Apache async", TracedClient::apacheAsync),
        Named.of("JDK send", TracedClient::jdkSend),
        Named.of("JDK sendAsync", TracedClient::jdkSendAsync));
  }

  @BeforeEach
  void startDownstream() throws Exception {
    downstream = new RecordingServer();
  }

  @AfterEach
  void stop() {
    if (upstream != null) upstream.stop(0);
    if (client != null) client.close();
    downstream.close();
  }

  @ParameterizedTest
  @MethodSource("clients")
  void downstreamContinuesTheBrowserTraceUnderTheClientSpan(TracedClient.Factory factory) throws Exception {
    startUpstream(1.0, factory);

    HttpResponse<String> response = browserRequest(BROWSER_SENTRY_TRACE, BROWSER_BAGGAGE);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    SentryTrace received = receivedTrace();
    assertThat(received.traceId()).isEqualTo(TraceId.fromHex(BROWSER_TRACE_ID));
    assertThat(received.sampled()).isTrue();

    List<TransactionData> exported = exporter.await(1, WAIT);
    assertThat(exported).hasSize(1);
    TransactionData tx = exported.get(0);
    SpanData server = tx.root();
    assertThat(server.op()).isEqualTo("http.server");
    assertThat(server.traceId()).isEqualTo(received.traceId());
    assertThat(server.parentSpanId()).isEqualTo(SpanId.fromHex(BROWSER_SPAN_ID));
    assertThat(tx.release()).isEqualTo("frontend-api@1");
    assertThat(tx.spans()).hasSize(1);
    SpanData call = tx.spans().get(0);
    assertThat(call.op()).isEqualTo("http.client");
    assertThat(call.description()).isEqualTo("GET " + downstream.url("/inventory"));
    assertThat(call.status()).isEqualTo(SpanStatus.OK);
    assertThat(call.traceId()).isEqualTo(server.traceId());
    assertThat(call.parentSpanId()).isEqualTo(server.spanId());
    assertThat(received.spanId()).isEqualTo(call.spanId());

    assertForwardsTheBrowserDsc();
    assertThat(tx.dynamicSamplingContext().sentryValues()).isEqualTo(Baggage.parse(BROWSER_BAGGAGE).sentryValues());
  }

  @ParameterizedTest
  @MethodSource("clients")
  void withTracingOffDownstreamStillGetsTheBrowserTrace(TracedClient.Factory factory) throws Exception {
    startUpstream(null, factory);

    HttpResponse<String> response = browserRequest(BROWSER_SENTRY_TRACE, BROWSER_BAGGAGE);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    SentryTrace received = receivedTrace();
    assertThat(received.traceId()).isEqualTo(TraceId.fromHex(BROWSER_TRACE_ID));
    assertThat(received.sampled()).isTrue();
    assertThat(received.spanId()).as("the frontend-api's span, not the browser's").isNotEqualTo(SpanId.fromHex(BROWSER_SPAN_ID));
    assertForwardsTheBrowserDsc();

    // Nothing can be exported once the server transaction has finished.
    Span tx = awaitServerSpanFinished();
    assertThat(tx.isRecording()).isFalse();
    assertThat(exporter.transactions()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("clients")
  void garbageHeadersStartANewTraceThatReachesDownstream(TracedClient.Factory factory) throws Exception {
    startUpstream(1.0, factory);

    // A broken sentry-trace: its baggage (naming the browser's trace) must not be adopted either.
    HttpResponse<String> response = browserRequest(
        "not-a-trace-" + BROWSER_SPAN_ID + "-1",
        "vendor=x,sentry-trace_id=" + BROWSER_TRACE_ID + ",sentry-release=frontend%401.0.0,sentry-sampled=false");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    SentryTrace received = receivedTrace();
    assertThat(received.traceId()).isNotEqualTo(TraceId.fromHex(BROWSER_TRACE_ID));
    assertThat(received.sampled()).isTrue();

    List<TransactionData> exported = exporter.await(1, WAIT);
    assertThat(exported).hasSize(1);
    TransactionData tx = exported.get(0);
    assertThat(tx.root().traceId()).isEqualTo(received.traceId());
    assertThat(tx.root().parentSpanId()).as("the frontend-api heads the trace").isNull();
    assertThat(tx.spans()).extracting(SpanData::spanId).containsExactly(received.spanId());

    Baggage dsc = Baggage.parse(receivedBaggage());
    assertThat(dsc.get("trace_id")).isEqualTo(received.traceId().toString());
    assertThat(dsc.get("release")).isEqualTo("frontend-api@1");
    assertThat(dsc.get("sampled")).isEqualTo("true");
    assertThat(dsc).isEqualTo(tx.dynamicSamplingContext());
    assertThat(members(receivedBaggage())).doesNotContain("vendor=x");
  }

  /**
   * The frontend-api: {@link TracingFilter} in front of a handler that calls the downstream
   * with {@code factory}'s client on its own thread, and answers 200 when that call got a 200.
   */
  private void startUpstream(Double tracesSampleRate, TracedClient.Factory factory) throws Exception {
    Tracer tracer = Tracer.builder()
        .tracesSampleRate(tracesSampleRate)
        .release("frontend-api@1")
        .tracePropagationTargets(List.of(downstream.target()))
        .exporter(exporter)
        .build();
    client = factory.open(tracer);
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    HttpContext context = upstream.createContext("/checkout", exchange -> {
      try (exchange) {
        serverSpan.set((Span) exchange.getAttribute(TracingFilter.SPAN_ATTRIBUTE));
        int code;
        String body;
        try {
          code = client.get(downstream.url("/inventory"));
          body = "downstream answered " + code;
        } catch (Exception e) {
          code = 0;
          body = "downstream call failed: " + e;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(code == 200 ? 200 : 502, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    });
    context.getFilters().add(TracingFilter.create(tracer));
    upstream.start();
  }

  private HttpResponse<String> browserRequest(String sentryTrace, String baggage) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + upstream.getAddress().getPort() + "/checkout");
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(WAIT)
        .header("sentry-trace", sentryTrace)
        .header("baggage", baggage)
        .GET()
        .build();
    return BROWSER.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** The downstream got exactly one request, with one valid sentry-trace; its value. */
  private SentryTrace receivedTrace() throws InterruptedException {
    received = downstream.take();
    assertThat(received).as("a request reached the downstream").isNotNull();
    assertThat(received.path).isEqualTo("/inventory");
    assertThat(downstream.rest()).as("no other request reached the downstream").isEmpty();
    assertThat(received.sentryTrace).hasSize(1);
    String value = received.sentryTrace.get(0);
    assertThat(value).matches("[0-9a-f]{32}-[0-9a-f]{16}-1");
    return SentryTrace.parse(value).orElseThrow();
  }

  private String receivedBaggage() {
    assertThat(received.baggage).as("one baggage header").hasSize(1);
    return received.baggage.get(0);
  }

  /** The browser's frozen DSC, unchanged; the other vendor's member stays with the incoming request. */
  private void assertForwardsTheBrowserDsc() {
    String baggage = receivedBaggage();
    assertThat(Baggage.parse(baggage).sentryValues()).isEqualTo(Baggage.parse(BROWSER_BAGGAGE).sentryValues());
    assertThat(members(baggage)).doesNotContain("vendor=x");
  }

  private static List<String> members(String baggage) {
    return Arrays.stream(baggage.split(",")).map(String::trim).collect(Collectors.toList());
  }

  /** The filter finishes the transaction after the response went out: wait for it, bounded. */
  private Span awaitServerSpanFinished() throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    Span span = serverSpan.get();
    while ((span == null || !span.isFinished()) && System.nanoTime() < deadline) {
      Thread.sleep(5);
      span = serverSpan.get();
    }
    assertThat(span).as("the handler saw its transaction").isNotNull();
    assertThat(span.isFinished()).as("the server transaction finished").isTrue();
    return span;
  }
}
