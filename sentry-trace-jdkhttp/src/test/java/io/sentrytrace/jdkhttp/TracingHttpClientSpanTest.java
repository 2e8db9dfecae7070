package io.sentrytrace.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentrytrace.InMemorySpanExporter;
import io.sentrytrace.Scope;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Span;
import io.sentrytrace.SpanData;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The http.client span of each request: name, data, status, parent. */
@SuppressWarnings("try") // scopes are used for their close()
class TracingHttpClientSpanTest {
  private final InMemorySpanExporter exporter = new InMemorySpanExporter();
  private final Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(exporter).build();
  private final HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final HttpClient client = TracingHttpClient.wrap(plain, tracer);
  private final CountDownLatch release = new CountDownLatch(1);
  private TestServer server;

  @BeforeEach
  void start() throws Exception {
    server =
        TestServer.start(
            exchange -> {
              String path = exchange.getRequestURI().getPath();
              if (path.equals("/slow")) {
                try {
                  release.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              int code = path.startsWith("/status/") ? Integer.parseInt(path.substring(8)) : 200;
              TestServer.respond(exchange, code, "hello");
            });
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.close();
  }

  /** The only span of the one transaction exported. */
  private SpanData onlySpan(Span tx) {
    tx.finish();
    assertThat(exporter.transactions()).hasSize(1);
    assertThat(exporter.transactions().get(0).spans()).hasSize(1);
    return exporter.transactions().get(0).spans().get(0);
  }

  @Test
  void recordsMethodUrlQueryStatusAndContentLength() throws Exception {
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      HttpResponse<String> response =
          client.send(HttpRequest.newBuilder(server.uri("/items/7?color=red&size=4")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.body()).isEqualTo("hello");
    }
    SpanData span = onlySpan(tx);
    String url = "http://127.0.0.1:" + server.port() + "/items/7";
    assertThat(span.op()).isEqualTo("http.client");
    assertThat(span.description()).isEqualTo("GET " + url);
    assertThat(span.parentSpanId()).isEqualTo(tx.spanId());
    assertThat(span.data())
        .containsEntry("http.request.method", "GET")
        .containsEntry("url", url)
        .containsEntry("http.query", "color=red&size=4")
        .containsEntry("http.response.status_code", 200)
        .containsEntry("http.response_content_length", 5L);
    assertThat(span.status()).isEqualTo(SpanStatus.OK);
  }

  @Test
  void leavesUserInfoOutOfTheDescription() throws Exception {
    Span tx = tracer.startTransaction("checkout", "task");
    URI withUser = URI.create("http://alice:secret@127.0.0.1:" + server.port() + "/p");
    try (Scope scope = tx.makeCurrent()) {
      client.send(HttpRequest.newBuilder(withUser).build(), HttpResponse.BodyHandlers.discarding());
    }
    SpanData span = onlySpan(tx);
    assertThat(span.description()).isEqualTo("GET http://127.0.0.1:" + server.port() + "/p");
    assertThat(span.data()).doesNotContainKey("http.query");
    assertThat(span.data().toString()).doesNotContain("secret");
  }

  @ParameterizedTest
  @CsvSource({"200, ok", "404, not_found", "500, internal_error"})
  void statusFollowsTheHttpCode(int code, String status) throws Exception {
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      int received = client.send(HttpRequest.newBuilder(server.uri("/status/" + code)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
      assertThat(received).isEqualTo(code);
    }
    SpanData span = onlySpan(tx);
    assertThat(span.status().wireName()).isEqualTo(status);
    assertThat(span.data()).containsEntry("http.response.status_code", code);
  }

  @Test
  void refusedConnectionMarksInternalErrorAndThrowsTheClientsException() throws Exception {
    URI closed = closedPort();
    HttpRequest request = HttpRequest.newBuilder(closed).build();
    Class<? extends Throwable> untraced = catchThrowable(() -> plain.send(request, HttpResponse.BodyHandlers.discarding()));
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.discarding())).isExactlyInstanceOf(untraced);
    }
    assertThat(untraced).isEqualTo(ConnectException.class);
    SpanData span = onlySpan(tx);
    assertThat(span.status()).isEqualTo(SpanStatus.INTERNAL_ERROR);
    assertThat(span.data()).doesNotContainKey("http.response.status_code");
  }

  @Test
  void failedFutureCarriesTheClientsExceptionAndMarksInternalError() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(closedPort()).build();
    Throwable untraced = causeOf(plain.sendAsync(request, HttpResponse.BodyHandlers.discarding()));
    Span tx = tracer.startTransaction("checkout", "task");
    CompletableFuture<HttpResponse<Void>> future;
    try (Scope scope = tx.makeCurrent()) {
      future = client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
    }
    Throwable traced = causeOf(future);
    assertThat(traced).isExactlyInstanceOf(untraced.getClass());
    assertThat(traced).isInstanceOf(ConnectException.class);
    assertThat(onlySpan(tx).status()).isEqualTo(SpanStatus.INTERNAL_ERROR);
  }

  @Test
  void sendAsyncParentIsTheCallersSpanEvenWhenCompletedOnAnotherThread() throws Exception {
    Span caller = tracer.startTransaction("caller", "task");
    CompletableFuture<HttpResponse<String>> future;
    try (Scope scope = caller.makeCurrent()) {
      future = client.sendAsync(HttpRequest.newBuilder(server.uri("/a")).build(), HttpResponse.BodyHandlers.ofString());
    }
    AtomicReference<Thread> completedOn = new AtomicReference<>();
    CompletableFuture<HttpResponse<String>> seen = future.whenComplete((r, e) -> completedOn.set(Thread.currentThread()));
    Span later = tracer.startTransaction("later", "task");
    try (Scope scope = later.makeCurrent()) {
      assertThat(seen.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    later.finish();
    SentryTrace sent = SentryTrace.parse(server.take().header("sentry-trace")).orElseThrow();
    assertThat(completedOn.get()).isNotSameAs(Thread.currentThread());
    assertThat(sent.traceId()).isEqualTo(caller.traceId());
    caller.finish();
    SpanData span = exporter.transactions().stream().filter(t -> t.name().equals("caller")).findFirst().orElseThrow().spans().get(0);
    assertThat(span.parentSpanId()).isEqualTo(caller.spanId());
    assertThat(span.spanId()).isEqualTo(sent.spanId());
    assertThat(span.status()).isEqualTo(SpanStatus.OK);
    assertThat(exporter.transactions().stream().filter(t -> t.name().equals("later")).findFirst().orElseThrow().spans()).isEmpty();
  }

  @Test
  void sendAsyncWithPushPromiseHandlerIsTracedToo() throws Exception {
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      HttpResponse<String> response =
          client
              .sendAsync(HttpRequest.newBuilder(server.uri("/a")).build(), HttpResponse.BodyHandlers.ofString(), (initiating, push, accept) -> {})
              .get(5, TimeUnit.SECONDS);
      assertThat(response.body()).isEqualTo("hello");
    }
    assertThat(server.take().has("sentry-trace")).isTrue();
    assertThat(onlySpan(tx).status()).isEqualTo(SpanStatus.OK);
  }

  @Test
  void cancellingTheFutureMarksTheSpanCancelled() throws Exception {
    Span tx = tracer.startTransaction("checkout", "task");
    CompletableFuture<HttpResponse<String>> future;
    try (Scope scope = tx.makeCurrent()) {
      future = client.sendAsync(HttpRequest.newBuilder(server.uri("/slow")).build(), HttpResponse.BodyHandlers.ofString());
    }
    server.take(); // in flight
    assertThat(future.cancel(true)).isTrue();
    release.countDown();
    assertThat(future.isCancelled()).isTrue();
    assertThat(onlySpan(tx).status()).isEqualTo(SpanStatus.CANCELLED);
  }

  @Test
  void recordsNoSpanWithoutACurrentSpan() throws Exception {
    client.send(HttpRequest.newBuilder(server.uri("/a")).build(), HttpResponse.BodyHandlers.discarding());
    assertThat(server.take().has("sentry-trace")).isTrue();
    assertThat(exporter.transactions()).isEmpty();
  }

  private static URI closedPort() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    return URI.create("http://127.0.0.1:" + port + "/");
  }

  private interface Call {
    void run() throws Exception;
  }

  private static Class<? extends Throwable> catchThrowable(Call call) {
    try {
      call.run();
    } catch (Throwable t) {
      return t.getClass();
    }
    throw new AssertionError("did not throw");
  }

  private static Throwable causeOf(CompletableFuture<?> future) throws InterruptedException {
    try {
      future.get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("did not complete", e);
    }
    throw new AssertionError("did not fail");
  }
}
