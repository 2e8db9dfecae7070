package io.sentrytrace.jdkhttp;

import static io.sentrytrace.http.HttpServerContract.BROWSER_BAGGAGE;
import static io.sentrytrace.http.HttpServerContract.SPAN_ID;
import static io.sentrytrace.http.HttpServerContract.TRACE_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.sentrytrace.Baggage;
import io.sentrytrace.ServerTiming;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import io.sentrytrace.TransactionNameSource;
import io.sentrytrace.http.HttpServerHandler;
import io.sentrytrace.testing.InMemorySpanExporter;
import io.sentrytrace.test.LogRecords;
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

/**
 * What is particular to the JDK server: filter chains, per-exchange attributes, header lines, the
 * exchange a transaction name function unwraps. The server rules every adapter keeps are in {@link TracingFilterContractTest}.
 */
class TracingFilterTest {
  private final InMemorySpanExporter exporter = new InMemorySpanExporter();
  private final Tracer tracer = Tracer.builder().tracesSampleRate(1.0).release("shop@1.0").exporter(exporter).build();
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<AutoCloseable> servers = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable s : servers) s.close();
  }

  /** A server whose context runs {@code before}, then the filter, then {@code handler}. */
  private TestServer serve(Filter before, TracingFilter filter, HttpHandler handler) throws IOException {
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
              attribute.set((Span) exchange.getAttribute(TracingFilter.SPAN_ATTRIBUTE));
              TestServer.respond(exchange, 200, "ok");
            });
    context.getFilters().add(outer);
    context.getFilters().add(after);
    context.getFilters().add(TracingFilter.create(tracer));
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
  void eachConcurrentExchangeSeesItsOwnTransaction() throws Exception {
    CountDownLatch bothIn = new CountDownLatch(2);
    java.util.concurrent.atomic.AtomicBoolean sharedByContext = new java.util.concurrent.atomic.AtomicBoolean();
    TestServer server =
        serve(
            null,
            TracingFilter.create(tracer),
            exchange -> {
              bothIn.countDown();
              try {
                bothIn.await(5, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              Span tx = (Span) exchange.getAttribute(TracingFilter.SPAN_ATTRIBUTE);
              if (exchange.getHttpContext().getAttributes().containsKey(TracingFilter.SPAN_ATTRIBUTE)) {
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
            TracingFilter.create(tracer),
            exchange -> {
              exchange.setAttribute(TracingFilter.SPAN_ATTRIBUTE, "overwritten");
              exchange.setAttribute("app.user", "alice");
              span.set(exchange.getAttribute(TracingFilter.SPAN_ATTRIBUTE));
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
            TracingFilter.create(
                HttpServerHandler.builder(tracer)
                    .transactionName(
                        request -> {
                          // The server's own exchange, for what the adapted request does not carry.
                          HttpExchange exchange = (HttpExchange) request.unwrap();
                          if (exchange.getHttpContext().getPath().equals("/")
                              && exchange.getRequestURI().getPath().startsWith("/users/")) {
                            return "GET /users/{id}";
                          }
                          throw new IllegalStateException("no route");
                        })
                    .build()),
            exchange -> TestServer.respond(exchange, 200, "ok"));
    try (LogRecords log = LogRecords.asConfigured(HttpServerHandler.class.getName())) {
      get(server, "/users/42");
      get(server, "/teams/7?x=1");
      // The failing function is logged once per JVM (another test may have been first).
      assertThat(log.lines()).allSatisfy(line -> assertThat(line).contains("transactionName function threw"));
    }
    List<TransactionData> exported = exporter.await(2, Duration.ofSeconds(5));
    assertThat(exported).extracting(TransactionData::name).containsExactlyInAnyOrder("GET /users/{id}", "GET /teams/7");
    // The function's names are the user's: they go downstream; the path fallback does not.
    assertThat(exported)
        .extracting(TransactionData::nameSource)
        .containsExactlyInAnyOrder(TransactionNameSource.CUSTOM, TransactionNameSource.URL);
    for (TransactionData tx : exported) {
      String inDsc = tx.dynamicSamplingContext().get("transaction");
      assertThat(inDsc).isEqualTo(tx.nameSource() == TransactionNameSource.CUSTOM ? "GET /users/{id}" : null);
    }
  }

  @Test
  void addedTwiceToAChainTheFilterRecordsOneTransaction() throws Exception {
    AtomicReference<Span> seen = new AtomicReference<>();
    TestServer server =
        serve(
            TracingFilter.create(tracer),
            TracingFilter.create(tracer),
            exchange -> {
              seen.set((Span) exchange.getAttribute(TracingFilter.SPAN_ATTRIBUTE));
              TestServer.respond(exchange, 200, "ok");
            });
    get(server, "/once");
    TransactionData tx = onlyTransaction();
    assertThat(tx.root().spanId()).isEqualTo(seen.get().spanId());
    assertThat(tx.root().parentSpanId()).isNull();
    // Waits a little for a second transaction that must not come.
    assertThat(exporter.await(2, Duration.ofMillis(300))).hasSize(1);
  }

  @Test
  void severalAllowHeadersLinesBecomeOneListWithoutDuplicates() throws Exception {
    TestServer server =
        serve(
            null,
            TracingFilter.create(tracer),
            exchange -> {
              exchange.getResponseHeaders().add("Access-Control-Allow-Headers", "X-Api-Key");
              exchange.getResponseHeaders().add("Access-Control-Allow-Headers", "sentry-trace, x-api-key");
              exchange.sendResponseHeaders(204, -1);
              exchange.close();
            });
    HttpRequest preflight =
        HttpRequest.newBuilder(server.uri("/api"))
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .header("Origin", "https://shop.example")
            .header("Access-Control-Request-Method", "POST")
            .build();
    HttpResponse<Void> response = client.send(preflight, HttpResponse.BodyHandlers.discarding());
    assertThat(response.headers().allValues("Access-Control-Allow-Headers")).containsExactly("X-Api-Key, sentry-trace, baggage");
  }

  @Test
  void severalServerTimingLinesAreMergedIntoOne() throws Exception {
    AtomicReference<Span> seen = new AtomicReference<>();
    TestServer server =
        serve(
            null,
            TracingFilter.create(tracer),
            exchange -> {
              seen.set(tracer.currentSpan());
              exchange.getResponseHeaders().add("Content-Type", "text/html");
              exchange.getResponseHeaders().add(ServerTiming.HEADER, "db;dur=53");
              exchange.getResponseHeaders().add(ServerTiming.HEADER, "app;dur=7");
              TestServer.respond(exchange, 200, "<p>page</p>");
            });
    HttpResponse<String> response = get(server, "/page");
    assertThat(response.headers().allValues(ServerTiming.HEADER))
        .containsExactly("db;dur=53,app;dur=7, " + ServerTiming.header(seen.get()));
  }

  @Test
  void aTracedClientInTheHandlerContinuesTheIncomingTrace() throws Exception {
    TestServer downstream = TestServer.start(exchange -> TestServer.respond(exchange, 200, "down"));
    servers.add(downstream);
    HttpClient traced = TracingHttpClient.instrument(client, tracer);
    TestServer server =
        serve(
            null,
            TracingFilter.create(tracer),
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
    assertThatThrownBy(() -> TracingFilter.create((Tracer) null)).isInstanceOf(NullPointerException.class).hasMessage("tracer");
    assertThatThrownBy(() -> TracingFilter.create((HttpServerHandler) null)).isInstanceOf(NullPointerException.class).hasMessage("handler");
  }
}
