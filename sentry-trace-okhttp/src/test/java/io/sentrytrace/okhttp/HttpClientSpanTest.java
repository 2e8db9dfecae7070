package io.sentrytrace.okhttp;

import static io.sentrytrace.okhttp.Calls.execute;
import static io.sentrytrace.okhttp.Calls.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentrytrace.InMemorySpanExporter;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Scope;
import io.sentrytrace.Span;
import io.sentrytrace.SpanData;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code http.client} span of a request: name, data, status, when it ends. */
@SuppressWarnings("try") // try (Scope scope = span.makeCurrent()) is the point
class HttpClientSpanTest {
  private final LoopbackServer server;
  private final InMemorySpanExporter exporter = new InMemorySpanExporter();
  private final Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(exporter).build();
  private final OkHttpClient client = SentryTraceInterceptor.instrument(new OkHttpClient(), tracer);

  HttpClientSpanTest() throws Exception {
    server = new LoopbackServer();
  }

  @AfterEach
  void close() {
    server.close();
  }

  @ParameterizedTest
  @CsvSource({"200, OK", "404, NOT_FOUND", "500, INTERNAL_ERROR"})
  void recordsTheResponseStatus(int code, SpanStatus status) throws Exception {
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      assertThat(execute(client, get(server.respond(code).url("/v1/orders?id=7&sort=asc")))).isEqualTo(code);
    }
    tx.finish();

    SpanData span = Traced.onlyChild(exporter);
    String url = "http://127.0.0.1:" + server.port() + "/v1/orders";
    assertThat(span.op()).isEqualTo("http.client");
    assertThat(span.description()).isEqualTo("GET " + url);
    assertThat(span.parentSpanId()).isEqualTo(tx.spanId());
    assertThat(span.status()).isEqualTo(status);
    assertThat(span.data())
        .containsEntry("http.request.method", "GET")
        .containsEntry("url", url)
        .containsEntry("http.query", "id=7&sort=asc")
        .containsEntry("http.response.status_code", code)
        .containsEntry("http.response_content_length", 5L);
    assertThat(Traced.sentryTrace(server.take()))
        .isEqualTo(SentryTrace.of(tx.traceId(), span.spanId(), true));
  }

  @Test
  void leavesOutUserInfoAndAnAbsentQuery() throws Exception {
    Span tx = tracer.startTransaction("checkout", "task");
    Request post = new Request.Builder()
        .url("http://alice:secret@127.0.0.1:" + server.respond(201).port() + "/upload")
        .post(RequestBody.create("x", MediaType.get("text/plain")))
        .build();
    try (Scope scope = tx.makeCurrent()) {
      execute(client, post);
    }
    tx.finish();

    SpanData span = Traced.onlyChild(exporter);
    assertThat(span.description()).isEqualTo("POST http://127.0.0.1:" + server.port() + "/upload");
    assertThat(span.data()).doesNotContainKey("http.query").containsEntry("http.request.method", "POST");
    assertThat(span.data().toString()).doesNotContain("alice").doesNotContain("secret");
  }

  @Test
  void leavesOutTheContentLengthWhenTheResponseHasNone() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).chunkedBody("chunked", 3).build());
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      execute(client, get(server.url("/")));
    }
    tx.finish();

    assertThat(Traced.onlyChild(exporter).data()).doesNotContainKey("http.response_content_length");
  }

  @Test
  void finishesWhenTheResponseHeadersArriveWithoutReadingTheBody() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("slow body").bodyDelay(1, TimeUnit.SECONDS).build());
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent();
        Response response = client.newCall(get(server.url("/"))).execute()) {
      tx.finish(); // the child must be finished already, its body still unread
      SpanData span = Traced.onlyChild(exporter);
      assertThat(span.duration()).isLessThan(Duration.ofMillis(900));
      assertThat(response.body().string()).isEqualTo("slow body");
    }
  }

  @Test
  void aRefusedConnectionMarksTheSpanInternalErrorAndIsRethrownUnchanged() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closedPort = socket.getLocalPort();
    }
    Request request = get("http://127.0.0.1:" + closedPort + "/");
    IOException plain = null;
    try {
      execute(new OkHttpClient(), request);
    } catch (IOException e) {
      plain = e;
    }
    assertThat(plain).as("nothing listens on the closed port").isInstanceOf(ConnectException.class);

    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      assertThatThrownBy(() -> execute(client, request))
          .isExactlyInstanceOf(plain.getClass())
          .hasMessage(plain.getMessage());
    }
    tx.finish();

    SpanData span = Traced.onlyChild(exporter);
    assertThat(span.status()).isEqualTo(SpanStatus.INTERNAL_ERROR);
    assertThat(span.data()).doesNotContainKey("http.response.status_code");
    assertThat(span.endTimestamp()).isNotNull();
  }
}
