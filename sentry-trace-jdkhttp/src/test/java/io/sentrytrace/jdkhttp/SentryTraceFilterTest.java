package io.sentrytrace.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.sentrytrace.Baggage;
import io.sentrytrace.InMemorySpanExporter;
import io.sentrytrace.MetaTags;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Span;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The server side: continuing the incoming trace and recording the http.server transaction. */
class SentryTraceFilterTest {
  private static final String TRACE_ID = "771a43a4192642f0b136d5159a501700";
  private static final String SPAN_ID = "b6e54a5e5d8bd1a2";
  private static final String BROWSER_BAGGAGE =
      "sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-public_key=49d0f7386ad645858ae85020e393bef3,"
          + "sentry-release=web%401.2,sentry-environment=prod,sentry-transaction=%2Fcheckout,sentry-sample_rate=1,"
          + "sentry-sample_rand=0.4321,sentry-sampled=true,vendor=x";

  private final InMemorySpanExporter exporter = new InMemorySpanExporter();
  private final Tracer tracer = Tracer.builder().tracesSampleRate(1.0).release("shop@1.0").exporter(exporter).build();
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<AutoCloseable> servers = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable s : servers) s.close();
  }

  /** A server whose context runs {@code before}, then the filter, then {@code handler}. */
  private TestServer serve(Filter before, SentryTraceFilter filter, HttpHandler handler) throws IOException {
    TestServer server = TestServer.bare();
    servers.add(server);
    HttpContext context = server.server.createContext("/", handler);
    if (before != null) context.getFilters().add(before);
    context.getFilters().add(filter);
    server.server.start();
    return server;
  }

  private HttpResponse<String> get(TestServer server, String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path));
    if (headers.length > 0) request.headers(headers);
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private TransactionData onlyTransaction() throws InterruptedException {
    List<TransactionData> exported = exporter.await(1, Duration.ofSeconds(5));
    assertThat(exported).hasSize(1);
    return exported.get(0);
  }

  @Test
  void continuesABrowsersTraceWithItsFrozenDynamicSamplingContext() throws Exception {
    AtomicReference<Span> seen = new AtomicReference<>();
    AtomicReference<String> baggage = new AtomicReference<>();
    TestServer server =
        serve(
            null,
            SentryTraceFilter.create(tracer),
            exchange -> {
              Span tx = (Span) exchange.getAttribute(SentryTraceFilter.SPAN_ATTRIBUTE);
              seen.set(tx);
              baggage.set(tx.toBaggage());
              TestServer.respond(exchange, 200, MetaTags.render(tx));
            });
    HttpResponse<String> response =
        get(server, "/checkout?step=2", "sentry-trace", TRACE_ID + "-" + SPAN_ID + "-1", "baggage", BROWSER_BAGGAGE);

    Span tx = seen.get();
    assertThat(tx.traceId().toString()).isEqualTo(TRACE_ID);
    assertThat(tx.parentSpanId().toString()).isEqualTo(SPAN_ID);
    assertThat(tx.sampled()).isTrue();
    assertThat(Baggage.parse(baggage.get()).sentryValues()).isEqualTo(Baggage.parse(BROWSER_BAGGAGE).sentryValues());
    assertThat(response.body()).contains("content=\"" + tx.toSentryTrace() + "\"");

    TransactionData exported = onlyTransaction();
    assertThat(exported.name()).isEqualTo("GET /checkout");
    assertThat(exported.root().op()).isEqualTo("http.server");
    assertThat(exported.root().status()).isEqualTo(SpanStatus.OK);
    assertThat(exported.root().data())
        .containsEntry("http.request.method", "GET")
        .containsEntry("url", "http://127.0.0.1:" + server.port() + "/checkout")
        .containsEntry("http.query", "step=2")
        .containsEntry("http.response.status_code", 200);
    assertThat(exported.dynamicSamplingContext().sentryValues()).isEqualTo(Baggage.parse(BROWSER_BAGGAGE).sentryValues());
  }

  @Test
  void garbageHeadersStartANewTraceAndTheRequestSucceeds() throws Exception {
    AtomicReference<Span> seen = new AtomicReference<>();
    TestServer server =
        serve(
            null,
            SentryTraceFilter.create(tracer),
            exchange -> {
              seen.set((Span) exchange.getAttribute(SentryTraceFilter.SPAN_ATTRIBUTE));
              TestServer.respond(exchange, 200, "fine");
            });
    HttpResponse<String> response = get(server, "/", "sentry-trace", "not-a-trace" + "\u00ff", "baggage", "%%%,=,sentry-trace_id=zz;;");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("fine");
    assertThat(seen.get().parentSpanId()).isNull();
    assertThat(Baggage.parse(seen.get().toBaggage()).get("trace_id")).isEqualTo(seen.get().traceId().toString());
    assertThat(onlyTransaction().root().traceId()).isEqualTo(seen.get().traceId());
  }

  @Test
  void theTransactionIsCurrentInsideTheHandlerAndNotAfter() throws Exception {
    AtomicReference<Span> inHandler = new AtomicReference<>();
    AtomicReference<Span> attribute = new AtomicReference<>();
    List<Object> aroundFilter = new CopyOnWriteArrayList<>();
    Filter outer =
        Filter.beforeHandler("records the current span", exchange -> aroundFilter.add(String.valueOf(tracer.currentSpan())));
    Filter after =
        new Filter() {
          @Override
          public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
            chain.doFilter(exchange);
            aroundFilter.add(String.valueOf(tracer.currentSpan()));
          }

          @Override
          public String description() {
            return "records the current span after the chain";
          }
        };
    TestServer server = TestServer.bare();
    servers.add(server);
    HttpContext context =
        server.server.createContext(
            "/",
            exchange -> {
              inHandler.set(tracer.currentSpan());
              attribute.set((Span) exchange.getAttribute(SentryTraceFilter.SPAN_ATTRIBUTE));
              TestServer.respond(exchange, 200, "ok");
            });
    context.getFilters().add(outer);
    context.getFilters().add(after);
    context.getFilters().add(SentryTraceFilter.create(tracer));
    server.server.start();

    get(server, "/page");
    onlyTransaction();
    assertThat(inHandler.get()).isNotNull().isSameAs(attribute.get());
    assertThat(inHandler.get().isFinished()).isTrue();
    // The export happens inside our filter; the outer filter records after it returns: wait for that.
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (aroundFilter.size() < 2 && System.nanoTime() < deadline) Thread.sleep(5);
    assertThat(aroundFilter).containsExactly("null", "null");
  }

  @Test
  void aHandlerExceptionMarksInternalErrorAndIsRethrown() throws Exception {
    RuntimeException boom = new IllegalStateException("boom");
    AtomicReference<Throwable> caught = new AtomicReference<>();
    Filter outer =
        new Filter() {
          @Override
          public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
            try {
              chain.doFilter(exchange);
            } catch (RuntimeException e) {
              caught.set(e);
              TestServer.respond(exchange, 500, "caught");
            }
          }

          @Override
          public String description() {
            return "catches what the chain throws";
          }
        };
    TestServer server =
        serve(
            outer,
            SentryTraceFilter.create(tracer),
            exchange -> {
              throw boom;
            });
    assertThat(get(server, "/fail").statusCode()).isEqualTo(500);
    assertThat(caught.get()).isSameAs(boom);
    assertThat(onlyTransaction().root().status()).isEqualTo(SpanStatus.INTERNAL_ERROR);
  }

  @Test
  void theResponseCodeSetsTheStatus() throws Exception {
    TestServer server = serve(null, SentryTraceFilter.create(tracer), exchange -> TestServer.respond(exchange, 404, "none"));
    assertThat(get(server, "/missing").statusCode()).isEqualTo(404);
    TransactionData tx = onlyTransaction();
    assertThat(tx.root().status()).isEqualTo(SpanStatus.NOT_FOUND);
    assertThat(tx.root().data()).containsEntry("http.response.status_code", 404);
  }

  @Test
  void eachConcurrentExchangeSeesItsOwnTransaction() throws Exception {
    CountDownLatch bothIn = new CountDownLatch(2);
    java.util.concurrent.atomic.AtomicBoolean sharedByContext = new java.util.concurrent.atomic.AtomicBoolean();
    TestServer server =
        serve(
            null,
            SentryTraceFilter.create(tracer),
            exchange -> {
              bothIn.countDown();
              try {
                bothIn.await(5, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              Span tx = (Span) exchange.getAttribute(SentryTraceFilter.SPAN_ATTRIBUTE);
              if (exchange.getHttpContext().getAttributes().containsKey(SentryTraceFilter.SPAN_ATTRIBUTE)) {
                sharedByContext.set(true);
              }
              TestServer.respond(exchange, 200, tx.traceId().toString());
            });
    String a = "0af7651916cd43dd8448eb211c80319c";
    String b = "4bf92f3577b34da6a3ce929d0e0e4736";
    CompletableFuture<HttpResponse<String>> first =
        client.sendAsync(HttpRequest.newBuilder(server.uri("/a")).header("sentry-trace", a + "-" + SPAN_ID).build(), HttpResponse.BodyHandlers.ofString());
    CompletableFuture<HttpResponse<String>> second =
        client.sendAsync(HttpRequest.newBuilder(server.uri("/b")).header("sentry-trace", b + "-" + SPAN_ID).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(first.get(5, TimeUnit.SECONDS).body()).isEqualTo(a);
    assertThat(second.get(5, TimeUnit.SECONDS).body()).isEqualTo(b);
    assertThat(sharedByContext).isFalse();
  }

  @Test
  void theSpanAttributeIsReadOnlyAndOtherAttributesPassThrough() throws Exception {
    AtomicReference<Object> span = new AtomicReference<>();
    AtomicReference<Object> other = new AtomicReference<>();
    TestServer server =
        serve(
            null,
            SentryTraceFilter.create(tracer),
            exchange -> {
              exchange.setAttribute(SentryTraceFilter.SPAN_ATTRIBUTE, "overwritten");
              exchange.setAttribute("app.user", "alice");
              span.set(exchange.getAttribute(SentryTraceFilter.SPAN_ATTRIBUTE));
              other.set(exchange.getAttribute("app.user"));
              TestServer.respond(exchange, 200, "ok");
            });
    get(server, "/");
    assertThat(span.get()).isInstanceOf(Span.class);
    assertThat(other.get()).isEqualTo("alice");
  }

  @Test
  void theTransactionNameFunctionNamesTheTransactionAndFailsBackToThePath() throws Exception {
    TestServer server =
        serve(
            null,
            SentryTraceFilter.builder(tracer)
                .transactionName(
                    exchange -> {
                      if (exchange.getRequestURI().getPath().startsWith("/users/")) return "GET /users/{id}";
                      throw new IllegalStateException("no route");
                    })
                .build(),
            exchange -> TestServer.respond(exchange, 200, "ok"));
    get(server, "/users/42");
    get(server, "/teams/7?x=1");
    List<TransactionData> exported = exporter.await(2, Duration.ofSeconds(5));
    assertThat(exported).extracting(TransactionData::name).containsExactlyInAnyOrder("GET /users/{id}", "GET /teams/7");
  }

  @Test
  void aTracedClientInTheHandlerContinuesTheIncomingTrace() throws Exception {
    TestServer downstream = TestServer.start(exchange -> TestServer.respond(exchange, 200, "down"));
    servers.add(downstream);
    HttpClient traced = TracingHttpClient.wrap(client, tracer);
    TestServer server =
        serve(
            null,
            SentryTraceFilter.create(tracer),
            exchange -> {
              try {
                traced.send(HttpRequest.newBuilder(downstream.uri("/stock")).build(), HttpResponse.BodyHandlers.discarding());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              TestServer.respond(exchange, 200, "ok");
            });
    get(server, "/checkout", "sentry-trace", TRACE_ID + "-" + SPAN_ID + "-1", "baggage", BROWSER_BAGGAGE);
    TestServer.Received received = downstream.take();
    TransactionData tx = onlyTransaction();
    SentryTrace sent = SentryTrace.parse(received.header("sentry-trace")).orElseThrow();
    assertThat(sent.traceId().toString()).isEqualTo(TRACE_ID);
    assertThat(tx.spans()).hasSize(1);
    assertThat(sent.spanId()).isEqualTo(tx.spans().get(0).spanId());
    assertThat(tx.spans().get(0).parentSpanId()).isEqualTo(tx.root().spanId());
    assertThat(Baggage.parse(received.header("baggage")).sentryValues()).isEqualTo(Baggage.parse(BROWSER_BAGGAGE).sentryValues());
  }

  @Test
  void rejectsMisuseByName() {
    assertThatThrownBy(() -> SentryTraceFilter.create(null)).isInstanceOf(NullPointerException.class).hasMessage("tracer");
    assertThatThrownBy(() -> SentryTraceFilter.builder(tracer).transactionName(null)).isInstanceOf(NullPointerException.class).hasMessage("transactionName");
  }
}
