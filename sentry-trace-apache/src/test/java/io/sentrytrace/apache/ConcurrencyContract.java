package io.sentrytrace.apache;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.sentrytrace.InMemorySpanExporter;
import io.sentrytrace.Scope;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Span;
import io.sentrytrace.SpanData;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.core5.http.HttpRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many threads, each under its own transaction, share one client: every request must carry the
 * trace of the transaction that sent it. Each subclass runs it against its client.
 */
@SuppressWarnings("try") // scopes are opened for their effect on the current span
abstract class ConcurrencyContract {
  static final int THREADS = 16;
  static final int REQUESTS_PER_THREAD = 2_000;
  static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(60);

  abstract TestClient client(Tracer tracer, int maxPerRoute);

  @Test
  @Timeout(90)
  void everyRequestCarriesTheTraceOfTheTransactionThatSentIt() throws Exception {
    AtomicInteger received = new AtomicInteger();
    AtomicInteger mismatches = new AtomicInteger();
    ConcurrentLinkedQueue<String> examples = new ConcurrentLinkedQueue<>();
    ExecutorService serverThreads = Executors.newFixedThreadPool(THREADS);
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 64);
    server.setExecutor(serverThreads);
    server.createContext("/", exchange -> {
      received.incrementAndGet();
      String expected = exchange.getRequestHeaders().getFirst("x-expected-trace");
      List<String> sent = exchange.getRequestHeaders().get(SentryTrace.HEADER);
      boolean matches =
          expected != null
              && sent != null
              && sent.size() == 1
              && SentryTrace.parse(sent.get(0)).map(t -> t.traceId().toString().equals(expected)).orElse(false);
      if (!matches && mismatches.incrementAndGet() <= 5) examples.add(expected + " got " + sent);
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();

    InMemorySpanExporter exporter = new InMemorySpanExporter();
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/work";
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(exporter).tracePropagationTargets(List.of(url)).build();
    ExecutorService callers = Executors.newFixedThreadPool(THREADS);
    AtomicInteger failures = new AtomicInteger();
    long deadline = System.nanoTime() + BUDGET_NANOS;
    try (TestClient client = client(tracer, THREADS)) {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        done.add(callers.submit(() -> {
          for (int i = 0; i < REQUESTS_PER_THREAD && System.nanoTime() < deadline; i++) {
            Span tx = tracer.startTransaction("request", "test");
            try (Scope ignored = tx.makeCurrent()) {
              HttpRequest request = client.newRequest("GET", url);
              request.addHeader("x-expected-trace", tx.traceId().toString());
              if (client.execute(request, null) != 200) failures.incrementAndGet();
            } catch (Exception e) {
              failures.incrementAndGet();
            } finally {
              tx.finish();
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) f.get(deadline - System.nanoTime() + TimeUnit.SECONDS.toNanos(5), TimeUnit.NANOSECONDS);
    } finally {
      callers.shutdownNow();
      server.stop(0);
      serverThreads.shutdownNow();
    }

    int total = THREADS * REQUESTS_PER_THREAD;
    assertThat(failures.get()).as("failed calls").isZero();
    assertThat(examples).as("mismatched traces").isEmpty();
    assertThat(mismatches.get()).isZero();
    assertThat(received.get()).isEqualTo(total);
    List<TransactionData> transactions = exporter.transactions();
    assertThat(transactions).hasSize(total);
    for (TransactionData tx : transactions) {
      assertThat(tx.spans()).hasSize(1);
      SpanData span = tx.spans().get(0);
      assertThat(span.traceId()).isEqualTo(tx.root().traceId());
      assertThat(span.parentSpanId()).isEqualTo(tx.root().spanId());
    }
  }
}
