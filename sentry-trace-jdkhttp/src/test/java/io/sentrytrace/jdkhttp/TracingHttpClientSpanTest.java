package io.sentrytrace.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentrytrace.Scope;
import io.sentrytrace.Span;
import io.sentrytrace.SpanData;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import io.sentrytrace.testing.InMemorySpanExporter;
import io.sentrytrace.http.internal.HttpSpanData;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the JDK client adds to the shared contract about its span: URIs, exceptions, push promises, lazy bodies. */
@SuppressWarnings("try") // scopes are used for their close()
class TracingHttpClientSpanTest {
  private final InMemorySpanExporter exporter = new InMemorySpanExporter();
  private final Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(exporter).build();
  private final HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final HttpClient client = TracingHttpClient.instrument(plain, tracer);
  private static final Duration PAUSE = Duration.ofMillis(300);
  private final CountDownLatch release = new CountDownLatch(1);
  private TestServer server;

  @BeforeEach
  void start() throws Exception {
    server =
        TestServer.start(
            exchange -> {
              if (!exchange.getRequestURI().getPath().equals("/stream")) {
                TestServer.respond(exchange, 200, "hello");
                return;
              }
              // The first line now, the rest once the test releases it.
              exchange.sendResponseHeaders(200, 0);
              try (OutputStream out = exchange.getResponseBody()) {
                out.write("first\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                release.await(5, TimeUnit.SECONDS);
                out.write("second\n".getBytes(StandardCharsets.UTF_8));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
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
  void anInputStreamBodyKeepsTheSpanOpenUntilTheStreamEnds() throws Exception {
    Span tx = tracer.startTransaction("checkout", "task");
    InputStream body;
    try (Scope scope = tx.makeCurrent()) {
      body = client.send(HttpRequest.newBuilder(server.uri("/a")).build(), HttpResponse.BodyHandlers.ofInputStream()).body();
    }
    // Every byte has arrived by now; the span still waits for the caller to read them.
    Thread.sleep(PAUSE.toMillis());
    assertThat(TestServer.read(body)).isEqualTo("hello");
    SpanData span = onlySpan(tx); // finished before the stream is closed: its end did it
    body.close();
    assertThat(span.duration()).isGreaterThanOrEqualTo(PAUSE);
    assertThat(span.data()).containsEntry(HttpSpanData.STATUS_CODE, 200).containsKey(HttpSpanData.TIME_TO_FIRST_BYTE);
    assertThat(span.status()).isEqualTo(SpanStatus.OK);
  }

  @Test
  void closingAnInputStreamBodyEarlyEndsTheSpan() throws Exception {
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      InputStream body = client.send(HttpRequest.newBuilder(server.uri("/stream")).build(), HttpResponse.BodyHandlers.ofInputStream()).body();
      assertThat(body.read()).isEqualTo('f');
      body.close(); // the rest has not even been sent
    }
    SpanData span = onlySpan(tx);
    assertThat(span.status()).isEqualTo(SpanStatus.OK);
    assertThat(span.data()).containsEntry(HttpSpanData.STATUS_CODE, 200);
  }

  @Test
  void closingALineStreamEarlyEndsTheSpan() throws Exception {
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      try (Stream<String> lines = client.send(HttpRequest.newBuilder(server.uri("/stream")).build(), HttpResponse.BodyHandlers.ofLines()).body()) {
        assertThat(lines.findFirst()).contains("first");
      }
    }
    assertThat(onlySpan(tx).status()).isEqualTo(SpanStatus.OK);
  }

  @Test
  void theWrappedStreamPassesEveryByteThrough() throws Exception {
    Span tx = tracer.startTransaction("checkout", "task");
    String text;
    try (Scope scope = tx.makeCurrent()) {
      HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(server.uri("/stream")).build(), HttpResponse.BodyHandlers.ofInputStream());
      release.countDown();
      try (InputStream body = response.body()) {
        text = TestServer.read(body);
      }
    }
    assertThat(text).isEqualTo("first\nsecond\n");
    assertThat(onlySpan(tx).data()).doesNotContainKey(HttpSpanData.RESPONSE_CONTENT_LENGTH);
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
