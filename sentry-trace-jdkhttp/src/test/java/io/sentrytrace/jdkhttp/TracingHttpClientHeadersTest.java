package io.sentrytrace.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.Baggage;
import io.sentrytrace.InMemorySpanExporter;
import io.sentrytrace.Instrumentation;
import io.sentrytrace.Scope;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which requests get sentry-trace and baggage, and what they say. */
@SuppressWarnings("try") // scopes are used for their close()
class TracingHttpClientHeadersTest {
  private final InMemorySpanExporter exporter = new InMemorySpanExporter();
  private TestServer target;
  private TestServer other;
  private Tracer tracer;
  private HttpClient client;

  @BeforeEach
  void start() throws Exception {
    target = TestServer.start(exchange -> TestServer.respond(exchange, 200, "ok"));
    other = TestServer.start(exchange -> TestServer.respond(exchange, 200, "ok"));
    tracer = tracerFor(target, 1.0, false);
    client = TracingHttpClient.wrap(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), tracer);
  }

  @AfterEach
  void stop() {
    target.close();
    other.close();
  }

  private Tracer tracerFor(TestServer server, Double rate, boolean traceparent) {
    return Tracer.builder()
        .tracePropagationTargets(List.of(Pattern.compile("^http://127\\.0\\.0\\.1:" + server.port() + "/")))
        .tracesSampleRate(rate)
        .release("shop@1.0")
        .propagateTraceparent(traceparent)
        .exporter(exporter)
        .build();
  }

  private int send(HttpClient c, HttpRequest request) throws Exception {
    return c.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Test
  void sendsTraceHeadersToTargetsOnly() throws Exception {
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      send(client, HttpRequest.newBuilder(target.uri("/a")).build());
      send(client, HttpRequest.newBuilder(other.uri("/b")).build());
    }
    TestServer.Received toTarget = target.take();
    TestServer.Received toOther = other.take();
    assertThat(SentryTrace.parse(toTarget.header("sentry-trace")).orElseThrow().traceId()).isEqualTo(tx.traceId());
    assertThat(Baggage.parse(toTarget.header("baggage")).get("trace_id")).isEqualTo(tx.traceId().toString());
    assertThat(Baggage.parse(toTarget.header("baggage")).get("release")).isEqualTo("shop@1.0");
    assertThat(toOther.has("sentry-trace")).isFalse();
    assertThat(toOther.has("baggage")).isFalse();
  }

  @Test
  void sentryTraceNamesTheHttpClientSpanAsParent() throws Exception {
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      send(client, HttpRequest.newBuilder(target.uri("/a")).build());
    }
    tx.finish();
    SentryTrace sent = SentryTrace.parse(target.take().header("sentry-trace")).orElseThrow();
    var span = exporter.transactions().get(0).spans().get(0);
    assertThat(sent.spanId()).isEqualTo(span.spanId()).isNotEqualTo(tx.spanId());
    assertThat(span.parentSpanId()).isEqualTo(tx.spanId());
    assertThat(sent.sampled()).isTrue();
  }

  @Test
  void mergesExistingBaggageKeepingOtherVendorsMembers() throws Exception {
    String stale = "0123456789abcdef0123456789abcdef";
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      send(
          client,
          HttpRequest.newBuilder(target.uri("/a"))
              .header("baggage", "vendor=1,sentry-trace_id=" + stale)
              .header("baggage", "other=2")
              .build());
    }
    String baggage = target.take().header("baggage");
    assertThat(baggage).startsWith("vendor=1,other=2,").doesNotContain(stale);
    assertThat(Baggage.parse(baggage).get("trace_id")).isEqualTo(tx.traceId().toString());
  }

  @Test
  void keepsAUserSetSentryTraceAndAddsNoBaggage() throws Exception {
    String own = "0123456789abcdef0123456789abcdef-0123456789abcdef-1";
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      send(client, HttpRequest.newBuilder(target.uri("/a")).header("sentry-trace", own).build());
    }
    TestServer.Received received = target.take();
    assertThat(received.header("sentry-trace")).isEqualTo(own);
    assertThat(received.has("baggage")).isFalse();
  }

  @Test
  void sendingTheSameRequestTwiceNeverGrowsItsHeaders() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(target.uri("/a")).header("baggage", "vendor=1").build();
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      send(client, request);
      send(client, request);
    }
    TestServer.Received first = target.take();
    TestServer.Received second = target.take();
    assertThat(second.header("baggage")).isEqualTo(first.header("baggage")).startsWith("vendor=1,sentry-");
    assertThat(second.header("sentry-trace")).isNotEqualTo(first.header("sentry-trace"));
    assertThat(request.headers().map()).containsOnlyKeys("baggage");
    assertThat(request.headers().allValues("baggage")).containsExactly("vendor=1");
  }

  @Test
  void withoutACurrentSpanPropagatesTheTracersContextAndRecordsNoSpan() throws Exception {
    send(client, HttpRequest.newBuilder(target.uri("/a")).build());
    send(client, HttpRequest.newBuilder(target.uri("/b")).build());
    SentryTrace first = SentryTrace.parse(target.take().header("sentry-trace")).orElseThrow();
    SentryTrace second = SentryTrace.parse(target.take().header("sentry-trace")).orElseThrow();
    assertThat(first.traceId()).isEqualTo(second.traceId()).isEqualTo(tracer.currentPropagationContext().traceId());
    assertThat(first.spanId()).isEqualTo(tracer.currentPropagationContext().spanId());
    assertThat(exporter.await(1, Duration.ofMillis(200))).isEmpty();
  }

  @Test
  void withTracingOffPropagatesTheCurrentTransactionAndExportsNothing() throws Exception {
    Tracer off = tracerFor(target, null, false);
    HttpClient offClient = TracingHttpClient.wrap(HttpClient.newHttpClient(), off);
    Span tx = off.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      send(offClient, HttpRequest.newBuilder(target.uri("/a")).build());
    }
    tx.finish();
    TestServer.Received received = target.take();
    assertThat(SentryTrace.parse(received.header("sentry-trace")).orElseThrow().traceId()).isEqualTo(tx.traceId());
    assertThat(received.has("baggage")).isTrue();
    assertThat(exporter.transactions()).isEmpty();
  }

  @Test
  void suppressedRequestsGetNoHeadersAndNoSpan() throws Exception {
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent(); Scope quiet = Instrumentation.suppress()) {
      send(client, HttpRequest.newBuilder(target.uri("/a")).build());
      client.sendAsync(HttpRequest.newBuilder(target.uri("/b")).build(), HttpResponse.BodyHandlers.ofString()).join();
    }
    tx.finish();
    assertThat(target.take().has("sentry-trace")).isFalse();
    assertThat(target.take().has("sentry-trace")).isFalse();
    assertThat(exporter.transactions().get(0).spans()).isEmpty();
  }

  @Test
  void sendsTraceparentWhenTheTracerPropagatesIt() throws Exception {
    HttpClient w3c = TracingHttpClient.wrap(HttpClient.newHttpClient(), tracerFor(target, 1.0, true));
    send(w3c, HttpRequest.newBuilder(target.uri("/a")).build());
    TestServer.Received received = target.take();
    String traceId = SentryTrace.parse(received.header("sentry-trace")).orElseThrow().traceId().toString();
    assertThat(received.header("traceparent")).startsWith("00-" + traceId + "-");
  }
}
