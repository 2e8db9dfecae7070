package io.sentrytrace.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.Scope;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Span;
import io.sentrytrace.SpanId;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import io.sentrytrace.http.Arrivals;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Under load from many threads, each request carries the trace of the transaction that sent it.
 * Counts distinct request ids, not arrivals: the JDK client re-sends a GET on a keep-alive
 * connection the server closed (its own retry), which arrives twice.
 */
@SuppressWarnings("try") // scopes are used for their close()
class TracingHttpClientConcurrencyTest {
  private static final int THREADS = 16;
  private static final int REQUESTS_PER_THREAD = 2_000;
  /** Only bounds a hang: a slow machine takes far less. */
  private static final long DEADLINE_SECONDS = 240;

  @Test
  @Timeout(value = DEADLINE_SECONDS + 60, unit = TimeUnit.SECONDS)
  void everyRequestCarriesTheTraceOfTheTransactionCurrentOnItsThread() throws Exception {
    Arrivals arrivals = new Arrivals();
    Map<String, SpanId> sentSpanByTrace = new ConcurrentHashMap<>();
    com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    ExecutorService serverThreads = Executors.newFixedThreadPool(8);
    server.setExecutor(serverThreads);
    server.createContext(
        "/",
        exchange -> {
          String expected = exchange.getRequestHeaders().getFirst(Arrivals.EXPECTED_TRACE);
          String sentryTrace = exchange.getRequestHeaders().getFirst("sentry-trace");
          arrivals.record(exchange.getRequestHeaders().getFirst(Arrivals.REQUEST_ID), expected, sentryTrace);
          SentryTrace sent = sentryTrace == null ? null : SentryTrace.parse(sentryTrace).orElse(null);
          if (sent != null && expected != null) sentSpanByTrace.put(expected, sent.spanId());
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    server.start();

    Set<String> exported = ConcurrentHashMap.newKeySet();
    AtomicInteger exports = new AtomicInteger();
    AtomicInteger spanMismatches = new AtomicInteger();
    Tracer tracer =
        Tracer.builder()
            .tracesSampleRate(1.0)
            .tracePropagationTargets(List.of("127.0.0.1"))
            .exporter(tx -> checkSpan(tx, sentSpanByTrace, exported, exports, spanMismatches))
            .build();
    HttpClient client = TracingHttpClient.instrument(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), tracer);
    URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/work");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);

    Set<String> sentIds = ConcurrentHashMap.newKeySet();
    Set<String> sentTraces = ConcurrentHashMap.newKeySet();
    ExecutorService callers = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        boolean async = t % 2 == 1; // half the threads use sendAsync
        results.add(
            callers.submit(
                () -> {
                  int ok = 0;
                  for (int i = 0; i < REQUESTS_PER_THREAD && System.nanoTime() < deadline; i++) {
                    Span tx = tracer.startTransaction("job", "task");
                    String id = thread + "-" + i;
                    sentIds.add(id);
                    sentTraces.add(tx.traceId().toString());
                    try (Scope scope = tx.makeCurrent()) {
                      HttpRequest request =
                          HttpRequest.newBuilder(uri)
                              .header(Arrivals.REQUEST_ID, id)
                              .header(Arrivals.EXPECTED_TRACE, tx.traceId().toString())
                              .build();
                      HttpResponse<Void> response =
                          async
                              ? client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).get(30, TimeUnit.SECONDS)
                              : client.send(request, HttpResponse.BodyHandlers.discarding());
                      if (response.statusCode() == 204) ok++;
                    } finally {
                      tx.finish();
                    }
                  }
                  return ok;
                }));
      }
      int ok = 0;
      for (Future<Integer> result : results) ok += result.get(DEADLINE_SECONDS + 30, TimeUnit.SECONDS);

      assertThat(ok).as("answered before the deadline").isEqualTo(THREADS * REQUESTS_PER_THREAD);
      arrivals.assertEachArrivedWithItsTrace(sentIds);
      assertThat(exports.get()).as("one export per transaction").isEqualTo(THREADS * REQUESTS_PER_THREAD);
      assertThat(exported).as("the trace of every transaction, exported").isEqualTo(sentTraces);
      assertThat(spanMismatches.get()).isZero();
    } finally {
      callers.shutdownNow();
      server.stop(0);
      serverThreads.shutdownNow();
    }
  }

  /** The transaction's one http.client span is the one its request named as parent. */
  private static void checkSpan(
      TransactionData tx, Map<String, SpanId> sent, Set<String> exported, AtomicInteger exports, AtomicInteger mismatches) {
    exports.incrementAndGet();
    exported.add(tx.root().traceId().toString());
    SpanId named = sent.remove(tx.root().traceId().toString());
    boolean same =
        tx.spans().size() == 1
            && tx.spans().get(0).spanId().equals(named)
            && tx.spans().get(0).parentSpanId().equals(tx.root().spanId());
    if (!same) mismatches.incrementAndGet();
  }
}
