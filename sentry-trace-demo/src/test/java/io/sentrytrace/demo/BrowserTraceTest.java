package io.sentrytrace.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.sentrytrace.Baggage;
import io.sentrytrace.demo.collector.Envelope;
import io.sentrytrace.demo.collector.ReceivedSpan;
import io.sentrytrace.demo.collector.ReceivedTransaction;
import io.sentrytrace.demo.collector.Trace;
import io.sentrytrace.demo.collector.TraceCheck;
import io.sentrytrace.demo.collector.TraceTree;
import io.sentrytrace.demo.shop.Api;
import io.sentrytrace.demo.shop.Bundle;
import io.sentrytrace.demo.shop.Shop;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The end-to-end proof with the real @sentry/browser in headless Chromium: the demo runs in-process
 * on ephemeral ports, the browser loads the shop page, and the collector's envelopes show one trace
 * from the server span that rendered the page, through the pageload and its fetches, to the last
 * downstream service. Needs Chromium and the built bundle; without them the test is skipped, or
 * fails when {@code SENTRY_TRACE_REQUIRE_BROWSER=true} (CI).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrowserTraceTest {
  private static final String REQUIRE = "SENTRY_TRACE_REQUIRE_BROWSER";
  private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration TRACE_TIMEOUT = Duration.ofSeconds(20);

  private Path chromium;
  private String skipReason;
  private PageRun run;

  /** What one page load left behind, captured before the demo stopped. */
  record PageRun(
      Shop.RenderedPage page, Map<String, Object> report, Trace trace, List<Api.Received> apiReceived, String apiUrl,
      List<String> console) {}

  @BeforeAll
  void loadThePageWithCorsHelp() throws Exception {
    chromium = Chromium.find().orElse(null);
    Bundle bundle = Bundle.locate(null);
    String missing = chromium == null ? "Chromium not found (/usr/bin/chromium or $CHROMIUM)"
        : bundle == null ? "the @sentry/browser bundle is not built" : null;
    if (missing != null) {
      skipReason = missing + ". To run the browser test: apt-get install -y chromium; " + Bundle.HOW_TO_BUILD
          + " (or sentry-trace-demo/ci-setup.sh)";
      System.out.println("[browser-test] " + skipReason);
      return;
    }
    run = loadPage("/", true, "with-cors-help");
    ReceivedTransaction pageload = pageload(run.trace());
    System.out.println("[browser-test] trace id                 " + run.page().traceId());
    System.out.println("[browser-test] server span (GET /)      " + run.page().spanId());
    System.out.println("[browser-test] meta baggage             " + run.page().baggage());
    System.out.println("[browser-test] pageload span            " + pageload.root().spanId()
        + " trace " + pageload.traceId() + " parent " + pageload.root().parentSpanId());
    System.out.println("[browser-test] pageload envelope trace  " + pageload.envelopeTrace());
    System.out.println("[browser-test] page report              " + run.report());
    System.out.print(TraceTree.of(run.trace()).render());
  }

  /** Each test reports the skip (or, when the browser is required, fails) on its own, with how to fix it. */
  @BeforeEach
  void requireBrowser() {
    if (skipReason == null) return;
    if ("true".equalsIgnoreCase(System.getenv(REQUIRE))) fail(skipReason + " [" + REQUIRE + "=true]");
    Assumptions.abort(skipReason);
  }

  @Test
  void pageloadIsTheChildOfTheServerSpanThatRenderedThePage() {
    ReceivedTransaction server = run.trace().transaction(tx -> tx.root().spanId().equals(run.page().spanId())).orElseThrow();
    ReceivedTransaction pageload = pageload(run.trace());

    assertThat(server.service()).isEqualTo("shop");
    assertThat(server.op()).isEqualTo("http.server");
    assertThat(pageload.service()).isEqualTo("browser");
    assertThat(pageload.traceId()).isEqualTo(server.traceId()).isEqualTo(run.page().traceId());
    assertThat(pageload.root().parentSpanId()).isEqualTo(server.root().spanId());
    // The SDK's own view, reported by the page right after Sentry.init.
    assertThat(Envelope.asMap(run.report().get("pageload")))
        .containsEntry("trace_id", run.page().traceId())
        .containsEntry("parent_span_id", run.page().spanId());
  }

  @Test
  void pageloadEnvelopeCarriesTheBackendsFrozenDsc() {
    ReceivedTransaction server = run.trace().transaction(tx -> tx.root().spanId().equals(run.page().spanId())).orElseThrow();
    ReceivedTransaction pageload = pageload(run.trace());

    Map<String, String> frozen = Baggage.parse(run.page().baggage()).sentryValues();
    assertThat(frozen).containsKeys("trace_id", "public_key", "release", "sample_rand", "sampled");
    // @sentry/browser re-serialises sample_rand as a number (0.641900 -> "0.6419"): same value.
    assertThat(withNumericSampleRand(pageload.envelopeTrace())).isEqualTo(withNumericSampleRand(frozen));
    assertThat(server.envelopeTrace()).isEqualTo(frozen);
  }

  @Test
  void checkoutFetchCarriesTheTraceToTheShopAndEveryDownstream() {
    Trace trace = run.trace();
    ReceivedTransaction pageload = pageload(trace);
    ReceivedTransaction checkout = trace.transaction(tx -> "shop".equals(tx.service()) && "POST /api/checkout".equals(tx.name()))
        .orElseThrow();

    ReceivedSpan fetch = pageload.spans().stream()
        .filter(s -> s.spanId().equals(checkout.root().parentSpanId())).findFirst().orElseThrow();
    assertThat(fetch.op()).isEqualTo("http.client");
    assertThat(fetch.description()).contains("/api/checkout");
    assertThat(checkout.traceId()).isEqualTo(run.page().traceId());
    for (String service : TraceCheck.DOWNSTREAMS) {
      // One call each; a client's own retry would arrive as a second transaction with the same parent.
      List<ReceivedTransaction> downstream = trace.fromService(service);
      assertThat(downstream).as(service).isNotEmpty();
      assertThat(downstream).extracting(tx -> tx.root().parentSpanId()).as(service).containsOnly(downstream.get(0).root().parentSpanId());
      assertThat(downstream.get(0).traceId()).as(service).isEqualTo(run.page().traceId());
      Optional<ReceivedSpan> parent = checkout.spans().stream()
          .filter(s -> s.spanId().equals(downstream.get(0).root().parentSpanId())).findFirst();
      assertThat(parent).as(service + "'s parent in the checkout").isPresent();
      assertThat(parent.get().op()).isEqualTo("http.client");
    }
    // containsOnly: an envelope sent twice is the same root twice, not a second root.
    assertThat(trace.roots()).extracting(tx -> tx.root().spanId()).containsOnly(run.page().spanId());
    assertThat(run.report()).containsEntry("checkout", 200L);
  }

  @Test
  void crossOriginRequestCarriesTheTraceWhenTheFilterAllowsItsHeaders() {
    Trace trace = run.trace();
    assertThat(run.report()).containsEntry("api", 200L);
    assertThat(run.apiReceived()).anySatisfy(r -> {
      assertThat(r.method()).isEqualTo("OPTIONS");
      assertThat(r.requestedHeaders()).contains("sentry-trace").contains("baggage");
      assertThat(r.allowedHeaders()).contains("sentry-trace").contains("baggage").contains("content-type");
    });
    assertThat(run.apiReceived()).anySatisfy(r -> {
      assertThat(r.method()).isEqualTo("POST");
      assertThat(r.sentryTrace()).startsWith(run.page().traceId() + "-");
    });
    ReceivedTransaction api = trace.fromService("api").get(0);
    ReceivedSpan fetch = pageload(trace).spans().stream()
        .filter(s -> s.spanId().equals(api.root().parentSpanId())).findFirst().orElseThrow();
    assertThat(fetch.op()).isEqualTo("http.client");
    assertThat(fetch.description()).contains(run.apiUrl());
  }

  @Test
  void crossOriginRequestNeverArrivesWithoutTheFiltersCorsHelp() throws Exception {
    PageRun without = loadPage("/", false, "without-cors-help");

    assertThat(without.report()).containsEntry("checkout", 200L);
    assertThat((String) without.report().get("api")).startsWith("failed");
    // The browser asked (preflight) for the trace headers; the answer did not allow them, so the POST was never sent.
    assertThat(without.apiReceived()).anySatisfy(r -> {
      assertThat(r.method()).isEqualTo("OPTIONS");
      assertThat(r.requestedHeaders()).contains("sentry-trace");
      assertThat(r.allowedHeaders()).isEqualTo("content-type");
    });
    assertThat(without.apiReceived()).noneMatch(r -> r.method().equals("POST"));
    assertThat(without.console()).anyMatch(l -> l.contains("CORS") || l.contains("Access-Control"));
    System.out.println("[browser-test] without CORS help, the page reported " + without.report());
  }

  @Test
  @SuppressWarnings("unchecked") // the page's JSON report: a list of names
  void pageWithoutMetaTagsContinuesTheServerTransactionFromServerTiming() throws Exception {
    PageRun timing = loadPage(Shop.SERVER_TIMING_PAGE, true, "server-timing");
    ReceivedTransaction server = timing.trace().transaction(tx -> tx.root().spanId().equals(timing.page().spanId())).orElseThrow();
    ReceivedTransaction pageload = pageload(timing.trace());
    System.out.println("[browser-test] Server-Timing page: server span " + timing.page().spanId() + ", pageload "
        + pageload.root().spanId() + " parent " + pageload.root().parentSpanId() + ", page report " + timing.report());

    // The browser saw no meta tags, and the trace in its navigation entry's serverTiming.
    Map<String, Object> handoff = Envelope.asMap(timing.report().get("handoff"));
    assertThat(handoff).containsEntry("meta", false);
    assertThat((List<Object>) handoff.get("serverTiming")).contains("sentry-trace", "baggage");

    assertThat(server.name()).isEqualTo("GET " + Shop.SERVER_TIMING_PAGE);
    assertThat(pageload.traceId()).isEqualTo(server.traceId()).isEqualTo(timing.page().traceId());
    assertThat(pageload.root().parentSpanId()).isEqualTo(server.root().spanId());
    assertThat(Envelope.asMap(timing.report().get("pageload")))
        .containsEntry("trace_id", timing.page().traceId())
        .containsEntry("parent_span_id", timing.page().spanId());
    // The pageload's envelope carries the backend's DSC, as it does when read from meta tags.
    Map<String, String> frozen = Baggage.parse(timing.page().baggage()).sentryValues();
    assertThat(frozen).containsKeys("trace_id", "public_key", "release", "sample_rand", "sampled");
    assertThat(withNumericSampleRand(pageload.envelopeTrace())).isEqualTo(withNumericSampleRand(frozen));
    // The checkout fetch continues the same trace.
    assertThat(timing.trace().fromService("inventory")).singleElement()
        .satisfies(tx -> assertThat(tx.traceId()).isEqualTo(timing.page().traceId()));
  }

  private PageRun loadPage(String path, boolean corsHelp, String name) throws Exception {
    DemoOptions options = DemoOptions.parse(corsHelp
        ? new String[] {"--shop-port=0", "--api-port=0", "--collector-port=0", "--once"}
        : new String[] {"--shop-port=0", "--api-port=0", "--collector-port=0", "--once", "--no-cors-help"});
    try (DemoApp app = DemoApp.start(options, System.out)) {
      Path log = Path.of("target", "browser-test", "chromium-" + name + ".log");
      Map<String, Object> report;
      List<String> console;
      try (Chromium browser = Chromium.open(chromium, app.shop.baseUri().resolve(path), log)) {
        report = app.shop.awaitPageReport(PAGE_TIMEOUT);
        console = browser.consoleLines();
        if (report == null) fail("the page never reported its requests within " + PAGE_TIMEOUT + "; browser log: " + log + "\n" + console);
        Shop.RenderedPage page = app.shop.renderedPages().get(0);
        Trace trace = null;
        if (corsHelp) {
          trace = app.collector.store().await(page.traceId(), t -> t.transaction(tx -> "pageload".equals(tx.op())).isPresent()
              && !t.fromService("api").isEmpty() && TraceCheck.checkoutProblems(t, page.spanId()).isEmpty(), TRACE_TIMEOUT)
              .orElse(null);
          if (trace == null || pageload(trace) == null) {
            fail("the pageload did not reach the collector within " + TRACE_TIMEOUT + ": "
                + (trace == null ? "nothing" : TraceTree.of(trace).render()) + "\nbrowser console: " + console);
          }
        }
        return new PageRun(page, report, trace, app.api.received(), app.api.recommendationsUri().toString(), console);
      }
    }
  }

  private static ReceivedTransaction pageload(Trace trace) {
    return trace.transaction(tx -> "pageload".equals(tx.op())).orElse(null);
  }

  private static Map<String, Object> withNumericSampleRand(Map<String, String> dsc) {
    Map<String, Object> out = new java.util.TreeMap<>(dsc);
    out.computeIfPresent("sample_rand", (k, v) -> new java.math.BigDecimal((String) v).stripTrailingZeros());
    return out;
  }
}
