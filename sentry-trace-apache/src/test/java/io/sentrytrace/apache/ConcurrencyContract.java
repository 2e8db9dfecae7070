package io.sentrytrace.apache;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.sentrytrace.Scope;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Span;
import io.sentrytrace.SpanData;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import io.sentrytrace.http.Arrivals;
import io.sentrytrace.testing.InMemorySpanExporter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * trace of the transaction that sent it. Each subclass runs it against its client. Counts distinct
 * request ids, not arrivals: the client may retry an idempotent request on its own.
 */
@SuppressWarnings("try") // scopes are opened for their effect on the current span
abstract class ConcurrencyContract {
  static final int THREADS = 16;
  static final int REQUESTS_PER_THREAD = 2_000;
  /** Only bounds a hang: a slow machine takes far less. */
  static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(240);

  abstract TestClient client(Tracer tracer, int maxPerRoute);

  @Test
  @Timeout(300)
  void everyRequestCarriesTheTraceOfTheTransactionThatSentIt() throws Exception {
    Arrivals arrivals = new Arrivals();
    AtomicInteger repeated = new AtomicInteger();
    ExecutorService serverThreads = Executors.newFixedThreadPool(THREADS);
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 64);
    server.setExecutor(serverThreads);
    server.createContext("/", exchange -> {
      List<String> sent = exchange.getRequestHeaders().get(SentryTrace.HEADER);
      if (sent != null && sent.size() > 1) repeated.incrementAndGet();
      arrivals.record(
          exchange.getRequestHeaders().getFirst(Arrivals.REQUEST_ID),
          exchange.getRequestHeaders().getFirst(Arrivals.EXPECTED_TRACE),
          sent == null ? null : sent.get(0));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();

    InMemorySpanExporter exporter = new InMemorySpanExporter();
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/work";
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(exporter).tracePropagationTargets(List.of(url)).build();
    ExecutorService callers = Executors.newFixedThreadPool(THREADS);
    AtomicInteger failures = new AtomicInteger();
    Set<String> sentIds = ConcurrentHashMap.newKeySet();
    long deadline = System.nanoTime() + BUDGET_NANOS;
    try (TestClient client = client(tracer, THREADS)) {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        done.add(callers.submit(() -> {
          for (int i = 0; i < REQUESTS_PER_THREAD && System.nanoTime() < deadline; i++) {
            Span tx = tracer.startTransaction("request", "test");
            String id = thread + "-" + i;
            sentIds.add(id);
            try (Scope ignored = tx.makeCurrent()) {
              HttpRequest request = client.newRequest("GET", url);
              request.addHeader(Arrivals.REQUEST_ID, id);
              request.addHeader(Arrivals.EXPECTED_TRACE, tx.traceId().toString());
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
    assertThat(sentIds).as("sent before the deadline").hasSize(total);
    assertThat(repeated.get()).as("arrivals with more than one sentry-trace header").isZero();
    arrivals.assertEachArrivedWithItsTrace(sentIds);
    List<TransactionData> transactions = exporter.transactions();
    assertThat(transactions).as("one per transaction").hasSize(total);
    assertThat(transactions.stream().map(tx -> tx.root().traceId()).distinct().count()).isEqualTo(total);
    for (TransactionData tx : transactions) {
      assertThat(tx.spans()).hasSize(1);
      SpanData span = tx.spans().get(0);
      assertThat(span.traceId()).isEqualTo(tx.root().traceId());
      assertThat(span.parentSpanId()).isEqualTo(tx.root().spanId());
    }
  }
}
