package io.sentrytrace.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.SpanId;
import io.sentrytrace.Span;
import io.sentrytrace.TraceId;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import io.sentrytrace.http.Arrivals;
import io.sentrytrace.okhttp.TracingInterceptor;
import io.sentrytrace.testing.InMemorySpanExporter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Under load, every request keeps its own trace: 16 client threads send 2,000 requests each into a
 * real container, each with its own incoming trace id; the servlet calls a downstream server
 * through the instrumented OkHttp client, and the downstream checks that the {@code sentry-trace}
 * it receives carries the trace of the request that made the call. Every transaction is exported
 * exactly once. Counts distinct requests (each has its own trace id), not arrivals: the JDK client
 * may send a GET once more on a keep-alive connection the server closed, and OkHttp may retry the
 * downstream call. Bounded by a deadline that only stops a hang, after which the test fails with
 * what it counted.
 */
class ConcurrentRequestsTest {
  private static final int THREADS = 16;
  private static final int REQUESTS_PER_THREAD = 2_000;
  private static final int TOTAL = THREADS * REQUESTS_PER_THREAD;
  private static final Duration DEADLINE = Duration.ofSeconds(300);
  private static final String EXPECTED_TRACE = "x-expected-trace";

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"jetty", "tomcat"})
  void everyDownstreamCallCarriesItsOwnRequestsTraceAndEveryTransactionIsExportedOnce(String name) throws Exception {
    InMemorySpanExporter exporter = new InMemorySpanExporter();
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).tracePropagationTargets(List.of("127.0.0.1")).exporter(exporter).build();

    // The downstream: compares the trace it receives with the one the load client sent upstream.
    // Keyed by the upstream request's trace id, unique per request: a retry arrives with the same.
    Arrivals downstreamCalls = new Arrivals();
    HttpServer downstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    ExecutorService downstreamThreads = Executors.newFixedThreadPool(THREADS);
    downstream.setExecutor(downstreamThreads);
    downstream.createContext("/check", exchange -> {
      String expected = exchange.getRequestHeaders().getFirst(EXPECTED_TRACE);
      downstreamCalls.record(expected, expected, exchange.getRequestHeaders().getFirst(SentryTrace.HEADER));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    downstream.start();
    String checkUrl = "http://127.0.0.1:" + downstream.getAddress().getPort() + "/check";

    OkHttpClient okHttp = TracingInterceptor.instrument(
        new OkHttpClient.Builder().connectionPool(new ConnectionPool(THREADS * 2, 1, TimeUnit.MINUTES)).build(), tracer);
    // Arrivals at the servlet: each is a transaction. The JDK client may send a GET once more on a
    // keep-alive connection the server closed (its own retry), which is then a transaction of its
    // own, of the same trace: count arrivals for the exports, distinct traces for the requests.
    AtomicInteger served = new AtomicInteger();
    Set<String> servedTraces = ConcurrentHashMap.newKeySet();
    HttpServlet servlet = new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        served.incrementAndGet();
        servedTraces.add(String.valueOf(request.getHeader(EXPECTED_TRACE)));
        // A synchronous downstream call under the request's transaction (current on this thread).
        Request call = new Request.Builder().url(checkUrl).header(EXPECTED_TRACE, request.getHeader(EXPECTED_TRACE)).build();
        try (Response answer = okHttp.newCall(call).execute()) {
          response.setStatus(answer.code() == 204 ? 200 : 502);
        }
        response.setContentType("text/plain");
        response.getWriter().write(((Span) request.getAttribute(TracingServletFilter.SPAN_ATTRIBUTE)).traceId().toString());
      }
    };

    Set<String> sentTraces = ConcurrentHashMap.newKeySet();
    AtomicInteger answered = new AtomicInteger();
    List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    long elapsed;
    try (ServletContainer container = ServletContainer.named(name)) {
      URI base = container.start(context -> {
        FilterRegistration.Dynamic sentry = context.addFilter("sentry-trace", TracingServletFilter.create(tracer));
        sentry.setAsyncSupported(true);
        sentry.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC), false, "/*");
        ServletRegistration.Dynamic registration = context.addServlet("work", servlet);
        registration.addMapping("/work");
      }, Map.of());
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      URI work = base.resolve("/work");
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      long start = System.nanoTime();
      ExecutorService load = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<?>> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          threads.add(load.submit(() -> {
            for (int i = 0; i < REQUESTS_PER_THREAD && System.nanoTime() < deadline; i++) {
              String trace = TraceId.random().toString();
              sentTraces.add(trace);
              HttpRequest request = HttpRequest.newBuilder(work)
                  .header(SentryTrace.HEADER, trace + "-" + SpanId.random() + "-1")
                  .header(EXPECTED_TRACE, trace)
                  .timeout(Duration.ofSeconds(30))
                  .build();
              try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().equals(trace)) answered.incrementAndGet();
                else if (failures.size() < 5) failures.add(response.statusCode() + " " + response.body());
              } catch (IOException e) {
                if (failures.size() < 5) failures.add(e.toString());
              }
            }
            return null;
          }));
        }
        for (Future<?> thread : threads) thread.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } finally {
        load.shutdownNow();
        elapsed = System.nanoTime() - start;
      }
      List<TransactionData> exported = exporter.await(Math.max(TOTAL, served.get()), Duration.ofSeconds(60));
      System.out.printf("[load] %s: %d requests (%d threads) in %.1f s, %d arrivals, %d downstream calls, %d wrong, %d transactions exported%n",
          container, answered.get(), THREADS, elapsed / 1e9, served.get(), downstreamCalls.arrivals(), downstreamCalls.wrong(),
          exported.size());

      assertThat(failures).as("failed requests").isEmpty();
      assertThat(answered.get()).as("requests answered within " + DEADLINE).isEqualTo(TOTAL);
      assertThat(sentTraces).as("requests sent").hasSize(TOTAL);
      assertThat(servedTraces).as("distinct requests that reached the servlet").isEqualTo(sentTraces);
      downstreamCalls.assertEachArrivedWithItsTrace(sentTraces);
      assertThat(exported).as("one transaction per arrival at the servlet").hasSize(served.get());
      assertThat(exported.stream().map(tx -> tx.root().spanId()).distinct().count()).as("each exported once").isEqualTo(exported.size());
      assertThat(exported.stream().map(tx -> tx.root().traceId().toString()).collect(Collectors.toSet())).isEqualTo(sentTraces);
      assertThat(exported).allSatisfy(tx -> assertThat(tx.spans()).singleElement().satisfies(call -> {
        assertThat(call.op()).isEqualTo("http.client");
        assertThat(call.parentSpanId()).isEqualTo(tx.root().spanId());
      }));
    } finally {
      downstream.stop(0);
      downstreamThreads.shutdownNow();
      okHttp.connectionPool().evictAll();
    }
  }
}
