package io.sentrytrace.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.Baggage;
import io.sentrytrace.MetaTags;
import io.sentrytrace.ServerTiming;
import io.sentrytrace.Span;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import io.sentrytrace.TransactionNameSource;
import io.sentrytrace.testing.InMemorySpanExporter;
import io.sentrytrace.test.RawHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every server adapter does, driven by a real {@link HttpClient} against a server on
 * 127.0.0.1 with the adapter installed around an app that the contract supplies. Each adapter's
 * test extends this, installs the adapter with {@link Options#handler()}, writes the app's {@link Reply}
 * with its server's API, and adds what is particular to its server.
 *
 * <pre>{@code
 * class TracingFilterContractTest extends HttpServerContract {
 *   protected URI start(Options options, App app) { ... context.getFilters().add(TracingFilter.create(options.handler())); }
 *   protected void stop() { server.stop(0); }
 * }
 * }</pre>
 *
 * The server must accept request headers of 128 KB (the hostile-input cases send 100 KB).
 */
public abstract class HttpServerContract {
  /** A browser's trace: the ids of its {@code sentry-trace} and its {@code baggage}. */
  public static final String TRACE_ID = "771a43a4192642f0b136d5159a501700";
  public static final String SPAN_ID = "b6e54a5e5d8bd1a2";
  public static final String BROWSER_BAGGAGE =
      "sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-public_key=49d0f7386ad645858ae85020e393bef3,"
          + "sentry-release=web%401.2,sentry-environment=prod,sentry-transaction=%2Fcheckout,sentry-sample_rate=1,"
          + "sentry-sample_rand=0.4321,sentry-sampled=true,vendor=x";

  /** How the contract wants the adapter set up: the server options of {@link #handler()}. */
  public static final class Options {
    public final Tracer tracer;
    public final ServerTimingPolicy serverTiming;
    public final boolean corsAllowHeaders;

    Options(Tracer tracer, ServerTimingPolicy serverTiming, boolean corsAllowHeaders) {
      this.tracer = tracer;
      this.serverTiming = serverTiming;
      this.corsAllowHeaders = corsAllowHeaders;
    }

    /** The handler with these options, which every server adapter takes. */
    public HttpServerHandler handler() {
      return HttpServerHandler.builder(tracer).serverTiming(serverTiming).corsAllowHeaders(corsAllowHeaders).build();
    }
  }

  /**
   * What the app answers: a status, headers in order (a name may repeat), a body ("" for none)
   * that the test's server writes {@link #repeat} times, each time with its own write call (a
   * large page is a short body repeated, its length {@link #length()}).
   */
  public static final class Reply {
    public final int status;
    public final List<Map.Entry<String, String>> headers;
    public final String body;
    public final int repeat;

    Reply(int status, List<Map.Entry<String, String>> headers, String body, int repeat) {
      this.status = status;
      this.headers = headers;
      this.body = body;
      this.repeat = repeat;
    }

    static Reply of(int status, String body, String... headers) {
      return repeated(status, body, 1, headers);
    }

    static Reply repeated(int status, String body, int repeat, String... headers) {
      List<Map.Entry<String, String>> list = new ArrayList<>();
      for (int i = 0; i < headers.length; i += 2) list.add(Map.entry(headers[i], headers[i + 1]));
      return new Reply(status, List.copyOf(list), body, repeat);
    }

    /** The body's bytes as written, {@link #repeat} times. */
    public long length() {
      return (long) body.getBytes(StandardCharsets.UTF_8).length * repeat;
    }
  }

  /** What the app saw of the adapter while it ran. */
  static final class Seen {
    final Object exposed;
    final Span current;

    Seen(Object exposed, Span current) {
      this.exposed = exposed;
      this.current = current;
    }

    Span transaction() {
      assertThat(exposed).isInstanceOf(Span.class);
      return (Span) exposed;
    }
  }

  /**
   * The app behind the adapter. The test's server calls {@link #handle} for each request the
   * adapter lets through and writes the reply; what {@link #handle} throws must propagate through
   * the adapter to the server's own error handling, outside the adapter, which hands it to {@link
   * #escaped} and answers 500.
   */
  public static final class App {
    private final Tracer tracer;
    private final Function<Span, Reply> behaviour;
    final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    final BlockingQueue<Throwable> escaped = new LinkedBlockingQueue<>();

    App(Tracer tracer, Function<Span, Reply> behaviour) {
      this.tracer = tracer;
      this.behaviour = behaviour;
    }

    /**
     * Answers a request. {@code exposed} is what the adapter exposes to the app under {@link
     * HttpServerHandler#SPAN_ATTRIBUTE}, or null when nothing is.
     */
    public Reply handle(Object exposed) {
      Span current = tracer.currentSpan();
      seen.add(new Seen(exposed, current));
      return behaviour.apply(current);
    }

    /** What reached the server's own error handling. */
    public void escaped(Throwable error) {
      escaped.add(error);
    }

    Seen take() throws InterruptedException {
      Seen s = seen.poll(5, TimeUnit.SECONDS);
      assertThat(s).as("the app ran").isNotNull();
      return s;
    }
  }

  /**
   * Starts a server on 127.0.0.1 with the adapter (set up as {@code options} says) around {@code
   * app}; returns its base URI ({@code http://127.0.0.1:port}). Called at most once per test.
   */
  protected abstract URI start(Options options, App app) throws Exception;

  /** Stops the server that {@link #start} started. */
  protected abstract void stop() throws Exception;

  private final InMemorySpanExporter exporter = new InMemorySpanExporter();
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private URI base;
  private App app;

  @AfterEach
  public void stopServer() throws Exception {
    if (base != null) stop();
  }

  private Tracer tracer() {
    return Tracer.builder().tracesSampleRate(1.0).release("shop@1.0").exporter(exporter).build();
  }

  private void serve(Function<Span, Reply> behaviour) throws Exception {
    serve(tracer(), ServerTimingPolicy.HTML, true, behaviour);
  }

  private void serve(Tracer tracer, ServerTimingPolicy serverTiming, boolean cors, Function<Span, Reply> behaviour) throws Exception {
    app = new App(tracer, behaviour);
    base = start(new Options(tracer, serverTiming, cors), app);
  }

  private HttpResponse<String> send(String method, String path, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve(path)).method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10));
    if (headers.length > 0) request.headers(headers);
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    return send("GET", path, headers);
  }

  private HttpResponse<String> preflight() throws Exception {
    return send(
        "OPTIONS",
        "/api/orders",
        "Origin", "https://shop.example",
        "Access-Control-Request-Method", "POST",
        "Access-Control-Request-Headers", "content-type,sentry-trace,baggage");
  }

  private TransactionData onlyTransaction() throws InterruptedException {
    List<TransactionData> exported = exporter.await(1, Duration.ofSeconds(5));
    assertThat(exported).hasSize(1);
    return exported.get(0);
  }

  private static Reply html(String body) {
    return Reply.of(200, body, "Content-Type", "text/html; charset=utf-8");
  }

  private static Reply ok() {
    return Reply.of(200, "fine", "Content-Type", "text/plain");
  }

  /** Answers CORS as an app does: the origin and, when given, its own allowed headers. */
  private static Reply corsAnswer(String allowHeaders) {
    return allowHeaders == null
        ? Reply.of(204, "", "Access-Control-Allow-Origin", "https://shop.example")
        : Reply.of(204, "", "Access-Control-Allow-Origin", "https://shop.example", "Access-Control-Allow-Headers", allowHeaders);
  }

  // ---- continuing the incoming trace ----

  @Test
  public void continuesSentryTraceAndBaggageWithTheirFrozenDsc() throws Exception {
    serve(tx -> html("<head>" + MetaTags.render(tx) + "</head>"));
    HttpResponse<String> response =
        get("/checkout?step=2", "sentry-trace", TRACE_ID + "-" + SPAN_ID + "-1", "baggage", BROWSER_BAGGAGE);

    Span tx = app.take().transaction();
    assertThat(tx.traceId().toString()).isEqualTo(TRACE_ID);
    assertThat(tx.parentSpanId().toString()).isEqualTo(SPAN_ID);
    assertThat(tx.sampled()).isTrue();
    assertThat(Baggage.parse(tx.toBaggage()).sentryValues()).isEqualTo(Baggage.parse(BROWSER_BAGGAGE).sentryValues());
    assertThat(response.body()).contains("content=\"" + tx.toSentryTrace() + "\"");

    TransactionData exported = onlyTransaction();
    assertThat(exported.root().op()).isEqualTo("http.server");
    assertThat(exported.root().spanId()).isEqualTo(tx.spanId());
    assertThat(exported.root().status()).isEqualTo(SpanStatus.OK);
    assertThat(exported.root().data())
        .containsEntry("http.request.method", "GET")
        .containsEntry("url", "http://127.0.0.1:" + base.getPort() + "/checkout")
        .containsEntry("http.query", "step=2")
        .containsEntry("http.response.status_code", 200);
    assertThat(exported.dynamicSamplingContext().sentryValues()).isEqualTo(Baggage.parse(BROWSER_BAGGAGE).sentryValues());
  }

  @Test
  public void continuesFromTraceparentWhenTheTracerDoes() throws Exception {
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).continueFromTraceparent(true).exporter(exporter).build();
    serve(tracer, ServerTimingPolicy.HTML, true, tx -> ok());
    get("/", "traceparent", "00-" + TRACE_ID + "-" + SPAN_ID + "-01");
    Span tx = app.take().transaction();
    assertThat(tx.traceId().toString()).isEqualTo(TRACE_ID);
    assertThat(tx.parentSpanId().toString()).isEqualTo(SPAN_ID);
    assertThat(tx.sampled()).isTrue();
  }

  @Test
  public void ignoresTraceparentByDefault() throws Exception {
    serve(tx -> ok());
    get("/", "traceparent", "00-" + TRACE_ID + "-" + SPAN_ID + "-01");
    Span tx = app.take().transaction();
    assertThat(tx.traceId().toString()).isNotEqualTo(TRACE_ID);
    assertThat(tx.parentSpanId()).isNull();
  }

  static Stream<Arguments> hostileHeaders() {
    Random random = new Random(10);
    char[] junk = new char[4096];
    for (int i = 0; i < junk.length; i++) {
      int c = 0x20 + random.nextInt(0xff - 0x20);
      junk[i] = (char) (c == 0x7f ? '~' : c); // no CR, LF or other controls: those never reach a server
    }
    String noise = new String(junk);
    StringBuilder hugeBaggage = new StringBuilder();
    for (int i = 0; hugeBaggage.length() < 100 * 1024; i++) hugeBaggage.append("sentry-k").append(i).append("=v,");
    return Stream.of(
        Arguments.of("garbage", new String[] {"sentry-trace", "not-a-trace\u00ff", "baggage", "%%%,=,sentry-trace_id=zz;;"}),
        Arguments.of("all-zero ids", new String[] {"sentry-trace", "00000000000000000000000000000000-0000000000000000-1"}),
        Arguments.of("short trace id", new String[] {"sentry-trace", TRACE_ID.substring(1) + "-" + SPAN_ID + "-1"}),
        Arguments.of("trailing junk", new String[] {"sentry-trace", TRACE_ID + "-" + SPAN_ID + "-1-" + noise.substring(0, 40)}),
        Arguments.of("100 KB baggage", new String[] {"baggage", hugeBaggage.toString()}),
        Arguments.of("4 KB of noise", new String[] {"sentry-trace", noise, "baggage", noise, "traceparent", noise}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileHeaders")
  public void hostileHeadersStartANewTraceAndTheAppStillRuns(String what, String[] headers) throws Exception {
    serve(tx -> ok());
    HttpResponse<String> response = get("/", headers);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("fine");
    Span tx = app.take().transaction();
    assertThat(tx.parentSpanId()).isNull();
    assertThat(tx.traceId().toString()).isNotEqualTo(TRACE_ID);
    assertThat(Baggage.parse(tx.toBaggage()).get("trace_id")).isEqualTo(tx.traceId().toString());
    assertThat(onlyTransaction().root().traceId()).isEqualTo(tx.traceId());
  }

  @Test
  public void oversizedBaggageBehindAValidSentryTraceKeepsABoundedDsc() throws Exception {
    StringBuilder baggage = new StringBuilder("sentry-trace_id=" + TRACE_ID + ",sentry-release=web%401.2");
    for (int i = 0; baggage.length() < 100 * 1024; i++) baggage.append(",sentry-k").append(i).append("=").append("v".repeat(50));
    serve(tx -> ok());
    assertThat(get("/", "sentry-trace", TRACE_ID + "-" + SPAN_ID + "-1", "baggage", baggage.toString()).statusCode()).isEqualTo(200);
    Span tx = app.take().transaction();
    assertThat(tx.traceId().toString()).isEqualTo(TRACE_ID);
    assertThat(tx.toBaggage().length()).isLessThanOrEqualTo(Baggage.MAX_HEADER_LENGTH);
    assertThat(Baggage.parse(tx.toBaggage()).get("release")).isEqualTo("web@1.2");
  }

  // ---- CORS preflights ----

  @Test
  public void preflightGetsTheTraceHeadersMergedIntoTheAppsListAndNoTransaction() throws Exception {
    serve(tracer(), ServerTimingPolicy.ALL, true, tx -> corsAnswer("Content-Type, Baggage"));
    HttpResponse<String> response = preflight();
    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(response.headers().allValues("Access-Control-Allow-Headers")).containsExactly("Content-Type, Baggage, sentry-trace");
    assertThat(response.headers().firstValue(ServerTiming.HEADER)).isEmpty();
    Seen seen = app.take();
    assertThat(seen.exposed).isNull();
    assertThat(seen.current).isNull();

    // An ordinary request after it is traced; the preflight before it is not.
    get("/api/orders");
    assertThat(exporter.await(2, Duration.ofMillis(500))).extracting(TransactionData::name).containsExactly("GET /api/orders");
  }

  @Test
  public void preflightAnsweredWithOnlyAnOriginGetsTheTraceHeaders() throws Exception {
    serve(tx -> corsAnswer(null));
    assertThat(preflight().headers().allValues("Access-Control-Allow-Headers")).containsExactly("sentry-trace, baggage");
  }

  @Test
  public void preflightThatTheAppAnswersWithoutCorsIsLeftAlone() throws Exception {
    serve(tx -> Reply.of(405, ""));
    HttpResponse<String> response = preflight();
    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Access-Control-Allow-Headers")).isEmpty();
  }

  @Test
  public void withCorsHelpOffPreflightsAreLeftAlone() throws Exception {
    serve(tracer(), ServerTimingPolicy.HTML, false, tx -> corsAnswer("Content-Type"));
    assertThat(preflight().headers().allValues("Access-Control-Allow-Headers")).containsExactly("Content-Type");
  }

  @Test
  public void requestsThatAreNotPreflightsKeepTheirCorsHeadersAndAreTraced() throws Exception {
    serve(tx -> corsAnswer("Content-Type"));
    HttpResponse<String> get = get("/api/orders", "Origin", "https://shop.example");
    HttpResponse<String> options = send("OPTIONS", "/api/orders");
    assertThat(get.headers().allValues("Access-Control-Allow-Headers")).containsExactly("Content-Type");
    assertThat(options.headers().allValues("Access-Control-Allow-Headers")).containsExactly("Content-Type");
    assertThat(exporter.await(2, Duration.ofSeconds(5)))
        .extracting(TransactionData::name)
        .containsExactlyInAnyOrder("GET /api/orders", "OPTIONS /api/orders");
  }

  // ---- status and errors ----

  static Stream<Arguments> statuses() {
    return Stream.of(
        Arguments.of(200, SpanStatus.OK),
        Arguments.of(404, SpanStatus.NOT_FOUND),
        Arguments.of(500, SpanStatus.INTERNAL_ERROR),
        Arguments.of(503, SpanStatus.UNAVAILABLE));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("statuses")
  public void theResponseCodeSetsTheStatus(int code, SpanStatus status) throws Exception {
    serve(tx -> Reply.of(code, "answer"));
    assertThat(get("/orders").statusCode()).isEqualTo(code);
    TransactionData tx = onlyTransaction();
    assertThat(tx.root().status()).isEqualTo(status);
    assertThat(tx.root().data()).containsEntry("http.response.status_code", code);
  }

  @Test
  public void anExceptionMarksInternalErrorAndReachesTheServerUnchanged() throws Exception {
    RuntimeException boom = new IllegalStateException("boom");
    serve(
        tx -> {
          throw boom;
        });
    assertThat(get("/fail").statusCode()).isEqualTo(500);
    assertThat(app.escaped.poll(5, TimeUnit.SECONDS)).isSameAs(boom);
    assertThat(onlyTransaction().root().status()).isEqualTo(SpanStatus.INTERNAL_ERROR);
  }

  /**
   * A client that leaves while its page is being written (a closed tab, a timeout) is no error of
   * the service: the transaction is {@code cancelled} (Sentry's status for 499) and keeps the
   * status code that was sent. Anyone could otherwise raise a service's error rate at will.
   */
  @Test
  public void aClientThatLeavesMidResponseIsCancelledNotAServerError() throws Exception {
    String piece = "<p>" + "x".repeat(64 * 1024 - 8) + "</p>\n"; // 64 KB
    serve(tx -> Reply.repeated(200, piece, 2048, "Content-Type", "text/html")); // 128 MB
    String head = RawHttp.readAFewKilobytesAndLeave(base, "/big");
    assertThat(head).startsWith("HTTP/1.1 200");
    List<TransactionData> exported = exporter.await(1, Duration.ofSeconds(30));
    assertThat(exported).as("the transaction of the abandoned request").hasSize(1);
    TransactionData tx = exported.get(0);
    assertThat(tx.root().status()).isEqualTo(SpanStatus.CANCELLED);
    assertThat(tx.root().data()).containsEntry("http.response.status_code", 200);
    assertThat(exporter.await(2, Duration.ofMillis(300))).hasSize(1);
  }

  /** What fails before the response is committed is the service's error, an I/O error too. */
  @Test
  public void anIoExceptionBeforeTheResponseIsCommittedIsStillAServerError() throws Exception {
    RuntimeException down = new UncheckedIOException(new IOException("the database went away"));
    serve(
        tx -> {
          throw down;
        });
    assertThat(get("/fail").statusCode()).isEqualTo(500);
    assertThat(app.escaped.poll(5, TimeUnit.SECONDS)).isSameAs(down);
    assertThat(onlyTransaction().root().status()).isEqualTo(SpanStatus.INTERNAL_ERROR);
  }

  // ---- the transaction ----

  @Test
  public void namesTheTransactionMethodAndPathWithSourceUrlAndKeepsThePathOutOfTheDsc() throws Exception {
    serve(tx -> ok());
    get("/users/alice@example.com/orders?token=secret");
    Span tx = app.take().transaction();
    assertThat(tx.description()).isEqualTo("GET /users/alice@example.com/orders");
    assertThat(tx.nameSource()).isEqualTo(TransactionNameSource.URL);
    assertThat(tx.toBaggage()).doesNotContain("sentry-transaction").doesNotContain("alice");
    TransactionData exported = onlyTransaction();
    assertThat(exported.name()).isEqualTo("GET /users/alice@example.com/orders");
    assertThat(exported.nameSource()).isEqualTo(TransactionNameSource.URL);
    assertThat(exported.dynamicSamplingContext().get("transaction")).isNull();
  }

  @Test
  public void aRouteNameSetByTheAppGoesDownstream() throws Exception {
    serve(
        tx -> {
          tx.setName("GET /users/{id}", TransactionNameSource.ROUTE);
          return Reply.of(200, tx.toBaggage());
        });
    String baggage = get("/users/42").body();
    assertThat(Baggage.parse(baggage).get("transaction")).isEqualTo("GET /users/{id}");
    assertThat(onlyTransaction().nameSource()).isEqualTo(TransactionNameSource.ROUTE);
  }

  @Test
  public void theTransactionIsCurrentAndExposedWhileTheAppRunsAndFinishedAfter() throws Exception {
    serve(tx -> html("<head>" + MetaTags.render(tx) + "</head>"));
    String body = get("/page").body();
    Seen seen = app.take();
    assertThat(seen.current).isNotNull().isSameAs(seen.exposed);
    assertThat(body).contains("<meta name=\"sentry-trace\" content=\"" + seen.current.toSentryTrace() + "\"/>");
    assertThat(onlyTransaction().root().spanId()).isEqualTo(seen.current.spanId());
    assertThat(seen.current.isFinished()).isTrue();
  }

  // ---- Server-Timing ----

  @Test
  public void serverTimingByDefaultMarksPagesOnly() throws Exception {
    serve(tx -> tx.isTransaction() && tx.description().endsWith("/page") ? html("<p>page</p>") : Reply.of(200, "{}", "Content-Type", "application/json"));
    HttpResponse<String> page = get("/page", "sentry-trace", TRACE_ID + "-" + SPAN_ID + "-1", "baggage", BROWSER_BAGGAGE);
    Span tx = app.take().transaction();
    Map<String, List<String>> metrics = metrics(page);
    assertThat(metrics).containsOnlyKeys("sentry-trace", "baggage");
    assertThat(metrics.get("sentry-trace")).containsExactly(tx.toSentryTrace());
    assertThat(metrics.get("baggage")).containsExactly(tx.toBaggage());
    assertThat(get("/api").headers().allValues(ServerTiming.HEADER)).isEmpty();
  }

  @Test
  public void serverTimingForEveryResponseMarksApiResponsesToo() throws Exception {
    serve(tracer(), ServerTimingPolicy.ALL, true, tx -> Reply.of(200, "{}", "Content-Type", "application/json"));
    HttpResponse<String> response = get("/api");
    Span tx = app.take().transaction();
    assertThat(metrics(response).get("sentry-trace")).containsExactly(tx.toSentryTrace());
  }

  @Test
  public void serverTimingOffAddsNothing() throws Exception {
    serve(tracer(), ServerTimingPolicy.OFF, true, tx -> html("<p>page</p>"));
    assertThat(get("/page").headers().allValues(ServerTiming.HEADER)).isEmpty();
  }

  @Test
  public void serverTimingIsMergedWithTheAppsOwnMetrics() throws Exception {
    serve(tx -> Reply.of(200, "<p>page</p>", "Content-Type", "TEXT/HTML", ServerTiming.HEADER, "db;dur=53, cache;desc=\"a, b\""));
    Map<String, List<String>> metrics = metrics(get("/page"));
    assertThat(metrics.keySet()).containsExactly("db", "cache", "sentry-trace", "baggage");
    assertThat(metrics.get("cache")).containsExactly("a, b");
    assertThat(metrics.get("sentry-trace")).hasSize(1);
  }

  @Test
  public void serverTimingIsNeverAddedTwice() throws Exception {
    serve(tx -> Reply.of(200, "<p>page</p>", "Content-Type", "text/html", ServerTiming.HEADER, ServerTiming.header(tx)));
    HttpResponse<String> response = get("/page");
    Span tx = app.take().transaction();
    assertThat(metrics(response).get("sentry-trace")).containsExactly(tx.toSentryTrace());
  }

  @Test
  public void unsampledRequestsStillHandTheTraceToTheBrowser() throws Exception {
    Tracer tracer = Tracer.builder().tracesSampleRate(0.0).exporter(exporter).build();
    serve(tracer, ServerTimingPolicy.HTML, true, tx -> html("<head>" + MetaTags.render(tx) + "</head>"));
    HttpResponse<String> response = get("/page");
    Span tx = app.take().transaction();
    assertThat(tx.isRecording()).isFalse();
    assertThat(metrics(response).get("sentry-trace")).containsExactly(tx.toSentryTrace());
    assertThat(response.body()).contains(tx.toSentryTrace());
    assertThat(exporter.await(1, Duration.ofMillis(300))).isEmpty();
  }

  /**
   * The response's {@code Server-Timing} metrics in order, each name with the unquoted {@code desc}
   * of each of its occurrences ("" when it has none).
   */
  static Map<String, List<String>> metrics(HttpResponse<?> response) {
    Map<String, List<String>> out = new java.util.LinkedHashMap<>();
    for (String line : response.headers().allValues(ServerTiming.HEADER)) {
      for (String element : splitOutsideQuotes(line, ',')) {
        List<String> parts = splitOutsideQuotes(element, ';');
        String desc = "";
        for (String param : parts.subList(1, parts.size())) {
          int eq = param.indexOf('=');
          if (eq > 0 && param.substring(0, eq).trim().equalsIgnoreCase("desc")) desc = unquote(param.substring(eq + 1).trim());
        }
        out.computeIfAbsent(parts.get(0).trim(), k -> new ArrayList<>()).add(desc);
      }
    }
    return out;
  }

  private static List<String> splitOutsideQuotes(String s, char separator) {
    List<String> out = new ArrayList<>();
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quoted && c == '\\') i++;
      else if (c == '"') quoted = !quoted;
      else if (c == separator && !quoted) {
        out.add(s.substring(start, i).trim());
        start = i + 1;
      }
    }
    out.add(s.substring(start).trim());
    out.removeIf(String::isEmpty);
    return out.isEmpty() ? Arrays.asList("") : out;
  }

  private static String unquote(String value) {
    if (value.length() < 2 || value.charAt(0) != '"') return value;
    StringBuilder out = new StringBuilder();
    for (int i = 1; i < value.length() - 1; i++) {
      char c = value.charAt(i);
      if (c == '\\' && i + 1 < value.length() - 1) c = value.charAt(++i);
      out.append(c);
    }
    return out.toString();
  }
}
