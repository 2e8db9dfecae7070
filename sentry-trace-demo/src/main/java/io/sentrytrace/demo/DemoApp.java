package io.sentrytrace.demo;

import com.sun.net.httpserver.Filter;
import io.sentrytrace.SpanExporter;
import io.sentrytrace.Tracer;
import io.sentrytrace.demo.collector.Collector;
import io.sentrytrace.demo.shop.Api;
import io.sentrytrace.demo.shop.Bundle;
import io.sentrytrace.demo.shop.Service;
import io.sentrytrace.demo.shop.Shop;
import io.sentrytrace.demo.web.Http;
import io.sentrytrace.envelope.EnvelopeExporter;
import io.sentrytrace.http.HttpServerHandler;
import io.sentrytrace.jdkhttp.TracingFilter;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * All of the demo's servers, started together on 127.0.0.1: the collector first (everything sends
 * to it), then the downstream services, the api, and the shop that calls them.
 */
final class DemoApp implements AutoCloseable {
  static final String VERSION = "0.1.0";
  static final String ENVIRONMENT = "demo";
  /** The backend services' project and key; the browser has its own, as in a real Sentry org. */
  static final String BACKEND_KEY = "backendkey";
  static final String BACKEND_PROJECT = "1";
  static final String BROWSER_KEY = "browserkey";
  static final String BROWSER_PROJECT = "2";
  static final String BROWSER_RELEASE = "browser@" + VERSION;

  final DemoOptions options;
  final Collector collector;
  final Service inventory;
  final Service payments;
  final Service shipping;
  final Api api;
  final Shop shop;
  final Bundle bundle;
  private final List<AutoCloseable> started;
  private final AtomicBoolean closed = new AtomicBoolean();

  private DemoApp(DemoOptions options, Collector collector, Service inventory, Service payments, Service shipping,
      Api api, Shop shop, Bundle bundle, List<AutoCloseable> started) {
    this.options = options;
    this.collector = collector;
    this.inventory = inventory;
    this.payments = payments;
    this.shipping = shipping;
    this.api = api;
    this.shop = shop;
    this.bundle = bundle;
    this.started = started;
  }

  /**
   * Starts everything; on failure (a port in use) stops what already started and rethrows.
   *
   * @throws IllegalArgumentException when {@code --bundle} names no file
   */
  static DemoApp start(DemoOptions options, PrintStream log) {
    Bundle bundle = Bundle.locate(options.bundle());
    List<AutoCloseable> started = new ArrayList<>();
    try {
      Collector collector = track(started, Collector.start(options.collectorPort(), log, !options.once()));
      String backendDsn = collector.dsn(BACKEND_KEY, BACKEND_PROJECT);
      Service inventory = track(started, downstream("inventory", options.inventoryPort(), backendDsn,
          "db.query", "SELECT stock FROM items WHERE sku = ?", "/reserve", "{\"reserved\": true}"));
      Service payments = track(started, downstream("payments", options.paymentsPort(), backendDsn,
          "db.query", "INSERT INTO charges (order_id, amount) VALUES (?, ?)", "/charge", "{\"charged\": true}"));
      Service shipping = track(started, downstream("shipping", options.shippingPort(), backendDsn,
          "db.query", "SELECT price FROM rates WHERE zone = ?", "/quote", "{\"price\": 4.9}"));
      Tracer apiTracer = tracer("api", backendDsn);
      Api api = track(started, Api.start(options.apiPort(), apiTracer, filter(apiTracer, options.corsHelp()), log));
      Tracer shopTracer = tracer("shop", backendDsn);
      // The api must allow the shop's real origin: with --shop-port=0 it is known only now.
      Shop shop = track(started, Shop.start(options.shopPort(), shopTracer, filter(shopTracer, true),
          new Shop.Downstreams(inventory.baseUri(), payments.baseUri(), shipping.baseUri()),
          new Shop.Browser(collector.dsn(BROWSER_KEY, BROWSER_PROJECT), BROWSER_RELEASE, ENVIRONMENT), api.recommendationsUri(), collector.tracesUri(), bundle, log));
      api.allowOrigin(shop.baseUri().getPort());
      return new DemoApp(options, collector, inventory, payments, shipping, api, shop, bundle, started);
    } catch (RuntimeException e) {
      closeAll(started);
      throw e;
    }
  }

  private static <T extends AutoCloseable> T track(List<AutoCloseable> started, T service) {
    started.add(service);
    return service;
  }

  /** A service's own tracer: its release names it in the trace; it exports to the collector. */
  static Tracer tracer(String service, String dsn) {
    return Tracer.builder()
        .dsn(dsn)
        .tracesSampleRate(1.0)
        .release(service + "@" + VERSION)
        .environment(ENVIRONMENT)
        .tracePropagationTargets(List.of("http://127.0.0.1:"))
        .exporter(exporter(dsn))
        .build();
  }

  private static SpanExporter exporter(String dsn) {
    return EnvelopeExporter.builder(dsn).closeTimeout(Duration.ofSeconds(2)).build();
  }

  /** {@code corsHelp}: whether preflight answers get {@code sentry-trace, baggage} allowed. */
  private static Filter filter(Tracer tracer, boolean corsHelp) {
    return TracingFilter.create(HttpServerHandler.builder(tracer).corsAllowHeaders(corsHelp).build());
  }

  /** A downstream service with one POST route that does a little (simulated) database work. */
  private static Service downstream(String name, int port, String dsn, String op, String work, String path, String answer) {
    Tracer tracer = tracer(name, dsn);
    Service service = Service.create(name, port, tracer, filter(tracer, true));
    service.traced(path, ex -> {
      if (!ex.getRequestMethod().equals("POST") || !ex.getRequestURI().getPath().equals(path)) {
        Http.send(ex, 404, "text/plain; charset=utf-8", "not found\n");
        return;
      }
      Http.readBody(ex.getRequestBody(), 64 * 1024);
      service.work(op, work, Duration.ofMillis(5));
      Http.send(ex, 200, "application/json", answer);
    });
    return service.start();
  }

  void printWelcome(PrintStream out) {
    out.println("sentry-trace demo " + VERSION + ": every server listens on 127.0.0.1 only");
    out.printf("  shop       %-40s the page (open this in a browser) and POST /api/checkout%n", shop.baseUri() + "/");
    out.printf("             %-40s the same page without meta tags: the trace comes in Server-Timing%n",
        shop.baseUri() + Shop.SERVER_TIMING_PAGE);
    out.printf("  api        %-40s another origin: the page calls it cross-origin (trace filter CORS help %s)%n",
        api.recommendationsUri(), options.corsHelp() ? "on" : "OFF");
    out.printf("  collector  %-40s the assembled traces; Sentry envelopes go to /api/<project>/envelope/%n", collector.tracesUri());
    out.printf("  inventory  %-40s called by the shop through OkHttp%n", inventory.baseUri());
    out.printf("  payments   %-40s called by the shop through Apache HttpClient 5%n", payments.baseUri());
    out.printf("  shipping   %-40s called by the shop through the JDK HttpClient%n", shipping.baseUri());
    out.println(bundle != null
        ? "  @sentry/browser bundle: " + bundle.describe()
        : "  @sentry/browser bundle: not built; the page still checks out but sends no browser transaction ("
            + Bundle.HOW_TO_BUILD + ")");
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) closeAll(started);
  }

  /** The shop first (it calls the others), the collector last (the others flush to it). */
  private static void closeAll(List<AutoCloseable> started) {
    List<AutoCloseable> reversed = new ArrayList<>(started);
    Collections.reverse(reversed);
    for (AutoCloseable c : reversed) {
      try {
        c.close();
      } catch (Exception e) {
        // shutting down: keep closing the rest
      }
    }
  }
}
