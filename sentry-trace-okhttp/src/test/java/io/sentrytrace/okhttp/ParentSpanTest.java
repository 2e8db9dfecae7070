package io.sentrytrace.okhttp;

import static io.sentrytrace.okhttp.Calls.await;
import static io.sentrytrace.okhttp.Calls.enqueue;
import static io.sentrytrace.okhttp.Calls.execute;
import static io.sentrytrace.okhttp.Calls.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.PropagationContext;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Scope;
import io.sentrytrace.Span;
import io.sentrytrace.SpanData;
import io.sentrytrace.Tracer;
import io.sentrytrace.testing.InMemorySpanExporter;
import io.sentrytrace.test.LogRecords;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which span a request's span belongs to, on both of OkHttp's paths. */
@SuppressWarnings("try") // try (Scope scope = span.makeCurrent()) is the point
class ParentSpanTest {
  private final LoopbackServer server;
  private final InMemorySpanExporter exporter = new InMemorySpanExporter();
  private final Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(exporter).build();
  private final OkHttpClient client = TracingInterceptor.instrument(new OkHttpClient(), tracer);

  ParentSpanTest() throws Exception {
    server = new LoopbackServer();
  }

  @AfterEach
  void close() {
    server.close();
  }

  @Test
  void enqueueOutsideAnySpanRecordsNoSpanEvenIfTheDispatcherThreadHasOne() throws Exception {
    // A dispatcher thread that happens to have a span current must not lend it to other calls.
    Span stray = tracer.startTransaction("stray", "task");
    ExecutorService dispatcherThreads = Executors.newSingleThreadExecutor(runnable -> new Thread(() -> {
      try (Scope scope = stray.makeCurrent()) {
        runnable.run();
      }
    }));
    OkHttpClient leaky = client.newBuilder().dispatcher(new Dispatcher(dispatcherThreads)).build();
    assertThat(await(enqueue(leaky, get(server.respond(200).url("/"))))).isEqualTo(200);
    stray.finish();

    assertThat(exporter.transactions()).singleElement().satisfies(t -> assertThat(t.spans()).isEmpty());
    assertThat(Traced.sentryTrace(server.take()).traceId()).isNotEqualTo(stray.traceId());
    dispatcherThreads.shutdown();
  }

  @Test
  void aSpanTaggedOnTheRequestWinsOverTheCurrentSpan() throws Exception {
    Span explicit = tracer.startTransaction("explicit", "task");
    Span current = tracer.startTransaction("current", "task");
    Request request = new Request.Builder().url(server.respond(200).respond(200).url("/")).tag(Span.class, explicit).build();
    try (Scope scope = current.makeCurrent()) {
      execute(client, request);
      await(enqueue(client, request));
    }
    current.finish();
    explicit.finish();

    assertThat(exporter.transactions()).extracting(t -> t.name() + ":" + t.spans().size())
        .containsExactly("current:0", "explicit:2");
    assertThat(exporter.transactions().get(1).spans()).allSatisfy(s -> assertThat(s.parentSpanId()).isEqualTo(explicit.spanId()));
    assertThat(Traced.sentryTrace(server.take()).traceId()).isEqualTo(explicit.traceId());
    assertThat(Traced.sentryTrace(server.take()).traceId()).isEqualTo(explicit.traceId());
  }

  @Test
  void registeredByHandExecuteStillUsesTheCurrentSpan() throws Exception {
    OkHttpClient byHand = new OkHttpClient.Builder().addInterceptor(TracingInterceptor.create(tracer)).build();
    Span tx = tracer.startTransaction("checkout", "task");
    try (LogRecords log = LogRecords.asConfigured("io.sentrytrace.okhttp")) {
      try (Scope scope = tx.makeCurrent()) {
        execute(byHand, get(server.respond(200).url("/")));
      }
      assertThat(log.lines()).singleElement().asString().startsWith("INFO").contains("registered without its event listener");
    }
    tx.finish();

    SpanData span = Traced.onlyChild(exporter);
    assertThat(span.parentSpanId()).isEqualTo(tx.spanId());
    assertThat(Traced.sentryTrace(server.take()).spanId()).isEqualTo(span.spanId());
  }
}
