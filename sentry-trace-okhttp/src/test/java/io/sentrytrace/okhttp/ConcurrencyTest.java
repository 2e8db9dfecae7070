package io.sentrytrace.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.sentrytrace.Scope;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Span;
import io.sentrytrace.SpanData;
import io.sentrytrace.SpanExporter;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import io.sentrytrace.http.Arrivals;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many threads, each request under its own transaction, half of them enqueued: every request
 * carries the trace of the transaction that sent it, and every span belongs to that transaction.
 * Counts distinct request ids, not arrivals: OkHttp retries a request on a connection failure.
 */
@SuppressWarnings("try") // try (Scope scope = span.makeCurrent()) is the point
class ConcurrencyTest {
  private static final int THREADS = 16;
  private static final int REQUESTS_PER_THREAD = 2_000;
  /** Only bounds a hang: a slow machine takes far less. */
  private static final long DEADLINE_SECONDS = 240;

  @Test
  @Timeout(value = DEADLINE_SECONDS + 60, unit = TimeUnit.SECONDS)
  void eachRequestCarriesTheTraceOfTheTransactionThatSentIt() throws Exception {
    Arrivals arrivals = new Arrivals();
    ExecutorService serverThreads = Executors.newFixedThreadPool(THREADS);
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 64);
    server.setExecutor(serverThreads);
    server.createContext("/", exchange -> {
      arrivals.record(
          exchange.getRequestHeaders().getFirst(Arrivals.REQUEST_ID),
          exchange.getRequestHeaders().getFirst(Arrivals.EXPECTED_TRACE),
          exchange.getRequestHeaders().getFirst(SentryTrace.HEADER));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    server.start();

    AtomicInteger exported = new AtomicInteger();
    Set<String> exportedTraces = ConcurrentHashMap.newKeySet();
    AtomicInteger misparented = new AtomicInteger();
    SpanExporter checking = new SpanExporter() {
      @Override
      public void export(TransactionData tx) {
        exported.incrementAndGet();
        exportedTraces.add(tx.root().traceId().toString());
        List<SpanData> spans = tx.spans();
        if (spans.size() != 1 || !spans.get(0).parentSpanId().equals(tx.root().spanId())) misparented.incrementAndGet();
      }

      @Override
      public boolean flush(Duration timeout) {
        return true;
      }

      @Override
      public void close() {}
    };
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(checking).build();
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequestsPerHost(8); // fewer than the callers: enqueued calls wait and change threads
    OkHttpClient client = TracingInterceptor.instrument(
        new OkHttpClient.Builder()
            .dispatcher(dispatcher)
            .connectionPool(new ConnectionPool(THREADS * 2, 1, TimeUnit.MINUTES))
            .callTimeout(Duration.ofSeconds(30))
            .build(),
        tracer);
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/work";

    Set<String> sentIds = ConcurrentHashMap.newKeySet();
    Set<String> sentTraces = ConcurrentHashMap.newKeySet();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
    ExecutorService callers = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        done.add(callers.submit(() -> {
          for (int i = 0; i < REQUESTS_PER_THREAD && System.nanoTime() < deadline; i++) {
            Span tx = tracer.startTransaction("job", "task");
            String id = thread + "-" + i;
            sentIds.add(id);
            sentTraces.add(tx.traceId().toString());
            try (Scope scope = tx.makeCurrent()) {
              Request request = new Request.Builder().url(url)
                  .header(Arrivals.REQUEST_ID, id)
                  .header(Arrivals.EXPECTED_TRACE, tx.traceId().toString())
                  .build();
              if (i % 2 == 0) {
                Calls.execute(client, request);
              } else {
                CompletableFuture<Integer> call = Calls.enqueue(client, request);
                Calls.await(call);
              }
            } finally {
              tx.finish();
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) f.get(Math.max(1, deadline - System.nanoTime()) + TimeUnit.SECONDS.toNanos(30), TimeUnit.NANOSECONDS);
    } finally {
      callers.shutdownNow();
      server.stop(0);
      serverThreads.shutdownNow();
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }

    assertThat(sentIds).as("sent before the deadline").hasSize(THREADS * REQUESTS_PER_THREAD);
    arrivals.assertEachArrivedWithItsTrace(sentIds);
    assertThat(misparented).hasValue(0);
    assertThat(exported).as("one export per transaction").hasValue(THREADS * REQUESTS_PER_THREAD);
    assertThat(exportedTraces).isEqualTo(sentTraces);
  }
}
