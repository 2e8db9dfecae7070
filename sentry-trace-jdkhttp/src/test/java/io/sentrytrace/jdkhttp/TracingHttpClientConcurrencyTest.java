package io.sentrytrace.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.Scope;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Span;
import io.sentrytrace.SpanId;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Under load from many threads, each request carries the trace of the transaction that sent it. */
@SuppressWarnings("try") // scopes are used for their close()
class TracingHttpClientConcurrencyTest {
  private static final int THREADS = 16;
  private static final int REQUESTS_PER_THREAD = 2_000;

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void everyRequestCarriesTheTraceOfTheTransactionCurrentOnItsThread() throws Exception {
    AtomicInteger received = new AtomicInteger();
    AtomicInteger mismatches = new AtomicInteger();
    Map<String, SpanId> sentSpanByTrace = new ConcurrentHashMap<>();
    com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    ExecutorService serverThreads = Executors.newFixedThreadPool(8);
    server.setExecutor(serverThreads);
    server.createContext(
        "/",
        exchange -> {
          received.incrementAndGet();
          String expected = exchange.getRequestHeaders().getFirst("x-expected-trace");
          SentryTrace sent = SentryTrace.parse(exchange.getRequestHeaders().getFirst("sentry-trace")).orElse(null);
          if (sent == null || !sent.traceId().toString().equals(expected)) mismatches.incrementAndGet();
          else sentSpanByTrace.put(expected, sent.spanId());
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    server.start();

    AtomicInteger exported = new AtomicInteger();
    AtomicInteger spanMismatches = new AtomicInteger();
    Tracer tracer =
        Tracer.builder()
            .tracesSampleRate(1.0)
            .tracePropagationTargets(List.of("127.0.0.1"))
            .exporter(tx -> checkSpan(tx, sentSpanByTrace, exported, spanMismatches))
            .build();
    HttpClient client = TracingHttpClient.wrap(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), tracer);
    URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/work");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);

    ExecutorService callers = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        boolean async = t % 2 == 1; // half the threads use sendAsync
        results.add(
            callers.submit(
                () -> {
                  int ok = 0;
                  for (int i = 0; i < REQUESTS_PER_THREAD && System.nanoTime() < deadline; i++) {
                    Span tx = tracer.startTransaction("job", "task");
                    try (Scope scope = tx.makeCurrent()) {
                      HttpRequest request = HttpRequest.newBuilder(uri).header("x-expected-trace", tx.traceId().toString()).build();
                      HttpResponse<Void> response =
                          async
                              ? client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).get(10, TimeUnit.SECONDS)
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
      for (Future<Integer> result : results) ok += result.get(75, TimeUnit.SECONDS);

      assertThat(ok).isEqualTo(THREADS * REQUESTS_PER_THREAD);
      assertThat(received.get()).isEqualTo(32_000);
      assertThat(mismatches.get()).isZero();
      assertThat(exported.get()).isEqualTo(32_000);
      assertThat(spanMismatches.get()).isZero();
    } finally {
      callers.shutdownNow();
      server.stop(0);
      serverThreads.shutdownNow();
    }
  }

  /** The transaction's one http.client span is the one its request named as parent. */
  private static void checkSpan(TransactionData tx, Map<String, SpanId> sent, AtomicInteger exported, AtomicInteger mismatches) {
    exported.incrementAndGet();
    SpanId named = sent.remove(tx.root().traceId().toString());
    boolean same =
        tx.spans().size() == 1
            && tx.spans().get(0).spanId().equals(named)
            && tx.spans().get(0).parentSpanId().equals(tx.root().spanId());
    if (!same) mismatches.incrementAndGet();
  }
}
