package io.sentrytrace.agentit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sentry.JsonSerializer;
import io.sentry.SentryEnvelope;
import io.sentry.SentryEnvelopeItem;
import io.sentry.SentryOptions;
import io.sentry.protocol.SentryTransaction;
import io.sentrytrace.Baggage;
import io.sentrytrace.envelope.FakeSentry;
import io.sentrytrace.envelope.ReceivedEnvelope;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Spring WebFlux service (Reactor Netty server, {@code WebClient}, a hop to another thread between
 * them) under the stock agent 2.31.1 with only the extension and a DSN (issue 23): it continues a
 * browser's trace, starts its own, passes both on downstream and reports each request as one
 * transaction named by its route; under 300 concurrent requests no call carries another request's
 * trace. The downstream is a JDK server in this JVM that records what it got.
 */
class WebFluxAgentIT {
  private static final String BROWSER_TRACE = "771a43a4192642f0b136d5159a501700";
  private static final String BROWSER_SPAN = "b0e6f15b45c36b12";
  private static final String BROWSER_BAGGAGE = browserBaggage(BROWSER_TRACE);
  private static final int CONCURRENT = 300;
  /**
   * The downstream holds the first calls until this many are in flight at once: well under the 16
   * connections of Reactor Netty's default pool, so the wait only proves overlap.
   */
  private static final int IN_FLIGHT = 8;
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  /** One call the downstream got: the app's {@code ref} query parameter and the trace headers. */
  record Call(String ref, String sentryTrace, String baggage, String traceparent) {
    String sentryTraceId() {
      return sentryTrace == null ? null : sentryTrace.substring(0, 32);
    }

    String sentryTraceSpan() {
      return sentryTrace == null ? null : sentryTrace.substring(33, 49);
    }
  }

  @TempDir Path dir;
  private FakeSentry sentry;
  private HttpServer downstream;
  private ExecutorService downstreamThreads;
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private volatile CountDownLatch together = new CountDownLatch(0);
  private AgentRun app;
  private int port;

  @BeforeEach
  void start() throws Exception {
    sentry = FakeSentry.start();
    // Room for the burst: a backlog and threads for many connections at once.
    downstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    downstreamThreads = Executors.newFixedThreadPool(2 * IN_FLIGHT);
    downstream.setExecutor(downstreamThreads);
    downstream.createContext("/inventory", this::record);
    downstream.start();
    // A batch every 500 ms instead of 5 s: the waits for transactions end sooner.
    app = AgentRun.start(dir, sentry, "orders", List.of("otel.bsp.schedule.delay=500"), WebFluxApp.class, downstreamUrl());
    port = app.awaitPort(DEADLINE);
  }

  @AfterEach
  void stop() {
    if (app != null) app.close();
    if (downstream != null) downstream.stop(0);
    if (downstreamThreads != null) downstreamThreads.shutdownNow();
    if (sentry != null) sentry.close();
  }

  @Test
  void continuesTheBrowsersTraceAndStartsItsOwnAcrossTheThreadHop() throws Exception {
    HttpClient browser = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> continued = browser.send(
        HttpRequest.newBuilder(orders(7, null))
            .header("sentry-trace", BROWSER_TRACE + "-" + BROWSER_SPAN + "-1")
            .header("baggage", BROWSER_BAGGAGE)
            .timeout(DEADLINE)
            .build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> started =
        browser.send(HttpRequest.newBuilder(orders(8, null)).timeout(DEADLINE).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(List.of(continued.body(), started.body())).as(app.output()).containsOnly("downstream said 200");

    // Delivered while the app runs; then SIGTERM: the agent's shutdown flushes what else it has
    // (the exporter's own POSTs to Sentry, were they traced, would show up as more transactions).
    assertThat(AgentRun.transactions(sentry, 2, DEADLINE)).as(app.output()).hasSize(2);
    app.stop();
    String output = app.output();
    List<FakeSentry.Request> requests = sentry.requests();
    List<ReceivedEnvelope> transactions = AgentRun.transactions(sentry, 2, Duration.ZERO);
    assertThat(transactions.stream().map(e -> e.payload.get("transaction") + " " + e.traceContext().get("trace_id")))
        .as(output).hasSize(2);
    assertThat(calls).as(output).hasSize(2);
    Map<String, ReceivedEnvelope> byTrace = byTrace(transactions);
    Call continuedCall = calls.stream().filter(c -> c.ref().isEmpty() && BROWSER_TRACE.equals(c.sentryTraceId()))
        .findFirst().orElseThrow(() -> new AssertionError(calls + "\n" + output));
    Call startedCall = calls.get(calls.get(0) == continuedCall ? 1 : 0);

    // 1. The browser's trace: continued, its span the parent, its DSC frozen, named by the route.
    ReceivedEnvelope first = byTrace.get(BROWSER_TRACE);
    assertThat(first).as(output).isNotNull();
    assertThat(first.traceContext()).containsEntry("parent_span_id", BROWSER_SPAN).containsEntry("op", "http.server");
    assertThat(first.payload).containsEntry("transaction", "GET /orders/{id}")
        .containsEntry("transaction_info", Map.of("source", "route"));
    assertThat(first.dsc()).isEqualTo(Baggage.parse(BROWSER_BAGGAGE).sentryValues());
    Map<String, Object> clientSpan = clientSpan(first);
    assertThat(continuedCall.sentryTrace()).isEqualTo(BROWSER_TRACE + "-" + clientSpan.get("span_id") + "-1");
    assertThat(Baggage.parse(continuedCall.baggage()).sentryValues()).isEqualTo(first.dsc());
    assertThat(continuedCall.traceparent()).startsWith("00-" + BROWSER_TRACE + "-" + clientSpan.get("span_id") + "-");

    // 2. No headers: a trace of this service, its DSC from this service's DSN and sampler.
    String trace = startedCall.sentryTraceId();
    assertThat(trace).isNotEqualTo(BROWSER_TRACE);
    ReceivedEnvelope second = byTrace.get(trace);
    assertThat(second).as(output).isNotNull();
    assertThat(second.traceContext()).doesNotContainKey("parent_span_id").containsEntry("op", "http.server");
    assertThat(second.payload).containsEntry("transaction", "GET /orders/{id}");
    assertThat(second.dsc())
        .containsEntry("trace_id", trace)
        .containsEntry("public_key", FakeSentry.PUBLIC_KEY)
        .containsEntry("sample_rate", "1")
        .containsEntry("sampled", "true")
        .containsKey("sample_rand");
    assertThat(startedCall.sentryTrace()).isEqualTo(trace + "-" + clientSpan(second).get("span_id") + "-1");
    assertThat(Baggage.parse(startedCall.baggage()).sentryValues()).isEqualTo(second.dsc());
    assertThat(startedCall.traceparent()).contains(trace);

    // 3. Sentry's own SDK reads the same envelopes.
    JsonSerializer serializer = new JsonSerializer(new SentryOptions());
    Map<String, SentryTransaction> read = new HashMap<>();
    for (FakeSentry.Request r : requests) {
      SentryEnvelope envelope = serializer.deserializeEnvelope(new ByteArrayInputStream(r.body));
      assertThat(envelope).as(new String(r.body, StandardCharsets.UTF_8)).isNotNull();
      for (SentryEnvelopeItem item : envelope.getItems()) {
        SentryTransaction tx = item.getTransaction(serializer);
        if (tx != null) read.put(tx.getContexts().getTrace().getTraceId().toString(), tx);
      }
      assertThat(envelope.getHeader().getTraceContext()).isNotNull();
    }
    assertThat(read).containsOnlyKeys(BROWSER_TRACE, trace);
    for (SentryTransaction tx : read.values()) {
      assertThat(tx.getTransaction()).isEqualTo("GET /orders/{id}");
      // TransactionInfo has no getter: what sentry-java read shows in what it writes back.
      StringWriter written = new StringWriter();
      serializer.serialize(tx, written);
      assertThat(written.toString()).contains("\"transaction_info\":{\"source\":\"route\"}");
      assertThat(tx.getSpans()).anySatisfy(s -> assertThat(s.getOp()).isEqualTo("http.client"));
    }
    assertThat(read.get(BROWSER_TRACE).getContexts().getTrace().getParentSpanId().toString()).isEqualTo(BROWSER_SPAN);

    assertQuiet(output);
  }

  @Test
  void concurrentRequestsEachKeepTheirOwnTrace() throws Exception {
    CountDownLatch together = new CountDownLatch(IN_FLIGHT);
    this.together = together;
    List<String> traces = new ArrayList<>();
    for (int i = 0; i < CONCURRENT; i++) traces.add(HexFormat.of().formatHex(randomBytes(16)));
    HttpClient browser = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < CONCURRENT; i++) {
      String trace = traces.get(i);
      responses.add(browser.sendAsync(
          HttpRequest.newBuilder(orders(i, trace))
              .header("sentry-trace", trace + "-" + HexFormat.of().formatHex(randomBytes(8)) + "-1")
              .header("baggage", browserBaggage(trace))
              .timeout(DEADLINE)
              .build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    for (CompletableFuture<HttpResponse<String>> r : responses) {
      assertThat(r.join().body()).as(app.output()).isEqualTo("downstream said 200");
    }

    assertThat(together.getCount()).as("calls in flight at once, short of %s", IN_FLIGHT).isZero();
    // Each call carried the trace of the request that made it, in all three headers, once.
    assertThat(calls).hasSize(CONCURRENT);
    for (Call c : calls) {
      assertThat(c.sentryTraceId()).as("sentry-trace of %s", c).isEqualTo(c.ref());
      assertThat(c.traceparent()).as("traceparent of %s", c).startsWith("00-" + c.ref() + "-" + c.sentryTraceSpan() + "-");
      assertThat(Baggage.parse(c.baggage()).sentryValues()).as("baggage of %s", c).isEqualTo(Baggage.parse(browserBaggage(c.ref())).sentryValues());
    }
    assertThat(calls.stream().map(Call::ref).distinct()).containsExactlyInAnyOrderElementsOf(traces);

    // One transaction per request, each with the client span whose id went downstream, and no other.
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!byTrace(AgentRun.transactions(sentry, 0, Duration.ZERO)).keySet().containsAll(traces) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    app.stop(); // flushes whatever else the agent has
    Map<String, ReceivedEnvelope> byTrace = byTrace(AgentRun.transactions(sentry, 0, Duration.ZERO));
    Map<String, ReceivedEnvelope> others = new HashMap<>(byTrace);
    others.keySet().removeAll(traces);
    assertThat(others.values().stream().map(e -> e.payload.get("transaction") + " " + e.traceContext()))
        .as("transactions of no request's trace").isEmpty();
    assertThat(byTrace.keySet()).as(app.output()).containsExactlyInAnyOrderElementsOf(traces);
    for (Call c : calls) {
      ReceivedEnvelope tx = byTrace.get(c.ref());
      assertThat(tx.payload).containsEntry("transaction", "GET /orders/{id}");
      assertThat(tx.dsc()).isEqualTo(Baggage.parse(browserBaggage(c.ref())).sentryValues());
      assertThat(clientSpan(tx).get("span_id")).as("the client span of %s", c).isEqualTo(c.sentryTraceSpan());
    }
    assertQuiet(app.output());
  }

  private void record(HttpExchange exchange) throws IOException {
    try (exchange) {
      CountDownLatch t = together;
      t.countDown();
      try {
        t.await(10, TimeUnit.SECONDS); // the test asserts it opened
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      String ref = "";
      for (String p : String.valueOf(exchange.getRequestURI().getRawQuery()).split("&")) {
        if (p.startsWith("ref=")) ref = p.substring(4);
      }
      calls.add(new Call(ref, header(exchange, "sentry-trace"), header(exchange, "baggage"), header(exchange, "traceparent")));
      byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    }
  }

  private static String header(HttpExchange exchange, String name) {
    List<String> values = exchange.getRequestHeaders().get(name);
    return values == null || values.isEmpty() ? null : String.join(",", values);
  }

  private URI orders(int id, String ref) {
    return URI.create("http://127.0.0.1:" + port + "/orders/" + id + (ref == null ? "" : "?ref=" + ref));
  }

  private static String browserBaggage(String trace) {
    return "sentry-trace_id=" + trace + ",sentry-public_key=" + FakeSentry.PUBLIC_KEY
        + ",sentry-release=web%401.0,sentry-environment=prod,sentry-sample_rate=0.5,sentry-sampled=true,sentry-sample_rand=0.123456";
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    ThreadLocalRandom.current().nextBytes(b);
    b[0] |= 1; // never all zero: an invalid id would start a new trace
    return b;
  }

  private static Map<String, ReceivedEnvelope> byTrace(List<ReceivedEnvelope> transactions) {
    return transactions.stream().collect(Collectors.toMap(e -> (String) e.traceContext().get("trace_id"), Function.identity(),
        (a, b) -> { throw new AssertionError("two transactions of trace " + a.traceContext().get("trace_id")); }));
  }

  /**
   * The WebClient call: one http.client span, a child of the server span, made on the thread the
   * app hopped to while the server span was started on a Netty event loop.
   */
  @SuppressWarnings("unchecked")
  private Map<String, Object> clientSpan(ReceivedEnvelope transaction) {
    List<Map<String, Object>> client = transaction.spans().stream().filter(s -> "http.client".equals(s.get("op"))).toList();
    assertThat(client).as(transaction.payload.toString()).hasSize(1);
    Map<String, Object> span = client.get(0);
    assertThat(span)
        .containsEntry("parent_span_id", transaction.traceContext().get("span_id"))
        .containsEntry("description", "GET " + downstreamUrl());
    assertThat((Map<String, Object>) span.get("data")).extractingByKey("thread.name", STRING).startsWith("boundedElastic-");
    assertThat((Map<String, Object>) transaction.traceContext().get("data")).extractingByKey("thread.name", STRING)
        .startsWith("reactor-http-");
    return span;
  }

  private String downstreamUrl() {
    return "http://127.0.0.1:" + downstream.getAddress().getPort() + "/inventory";
  }

  private static void assertQuiet(String output) {
    assertThat(output)
        .contains("INFO: sentry-trace: sentry-trace.dsn is set")
        .doesNotContain("Exception", "WARNING", "SEVERE", " WARN ", " ERROR ");
  }
}
