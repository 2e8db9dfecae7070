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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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

/**
 * Many threads, each request under its own transaction, half of them enqueued: every request
 * carries the trace of the transaction that sent it, and every span belongs to that transaction.
 */
@SuppressWarnings("try") // try (Scope scope = span.makeCurrent()) is the point
class ConcurrencyTest {
  private static final int THREADS = 16;
  private static final int REQUESTS_PER_THREAD = 2_000;

  @Test
  void eachRequestCarriesTheTraceOfTheTransactionThatSentIt() throws Exception {
    AtomicInteger received = new AtomicInteger();
    AtomicInteger mismatches = new AtomicInteger();
    ExecutorService serverThreads = Executors.newFixedThreadPool(THREADS);
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 64);
    server.setExecutor(serverThreads);
    server.createContext("/", exchange -> {
      String sentryTrace = exchange.getRequestHeaders().getFirst(SentryTrace.HEADER);
      String expected = exchange.getRequestHeaders().getFirst("x-expected-trace");
      received.incrementAndGet();
      if (sentryTrace == null || expected == null || !sentryTrace.startsWith(expected + "-")) mismatches.incrementAndGet();
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    server.start();

    AtomicInteger exported = new AtomicInteger();
    AtomicInteger misparented = new AtomicInteger();
    SpanExporter checking = new SpanExporter() {
      @Override
      public void export(TransactionData tx) {
        exported.incrementAndGet();
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
    OkHttpClient client = SentryTraceInterceptor.instrument(
        new OkHttpClient.Builder()
            .dispatcher(dispatcher)
            .connectionPool(new ConnectionPool(THREADS * 2, 1, TimeUnit.MINUTES))
            .callTimeout(Duration.ofSeconds(10))
            .build(),
        tracer);
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/work";

    ExecutorService callers = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        done.add(callers.submit(() -> {
          for (int i = 0; i < REQUESTS_PER_THREAD; i++) {
            Span tx = tracer.startTransaction("job", "task");
            try (Scope scope = tx.makeCurrent()) {
              Request request = new Request.Builder().url(url).header("x-expected-trace", tx.traceId().toString()).build();
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
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (Future<?> f : done) f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } finally {
      callers.shutdownNow();
      server.stop(0);
      serverThreads.shutdownNow();
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }

    assertThat(mismatches).hasValue(0);
    assertThat(received).hasValue(THREADS * REQUESTS_PER_THREAD);
    assertThat(misparented).hasValue(0);
    assertThat(exported).hasValue(THREADS * REQUESTS_PER_THREAD);
  }
}
