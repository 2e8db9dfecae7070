package io.sentrytrace.demo.shop;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import io.sentrytrace.MetaTags;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import io.sentrytrace.apache.TracingExecInterceptor;
import io.sentrytrace.demo.collector.Envelope;
import io.sentrytrace.demo.web.Html;
import io.sentrytrace.demo.web.Http;
import io.sentrytrace.jdkhttp.TracingHttpClient;
import io.sentrytrace.okhttp.TracingInterceptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * The "shop" backend. {@code GET /} renders the page inside its {@code http.server} transaction,
 * with that transaction's {@code <meta>} tags for @sentry/browser; {@code GET /server-timing} renders
 * the same page without meta tags: the browser gets the trace from the {@code Server-Timing} header
 * that the trace filter adds to HTML responses. {@code POST /api/checkout} (the
 * page's fetch, carrying the browser's {@code sentry-trace} and {@code baggage}) calls inventory
 * through OkHttp, payments through Apache HttpClient and shipping through the JDK HttpClient.
 *
 * <pre>{@code
 * Shop shop = Shop.start(0, tracer, traceFilter, downstreams, browser, apiUrl, tracesUri, bundle, System.out);
 * }</pre>
 */
public final class Shop implements AutoCloseable {
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
  private static final int MAX_REMEMBERED = 100;

  /** What {@code GET /} put in the page's meta tags, for tests and the --once client. */
  public record RenderedPage(String traceId, String spanId, String sentryTrace, String baggage) {}

  /** What the page's @sentry/browser reports as: its DSN, release and environment. */
  public record Browser(String dsn, String release, String environment) {}

  /** The downstream services the checkout calls. */
  public record Downstreams(URI inventory, URI payments, URI shipping) {}

  final Service service;
  private final Downstreams downstreams;
  private final String pageConfig;
  private final URI tracesUri;
  private final Bundle bundle;
  private final byte[] appJs;
  private final PrintStream log;
  private final OkHttpClient okHttp;
  private final CloseableHttpClient apache;
  private final HttpClient jdk;
  private final List<RenderedPage> renderedPages = new CopyOnWriteArrayList<>();

  /** The pages rendered so far, oldest first (for tests and the demo's own checks). */
  public List<RenderedPage> renderedPages() {
    return List.copyOf(renderedPages);
  }
  final BlockingQueue<Map<String, Object>> pageReports = new LinkedBlockingQueue<>(MAX_REMEMBERED);

  private Shop(Service service, Downstreams downstreams, Browser browser, URI apiUrl, URI tracesUri, Bundle bundle, PrintStream log) {
    this.service = service;
    this.downstreams = downstreams;
    this.tracesUri = tracesUri;
    this.bundle = bundle;
    this.log = log;
    this.appJs = resource("static/app.js");
    this.pageConfig = "{\"dsn\": " + Html.jsString(browser.dsn())
        + ", \"release\": " + Html.jsString(browser.release())
        + ", \"environment\": " + Html.jsString(browser.environment())
        + ", \"apiUrl\": " + Html.jsString(apiUrl.toString())
        + ", \"apiOrigin\": " + Html.jsString("http://" + apiUrl.getAuthority())
        + ", \"howToBuild\": " + Html.jsString(Bundle.HOW_TO_BUILD) + "}";
    Tracer tracer = service.tracer;
    this.okHttp = TracingInterceptor.instrument(new OkHttpClient.Builder().callTimeout(CALL_TIMEOUT).build(), tracer);
    this.apache = HttpClients.custom()
        .addExecInterceptorFirst("sentry-trace", TracingExecInterceptor.create(tracer))
        .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(CALL_TIMEOUT)).build())
        .build();
    this.jdk = TracingHttpClient.instrument(HttpClient.newBuilder().connectTimeout(CALL_TIMEOUT).build(), tracer);
  }

  public static Shop start(
      int port, Tracer tracer, Filter traceFilter, Downstreams downstreams, Browser browser, URI apiUrl,
      URI tracesUri, Bundle bundle, PrintStream log) {
    Service service = Service.create("shop", port, tracer, traceFilter);
    Shop shop = new Shop(service, downstreams, browser, apiUrl, tracesUri, bundle, log);
    service
        .traced("/", ex -> shop.page(ex, "/", true))
        .traced(SERVER_TIMING_PAGE, ex -> shop.page(ex, SERVER_TIMING_PAGE, false))
        .traced("/api/checkout", shop::checkout)
        .untraced("/sentry.js", shop::sentryJs)
        .untraced("/app.js", ex -> Http.send(ex, 200, "text/javascript; charset=utf-8", shop.appJs))
        .untraced("/favicon.ico", ex -> Http.empty(ex, 204))
        .untraced("/api/report", shop::report)
        .start();
    return shop;
  }

  public URI baseUri() {
    return service.baseUri();
  }

  /**
   * The shop page at {@code path}; {@code withMeta}: the trace goes to the browser in {@code <meta>}
   * tags, else only in the {@code Server-Timing} header that the trace filter adds.
   */
  private void page(HttpExchange ex, String path, boolean withMeta) throws IOException {
    if (!ex.getRequestURI().getPath().equals(path)) {
      Http.send(ex, 404, "text/plain; charset=utf-8", "not found\n");
      return;
    }
    if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
      Http.send(ex, 405, "text/plain; charset=utf-8", "GET only\n");
      return;
    }
    Span tx = service.tracer.currentSpan();
    String meta = "";
    if (tx != null) {
      if (withMeta) meta = MetaTags.render(tx);
      remember(renderedPages, new RenderedPage(tx.traceId().toString(), tx.spanId().toString(), tx.toSentryTrace(), tx.toBaggage()));
      log.println("shop: rendered " + path + " in trace " + tx.traceId() + " (server span " + tx.spanId() + ")"
          + (withMeta ? "" : ", handed over in Server-Timing only"));
    } else {
      log.println("shop: rendered " + path + " without a current span: is the trace filter missing?");
    }
    String sdk = bundle != null
        ? "<script src=\"/sentry.js\"></script>"
        : "<!-- @sentry/browser bundle not built: " + Html.escape(Bundle.HOW_TO_BUILD) + " -->";
    String html = Html.fill(PAGE, Map.of(
        "META", meta,
        "HANDOFF", withMeta ? META_HANDOFF : SERVER_TIMING_HANDOFF,
        "CONFIG", pageConfig,
        "SDK", sdk,
        "TRACE_ID", tx == null ? "(none)" : Html.escape(tx.traceId().toString()),
        "TRACES", Html.escape(tracesUri.toString())));
    Http.send(ex, 200, "text/html; charset=utf-8", html);
  }

  private void sentryJs(HttpExchange ex) throws IOException {
    if (bundle == null) {
      Http.send(ex, 404, "text/javascript; charset=utf-8", "// not built: " + Bundle.HOW_TO_BUILD + "\n");
    } else {
      Http.send(ex, 200, "text/javascript; charset=utf-8", bundle.bytes());
    }
  }

  private void checkout(HttpExchange ex) throws IOException {
    if (!ex.getRequestMethod().equals("POST")) {
      Http.send(ex, 405, "text/plain; charset=utf-8", "POST only\n");
      return;
    }
    Http.readBody(ex.getRequestBody(), 64 * 1024);
    String incoming = ex.getRequestHeaders().getFirst(SentryTrace.HEADER);
    Map<String, String> results = new LinkedHashMap<>();
    results.put("inventory", viaOkHttp(downstreams.inventory().resolve("/reserve")));
    results.put("payments", viaApache(downstreams.payments().resolve("/charge")));
    results.put("shipping", viaJdk(downstreams.shipping().resolve("/quote")));
    boolean ok = results.values().stream().allMatch("200"::equals);
    Span tx = service.tracer.currentSpan();
    String traceId = tx == null ? "" : tx.traceId().toString();
    log.printf("shop: checkout (incoming sentry-trace %s) -> inventory %s via OkHttp, payments %s via Apache HttpClient, shipping %s via JDK HttpClient%n",
        incoming == null ? "none" : Html.printable(incoming), results.get("inventory"), results.get("payments"), results.get("shipping"));
    StringBuilder json = new StringBuilder("{\"trace_id\": ").append(Html.jsString(traceId));
    results.forEach((k, v) -> json.append(", ").append(Html.jsString(k)).append(": ").append(Html.jsString(v)));
    Http.send(ex, ok ? 200 : 502, "application/json", json.append("}").toString());
  }

  private String viaOkHttp(URI uri) {
    okhttp3.Request request = new okhttp3.Request.Builder()
        .url(uri.toString())
        .post(RequestBody.create("{\"sku\":\"socks\",\"qty\":1}", MediaType.get("application/json")))
        .build();
    try (okhttp3.Response response = okHttp.newCall(request).execute()) {
      return String.valueOf(response.code());
    } catch (IOException | RuntimeException e) {
      return "failed: " + e;
    }
  }

  private String viaApache(URI uri) {
    HttpPost post = new HttpPost(uri);
    post.setEntity(new StringEntity("{\"amount\":1299,\"currency\":\"EUR\"}", ContentType.APPLICATION_JSON));
    try {
      return apache.execute(post, response -> String.valueOf(response.getCode()));
    } catch (IOException | RuntimeException e) {
      return "failed: " + e;
    }
  }

  private String viaJdk(URI uri) {
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(CALL_TIMEOUT)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"zone\":\"EU\"}"))
        .build();
    try {
      return String.valueOf(jdk.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "failed: interrupted";
    } catch (IOException | RuntimeException e) {
      return "failed: " + e;
    }
  }

  /** The page posts what its requests did (a beacon), so a person and the tests can see it. */
  private void report(HttpExchange ex) throws IOException {
    Map<String, Object> report;
    try {
      byte[] body = Http.readBody(ex.getRequestBody(), 16 * 1024);
      report = Envelope.asMap(Envelope.parseJson(body, 0, body.length));
    } catch (IOException | IllegalArgumentException e) {
      Http.send(ex, 400, "text/plain; charset=utf-8", "bad report\n");
      return;
    }
    remember(pageReports, report);
    log.println("shop: the page reports " + Html.printable(report.toString()));
    Http.empty(ex, 204);
  }

  public Map<String, Object> awaitPageReport(Duration timeout) throws InterruptedException {
    return pageReports.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static <T> void remember(java.util.Collection<T> memory, T item) {
    synchronized (memory) {
      if (memory.size() >= MAX_REMEMBERED) memory.remove(memory.iterator().next());
      memory.add(item);
    }
  }

  private static byte[] resource(String name) {
    try (InputStream in = Shop.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("missing classpath resource " + name);
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    service.close();
    okHttp.dispatcher().executorService().shutdown();
    okHttp.connectionPool().evictAll();
    try {
      apache.close();
    } catch (IOException e) {
      // closing; nothing to do
    }
  }

  /** The page that hands the trace to the browser in the {@code Server-Timing} header only. */
  public static final String SERVER_TIMING_PAGE = "/server-timing";

  private static final String META_HANDOFF = """
      put that transaction's <code>sentry-trace</code> and <code>baggage</code> into the two <code>&lt;meta&gt;</code>
      tags of this page (<a href="/server-timing">without meta tags</a>: the same from the <code>Server-Timing</code> header).""";

  private static final String SERVER_TIMING_HANDOFF = """
      handed that transaction's <code>sentry-trace</code> and <code>baggage</code> to the browser in the
      <code>Server-Timing</code> header of this page, which has no <code>&lt;meta&gt;</code> tags
      (<a href="/">the page with meta tags</a>).""";

  private static final String PAGE = """
      <!doctype html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <title>sentry-trace demo shop</title>
      {{META}}
      <script>window.SENTRY_TRACE_DEMO = {{CONFIG}};</script>
      {{SDK}}
      <style>
      body{font:15px system-ui,sans-serif;margin:2em;max-width:56em}code{font-size:13px}
      li.ok::marker{content:"\\2713  "}li.bad{color:#c00}li.bad::marker{content:"\\2717  "}
      </style>
      </head>
      <body>
      <h1>sentry-trace demo shop</h1>
      <p>The <b>shop</b> service rendered this page inside its <code>http.server</code> transaction and
      {{HANDOFF}} @sentry/browser continues the trace: its pageload transaction becomes a child of
      the server span, and its fetches carry the trace on to the shop's checkout, to the inventory, payments
      and shipping services behind it, and cross-origin to the api service.</p>
      <p>Trace id: <code>{{TRACE_ID}}</code>. The collector assembles it at <a href="{{TRACES}}">{{TRACES}}</a>
      (the pageload arrives about a second after the page goes quiet). Reload for a new trace.</p>
      <ol id="log"></ol>
      <script src="/app.js"></script>
      </body>
      </html>
      """;
}
