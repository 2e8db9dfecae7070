package io.sentrytrace.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentrytrace.ServerTiming;
import io.sentrytrace.Span;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import io.sentrytrace.TransactionNameSource;
import io.sentrytrace.testing.InMemorySpanExporter;
import io.sentrytrace.test.LogRecords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The handler's rules that need no server: names, data, header values. Adapters' tests run the
 * rest over HTTP ({@link HttpServerContract}).
 */
class HttpServerHandlerTest {
  private final InMemorySpanExporter exporter = new InMemorySpanExporter();
  private final Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(exporter).build();
  private final HttpServerHandler handler = HttpServerHandler.create(tracer);

  /** A request made of a method, a path with query, headers and a local address. */
  static final class Request implements HttpServerRequest {
    final String method;
    final String path;
    final String query;
    final Map<String, String> headers = new HashMap<>();
    String scheme = "http";
    InetSocketAddress local;

    Request(String method, String target, String... headers) {
      this.method = method;
      int q = target.indexOf('?');
      this.path = q < 0 ? target : target.substring(0, q);
      this.query = q < 0 ? null : target.substring(q + 1);
      for (int i = 0; i < headers.length; i += 2) this.headers.put(headers[i].toLowerCase(Locale.ROOT), headers[i + 1]);
    }

    @Override
    public String method() {
      return method;
    }

    @Override
    public String path() {
      return path;
    }

    @Override
    public String query() {
      return query;
    }

    @Override
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public String scheme() {
      return scheme;
    }

    @Override
    public InetSocketAddress localAddress() {
      return local;
    }
  }

  private Object urlOf(Request request) {
    Span tx = handler.start(request);
    return tx == null ? null : urlData(tx);
  }

  private Object urlData(Span tx) {
    handler.finish(tx, 200, null);
    TransactionData exported = exporter.transactions().get(exporter.transactions().size() - 1);
    return exported.root().data().get("url");
  }

  @Test
  void theUrlTakesAPlainHostHeaderAndLeavesOutTheDefaultPort() {
    assertThat(urlOf(new Request("GET", "/a?b=c", "Host", "Shop.Example:80"))).isEqualTo("http://shop.example/a");
    assertThat(urlOf(new Request("GET", "/a", "Host", "shop.example:8443"))).isEqualTo("http://shop.example:8443/a");
    Request https = new Request("GET", "/a", "Host", "[::1]:443");
    https.scheme = "https";
    assertThat(urlOf(https)).isEqualTo("https://[::1]/a");
  }

  @Test
  void theUrlReadsTheHostHeadersPortAsAClientUrlDoes() {
    // One set of URL rules (RequestUrl): a port is a number, not its text; 0 and 65536+ are none.
    assertThat(urlOf(new Request("GET", "/a", "Host", "shop.example:0080"))).isEqualTo("http://shop.example/a");
    assertThat(urlOf(new Request("GET", "/a", "Host", "shop.example:08443"))).isEqualTo("http://shop.example:8443/a");
    assertThat(urlOf(new Request("GET", "/a", "Host", "shop.example:99999"))).isEqualTo("http://shop.example/a");
    assertThat(urlOf(new Request("GET", "/a", "Host", "SHOP.example:8443")))
        .isEqualTo(RequestUrl.parse("http://shop.example:8443/a").withoutQuery());
  }

  @Test
  void aHostHeaderThatIsNoPlainHostGivesWayToTheLocalAddress() throws Exception {
    for (String hostile : new String[] {"evil.example/path?x", "a b", "host:123456", "[::1", "user@host", "x".repeat(300), ""}) {
      Request request = new Request("GET", "/a", "Host", hostile);
      request.local = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 8080);
      assertThat(urlOf(request)).as(hostile).isEqualTo("http://127.0.0.1:8080/a");
    }
    Request v6 = new Request("GET", "/a");
    v6.local = new InetSocketAddress(InetAddress.getByName("::1"), 80);
    assertThat(urlOf(v6)).isEqualTo("http://[0:0:0:0:0:0:0:1]/a");
  }

  @Test
  void withoutHostOrLocalAddressThereIsNoUrl() {
    assertThat(urlOf(new Request("GET", "/a"))).isNull();
  }

  @Test
  void anAttackersLongPathAndMethodAreCut() {
    String path = "/" + "p".repeat(100_000);
    Span tx = handler.start(new Request("X".repeat(10_000), path + "?" + "q".repeat(100_000)));
    assertThat(tx.description()).hasSize(HttpServerHandler.MAX_METHOD_LENGTH + 1 + HttpServerHandler.MAX_PATH_LENGTH);
    handler.finish(tx, 200, null);
    Map<String, Object> data = exporter.transactions().get(0).root().data();
    assertThat((String) data.get("http.query")).hasSize(HttpServerHandler.MAX_PATH_LENGTH);
    assertThat((String) data.get("http.request.method")).hasSize(HttpServerHandler.MAX_METHOD_LENGTH);
  }

  @Test
  void anEmptyPathIsTheRoot() {
    assertThat(handler.start(new Request("GET", "")).description()).isEqualTo("GET /");
  }

  @Test
  void ofSeveralSentryTraceLinesTheFirstCounts() {
    String first = "771a43a4192642f0b136d5159a501700-b6e54a5e5d8bd1a2-1";
    Span tx = handler.start(new Request("GET", "/", "sentry-trace", first + ",0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0"));
    assertThat(tx.toSentryTrace()).startsWith("771a43a4192642f0b136d5159a501700-");
    assertThat(tx.parentSpanId().toString()).isEqualTo("b6e54a5e5d8bd1a2");
  }

  @Test
  void aRequestWhoseAdapterThrowsStartsANewTrace() {
    HttpServerRequest broken =
        new HttpServerRequest() {
          @Override
          public String method() {
            return "GET";
          }

          @Override
          public String path() {
            return "/";
          }

          @Override
          public String header(String name) {
            throw new IllegalStateException("broken adapter");
          }
        };
    try (LogRecords handlerLog = LogRecords.asConfigured(HttpServerHandler.class.getName());
        LogRecords tracerLog = LogRecords.asConfigured(Tracer.class.getName())) {
      assertThat(handler.isPreflight(broken)).isFalse();
      Span tx = handler.start(broken);
      assertThat(tx).isNotNull();
      assertThat(tx.parentSpanId()).isNull();
      // Logged once per JVM: another test may have been first.
      assertThat(handlerLog.lines()).allSatisfy(line -> assertThat(line).contains("broken adapter"));
      assertThat(tracerLog.lines()).allSatisfy(line -> assertThat(line).contains("broken adapter"));
    }
  }

  @Test
  void theTransactionNameFunctionFallsBackToTheUrlName() {
    HttpServerHandler named =
        HttpServerHandler.builder(tracer)
            .transactionName(
                request -> {
                  if (request.path().startsWith("/users/")) return "GET /users/{id}";
                  if (request.path().startsWith("/empty")) return "";
                  throw new IllegalStateException("no route");
                })
            .build();
    try (LogRecords log = LogRecords.asConfigured(HttpServerHandler.class.getName())) {
      Span route = named.start(new Request("GET", "/users/7"));
      assertThat(route.description()).isEqualTo("GET /users/{id}");
      assertThat(route.nameSource()).isEqualTo(TransactionNameSource.CUSTOM);
      for (String path : new String[] {"/empty", "/teams/1"}) {
        Span fallback = named.start(new Request("GET", path));
        assertThat(fallback.description()).isEqualTo("GET " + path);
        assertThat(fallback.nameSource()).isEqualTo(TransactionNameSource.URL);
      }
      assertThat(log.lines()).allSatisfy(line -> assertThat(line).contains("no route"));
    }
  }

  @Test
  void finishTakesTheStatusOnceFromAnyThread() throws Exception {
    Span tx = handler.start(new Request("GET", "/"));
    CompletableFuture.runAsync(() -> handler.finish(tx, 404, null)).get(5, TimeUnit.SECONDS);
    handler.finish(tx, 200, new IllegalStateException("late"));
    assertThat(exporter.transactions()).hasSize(1);
    assertThat(exporter.transactions().get(0).root().status()).isEqualTo(SpanStatus.NOT_FOUND);
  }

  @Test
  void noResponseLeavesTheStatusUnknownAndAnErrorWinsOverTheCode() {
    handler.finish(handler.start(new Request("GET", "/none")), -1, null);
    handler.finish(handler.start(new Request("GET", "/error")), 200, new IllegalStateException("boom"));
    assertThat(exporter.transactions()).extracting(t -> t.root().status()).containsExactly(SpanStatus.UNKNOWN, SpanStatus.INTERNAL_ERROR);
    assertThat(exporter.transactions().get(0).root().data()).doesNotContainKey("http.response.status_code");
    assertThat(exporter.transactions().get(1).root().data()).containsEntry("http.response.status_code", 200);
  }

  @Test
  void aResponseWhoseWriteFailedWithAnIoErrorIsCancelledNotAnError() {
    IOException gone = new IOException("Broken pipe");
    handler.finish(handler.start(new Request("GET", "/thrown")), 200, gone, gone);
    handler.finish(handler.start(new Request("GET", "/wrapped")), 200, new IllegalStateException("render failed", gone), gone);
    handler.finish(handler.start(new Request("GET", "/swallowed")), 200, null, gone);
    handler.finish(handler.start(new Request("GET", "/reactive")), 200, null, new RuntimeException("aborted", new UncheckedIOException(gone)));
    assertThat(exporter.transactions()).extracting(t -> t.root().status()).containsOnly(SpanStatus.CANCELLED).hasSize(4);
    assertThat(exporter.transactions()).allSatisfy(t -> assertThat(t.root().data()).containsEntry("http.response.status_code", 200));
  }

  @Test
  void anIoErrorThatNoWriteThrewIsTheServicesError() {
    IOException backend = new IOException("the database went away");
    handler.finish(handler.start(new Request("GET", "/backend")), 200, backend, null);
    handler.finish(handler.start(new Request("GET", "/not-io")), 200, new IllegalStateException("boom"), new IllegalStateException("boom"));
    Throwable cyclic = new IllegalStateException("a cause chain with a cycle") {
      @Override
      public synchronized Throwable getCause() {
        return new IllegalStateException("wrapper", this);
      }
    };
    handler.finish(handler.start(new Request("GET", "/cycle")), 200, cyclic, cyclic);
    Throwable deep = new IOException("too deep to be a wrapped write");
    for (int i = 0; i < 20; i++) deep = new IllegalStateException("wrapper " + i, deep);
    handler.finish(handler.start(new Request("GET", "/deep")), 200, deep, deep);
    assertThat(exporter.transactions()).extracting(t -> t.root().status()).containsOnly(SpanStatus.INTERNAL_ERROR).hasSize(4);
  }

  @Test
  void withoutATransactionThereIsNothingToWriteOrFinish() {
    assertThat(handler.metaTags(null)).isEmpty();
    assertThat(handler.serverTiming(null, "text/html", null)).isNull();
    handler.finish(null, 200, null);
    assertThat(exporter.transactions()).isEmpty();
  }

  @Test
  void preflightsAreOptionsWithARequestMethod() {
    assertThat(handler.isPreflight(new Request("OPTIONS", "/", "Access-Control-Request-Method", "POST"))).isTrue();
    assertThat(handler.isPreflight(new Request("OPTIONS", "/"))).isFalse();
    assertThat(handler.isPreflight(new Request("GET", "/", "Access-Control-Request-Method", "POST"))).isFalse();
  }

  @Test
  void preflightAllowHeadersOnlyExtendAnExistingCorsAnswer() {
    assertThat(handler.preflightAllowHeaders(null, null)).isNull();
    assertThat(handler.preflightAllowHeaders(null, "https://shop.example")).isEqualTo("sentry-trace, baggage");
    assertThat(handler.preflightAllowHeaders("Content-Type, BAGGAGE", null)).isEqualTo("Content-Type, BAGGAGE, sentry-trace");
    assertThat(HttpServerHandler.builder(tracer).corsAllowHeaders(false).build().preflightAllowHeaders("Content-Type", "*")).isNull();
  }

  @Test
  void serverTimingFollowsThePolicyByContentType() {
    Span tx = handler.start(new Request("GET", "/"));
    String ours = ServerTiming.header(tx);
    assertThat(handler.serverTiming(tx, "text/html", null)).isEqualTo(ours);
    assertThat(handler.serverTiming(tx, " Text/HTML ; charset=utf-8", null)).isEqualTo(ours);
    assertThat(handler.serverTiming(tx, "application/xhtml+xml", null)).isEqualTo(ours);
    assertThat(handler.serverTiming(tx, "text/htmlx", null)).isNull();
    assertThat(handler.serverTiming(tx, "application/json", null)).isNull();
    assertThat(handler.serverTiming(tx, null, null)).isNull();
    HttpServerHandler all = HttpServerHandler.builder(tracer).serverTiming(ServerTimingPolicy.ALL).build();
    assertThat(all.serverTiming(tx, null, null)).isEqualTo(ours);
    HttpServerHandler off = HttpServerHandler.builder(tracer).serverTiming(ServerTimingPolicy.OFF).build();
    assertThat(off.serverTiming(tx, "text/html", null)).isNull();
  }

  @Test
  void serverTimingKeepsTheAppsMetricsAndNeverRepeatsTheTrace() {
    Span tx = handler.start(new Request("GET", "/"));
    String ours = ServerTiming.header(tx);
    assertThat(handler.serverTiming(tx, "text/html", "db;dur=53")).isEqualTo("db;dur=53, " + ours);
    assertThat(handler.serverTiming(tx, "text/html", "  ")).isEqualTo(ours);
    assertThat(handler.serverTiming(tx, "text/html", "db;dur=1, Sentry-Trace;desc=\"x\"")).isNull();
    // A "sentry-trace" inside another metric's description is no sentry-trace metric.
    assertThat(handler.serverTiming(tx, "text/html", "db;desc=\"a, sentry-trace\"")).isEqualTo("db;desc=\"a, sentry-trace\", " + ours);
    assertThat(handler.serverTiming(tx, "text/html", "sentry-traces;dur=1")).endsWith(ours);
  }

  /** Response headers in a map, names case-insensitive, as a server adapter hands them over. */
  static final class Headers implements HttpServerResponse {
    final Map<String, String> values = new HashMap<>();
    int writes;

    Headers(String... namesAndValues) {
      for (int i = 0; i < namesAndValues.length; i += 2) values.put(namesAndValues[i].toLowerCase(Locale.ROOT), namesAndValues[i + 1]);
    }

    @Override
    public String header(String name) {
      return values.get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public void setHeader(String name, String value) {
      writes++;
      values.put(name.toLowerCase(Locale.ROOT), value);
    }
  }

  @Test
  void beforeHeadersAddsServerTimingToATracedResponseAndSaysWhenItIsSettled() {
    Span tx = handler.start(new Request("GET", "/"));
    Headers json = new Headers("Content-Type", "application/json");
    assertThat(handler.beforeHeaders(tx, json)).as("left alone: the app may still make it a page").isFalse();
    assertThat(json.writes).isZero();
    Headers page = new Headers("Content-Type", "text/html; charset=utf-8", "Server-Timing", "db;dur=53");
    assertThat(handler.beforeHeaders(tx, page)).isTrue();
    assertThat(page.header("server-timing")).isEqualTo("db;dur=53, " + ServerTiming.header(tx));
    assertThat(page.header("Access-Control-Allow-Headers")).isNull();
    assertThat(handler.beforeHeaders(tx, page)).as("the trace is there once").isFalse();
    assertThat(page.writes).isEqualTo(1);
  }

  @Test
  void beforeHeadersMergesTheTraceHeadersIntoAPreflightsCorsAnswerOnly() {
    Headers cors = new Headers("Access-Control-Allow-Origin", "https://shop.example", "Access-Control-Allow-Headers", "Content-Type");
    assertThat(handler.beforeHeaders(null, cors)).isTrue();
    assertThat(cors.header("access-control-allow-headers")).isEqualTo("Content-Type, sentry-trace, baggage");
    assertThat(cors.header("Server-Timing")).isNull();
    Headers noCors = new Headers("Content-Type", "text/html");
    assertThat(handler.beforeHeaders(null, noCors)).isFalse();
    assertThat(noCors.writes).isZero();
    Headers off = new Headers("Access-Control-Allow-Origin", "*");
    assertThat(HttpServerHandler.builder(tracer).corsAllowHeaders(false).build().beforeHeaders(null, off)).isFalse();
    assertThat(off.writes).isZero();
  }

  @Test
  void aBrokenResponseAdapterIsLoggedAndSettlesTheResponse() {
    Span tx = handler.start(new Request("GET", "/"));
    HttpServerResponse broken =
        new HttpServerResponse() {
          @Override
          public String header(String name) {
            throw new IllegalStateException("broken response adapter");
          }

          @Override
          public void setHeader(String name, String value) {
            throw new AssertionError("nothing to set");
          }
        };
    try (LogRecords log = LogRecords.asConfigured(HttpServerHandler.class.getName())) {
      assertThat(handler.beforeHeaders(tx, broken)).as("once is enough").isTrue();
      assertThat(handler.beforeHeaders(null, broken)).isTrue();
      // Logged once per JVM: another test may have been first.
      assertThat(log.lines()).hasSizeLessThanOrEqualTo(1).allSatisfy(line -> assertThat(line).contains("broken response adapter"));
    }
  }

  @Test
  void findingAMetricIsOnePassOverHostileInput() {
    assertThat(HttpServerHandler.hasMetric("\"".repeat(10_001) + ", sentry-trace", "sentry-trace")).isFalse();
    assertThat(HttpServerHandler.hasMetric("a;desc=\"\\\"\", sentry-trace", "sentry-trace")).isTrue();
    assertThat(HttpServerHandler.hasMetric(",,, \t", "sentry-trace")).isFalse();
  }

  @Test
  void rejectsMisuseByName() {
    assertThatThrownBy(() -> HttpServerHandler.create(null)).isInstanceOf(NullPointerException.class).hasMessage("tracer");
    assertThatThrownBy(() -> HttpServerHandler.builder(tracer).serverTiming(null)).isInstanceOf(NullPointerException.class).hasMessage("serverTiming");
    assertThatThrownBy(() -> HttpServerHandler.builder(tracer).transactionName(null)).isInstanceOf(NullPointerException.class).hasMessage("transactionName");
  }
}
