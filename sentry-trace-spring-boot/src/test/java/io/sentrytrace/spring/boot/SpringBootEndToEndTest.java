package io.sentrytrace.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.SpanData;
import io.sentrytrace.SpanExporter;
import io.sentrytrace.TraceId;
import io.sentrytrace.TransactionData;
import io.sentrytrace.TransactionNameSource;
import io.sentrytrace.spring.boot.shop.ShopApplication;
import io.sentrytrace.testing.InMemorySpanExporter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A real Boot service on embedded Tomcat receiving real HTTP: the browser's trace is continued,
 * the transaction is named by its route, the {@code RestClient} call and the {@code @Async} task
 * are children of it, and the downstream service receives the {@code http.client} span as parent.
 */
@SpringBootTest(classes = {ShopApplication.class, SpringBootEndToEndTest.Spans.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"sentry-trace.traces-sample-rate=1.0", "sentry-trace.trace-propagation-targets=127.0.0.1",
        "sentry-trace.release=shop@1.0.0",
        "spring.main.banner-mode=off", "spring.main.log-startup-info=false", "logging.level.org.springframework=WARN", "logging.level.org.apache=WARN",
        "logging.level.io.sentrytrace.spring.boot=warn"}) // the start-up line: SentryTraceStartupReportTest
class SpringBootEndToEndTest {
  static final String BROWSER_TRACE = "771a43a4192642f0b136d5159a501700";
  static final String BROWSER_SPAN = "b3b6a4a3c9e1f0d2";
  static final Downstream DOWNSTREAM = start();

  @TestConfiguration(proxyBeanMethods = false)
  static class Spans {
    @Bean
    InMemorySpanExporter spans() {
      return new InMemorySpanExporter();
    }
  }

  @DynamicPropertySource
  static void downstream(DynamicPropertyRegistry registry) {
    registry.add("downstream.url", DOWNSTREAM::url);
  }

  @LocalServerPort int port;
  @Autowired InMemorySpanExporter spans;
  @Autowired List<SpanExporter> exporters;

  private final HttpClient browser = HttpClient.newHttpClient();

  @BeforeEach
  void reset() {
    spans.reset();
    DOWNSTREAM.received.clear();
  }

  @AfterAll
  static void stop() {
    DOWNSTREAM.close();
  }

  @Test
  void continuesTheBrowsersTraceNamesTheRouteAndParentsTheDownstreamCallAndTheAsyncTask() throws Exception {
    HttpResponse<String> response = get("/orders/42", BROWSER_TRACE + "-" + BROWSER_SPAN + "-1",
        "sentry-trace_id=" + BROWSER_TRACE + ",sentry-sample_rate=1,sentry-sampled=true,sentry-public_key=browserkey");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).startsWith("order 42: in stock, audited on platform thread");

    TransactionData tx = onlyTransaction();
    System.out.println(TraceTree.render(BROWSER_TRACE + "-" + BROWSER_SPAN, tx));

    assertThat(exporters).containsExactly(spans); // the InMemorySpanExporter replaced the envelope exporter
    assertThat(tx.name()).isEqualTo("GET /orders/{id}");
    assertThat(tx.nameSource()).isEqualTo(TransactionNameSource.ROUTE);
    assertThat(tx.root().op()).isEqualTo("http.server");
    assertThat(tx.root().traceId()).isEqualTo(TraceId.fromHex(BROWSER_TRACE));
    assertThat(tx.root().parentSpanId()).hasToString(BROWSER_SPAN);
    assertThat(tx.release()).isEqualTo("shop@1.0.0");
    assertThat(tx.dynamicSamplingContext().sentryValues().get("public_key")).isEqualTo("browserkey"); // the browser's DSC, kept

    SpanData client = span(tx, "http.client");
    assertThat(client.description()).isEqualTo("GET " + DOWNSTREAM.url() + "/stock");
    assertThat(client.parentSpanId()).isEqualTo(tx.root().spanId());
    assertThat(client.data()).containsEntry("http.response.status_code", 200);
    Downstream.Received stock = DOWNSTREAM.received.get(0);
    assertThat(stock.sentryTrace()).isEqualTo(BROWSER_TRACE + "-" + client.spanId() + "-1");
    assertThat(stock.baggage()).contains("sentry-trace_id=" + BROWSER_TRACE).contains("sentry-public_key=browserkey");

    SpanData async = span(tx, "task");
    assertThat(async.description()).isEqualTo("audit order 42");
    assertThat(async.parentSpanId()).isEqualTo(tx.root().spanId());
    assertThat(tx.spans()).hasSize(2); // one http.client span: the interceptor's was handed over to the JDK client
  }

  @Test
  void restTemplateCallsAreTracedToo() throws Exception {
    assertThat(get("/legacy/7", null, null).statusCode()).isEqualTo(200);
    TransactionData tx = onlyTransaction();
    assertThat(tx.name()).isEqualTo("GET /legacy/{id}");
    SpanData client = span(tx, "http.client");
    assertThat(DOWNSTREAM.received.get(0).sentryTrace()).isEqualTo(tx.root().traceId() + "-" + client.spanId() + "-1");
    assertThat(tx.spans()).hasSize(1);
  }

  @Test
  void anApplicationsOwnRequestFactoryIsTracedByTheInterceptor() throws Exception {
    assertThat(get("/simple/7", null, null).statusCode()).isEqualTo(200);
    TransactionData tx = onlyTransaction();
    SpanData client = span(tx, "http.client");
    assertThat(client.description()).isEqualTo("GET " + DOWNSTREAM.url() + "/stock");
    assertThat(DOWNSTREAM.received.get(0).sentryTrace()).isEqualTo(tx.root().traceId() + "-" + client.spanId() + "-1");
    assertThat(tx.spans()).hasSize(1);
  }

  @Test
  void bootsJdkFactoryDecidesEachRedirectHopButAForeignFactoryCopiesTheHeaders() throws Exception {
    assertThat(get("/redirect/boot", null, null).statusCode()).isEqualTo(200);
    assertThat(DOWNSTREAM.received).extracting(Downstream.Received::path).containsExactly("/moved", "/stock");
    assertThat(DOWNSTREAM.received.get(0).sentryTrace()).isNotNull();
    assertThat(DOWNSTREAM.received.get(1).sentryTrace()).as("localhost is not a target").isNull();
    onlyTransaction();

    spans.reset();
    DOWNSTREAM.received.clear();
    assertThat(get("/redirect/simple", null, null).statusCode()).isEqualTo(200);
    assertThat(DOWNSTREAM.received).extracting(Downstream.Received::path).containsExactly("/moved", "/stock");
    // HttpURLConnection follows the redirect itself, with the first hop's headers: the documented limit.
    assertThat(DOWNSTREAM.received.get(1).sentryTrace()).isEqualTo(DOWNSTREAM.received.get(0).sentryTrace());
  }

  @Test
  void requestsNoHandlerMapsKeepTheirUrlName() throws Exception {
    assertThat(get("/no/such/page", null, null).statusCode()).isEqualTo(404);
    TransactionData tx = onlyTransaction();
    assertThat(tx.name()).isEqualTo("GET /no/such/page");
    assertThat(tx.nameSource()).isEqualTo(TransactionNameSource.URL);
  }

  @Test
  void templatesFindTheMetaTagsOfTheRenamedTransaction() throws Exception {
    HttpResponse<String> response = get("/meta/1", BROWSER_TRACE + "-" + BROWSER_SPAN + "-1", null);
    TransactionData tx = onlyTransaction();
    assertThat(response.body())
        .contains("<meta name=\"sentry-trace\" content=\"" + BROWSER_TRACE + "-" + tx.root().spanId() + "-1\"")
        .contains("<meta name=\"baggage\"");
  }

  private HttpResponse<String> get(String path, String sentryTrace, String baggage) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10));
    if (sentryTrace != null) request.header("sentry-trace", sentryTrace);
    if (baggage != null) request.header("baggage", baggage);
    return browser.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The request's transaction: Tomcat finishes it right after the response, so wait a little. */
  private TransactionData onlyTransaction() throws InterruptedException {
    List<TransactionData> done = spans.await(1, Duration.ofSeconds(10));
    assertThat(done).hasSize(1);
    return done.get(0);
  }

  private static SpanData span(TransactionData tx, String op) {
    List<SpanData> found = tx.spans().stream().filter(s -> s.op().equals(op)).toList();
    assertThat(found).as("%s spans in %s", op, tx.spans()).hasSize(1);
    return found.get(0);
  }

  static Downstream start() {
    try {
      return new Downstream();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
