package io.sentrytrace.okhttp;

import static io.sentrytrace.okhttp.Calls.execute;
import static io.sentrytrace.okhttp.Calls.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentrytrace.SentryTrace;
import io.sentrytrace.Scope;
import io.sentrytrace.Span;
import io.sentrytrace.SpanData;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import io.sentrytrace.testing.InMemorySpanExporter;
import io.sentrytrace.test.LogRecords;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import java.util.List;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@code http.client} span of a request, where OkHttp differs from the shared contract: user-info
 * URLs, the exception a refused connection throws, and when the span ends without the event
 * listener (the interceptor added by hand).
 */
@SuppressWarnings("try") // try (Scope scope = span.makeCurrent()) is the point
class HttpClientSpanTest {
  private final LoopbackServer server;
  private final InMemorySpanExporter exporter = new InMemorySpanExporter();
  private final Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(exporter).build();
  private final OkHttpClient client = TracingInterceptor.instrument(new OkHttpClient(), tracer);

  HttpClientSpanTest() throws Exception {
    server = new LoopbackServer();
  }

  @AfterEach
  void close() {
    server.close();
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

  @Test
  void addedByHandTheSpanLastsUntilTheBodyIsRead() throws Exception {
    OkHttpClient byHand = new OkHttpClient.Builder().addInterceptor(TracingInterceptor.create(tracer)).build();
    server.enqueue(new MockResponse.Builder().code(200).body("slow body").bodyDelay(300, TimeUnit.MILLISECONDS).build());
    Span tx = tracer.startTransaction("checkout", "task");
    try (LogRecords log = LogRecords.asConfigured("io.sentrytrace.okhttp")) {
      try (Scope scope = tx.makeCurrent();
          Response response = byHand.newCall(get(server.url("/"))).execute()) {
        assertThat(response.body().string()).isEqualTo("slow body");
      }
      // Registered by hand on purpose: the advice to use instrument() is given once.
      assertThat(log.lines()).singleElement().asString().startsWith("INFO").contains("registered without its event listener");
    }
    tx.finish();

    SpanData span = Traced.onlyChild(exporter);
    assertThat(span.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(span.data()).containsEntry("http.response.status_code", 200).containsKey("http.response.time_to_first_byte_ms");
  }

  @Test
  void closingAnUnreadBodyEndsTheSpan() throws Exception {
    OkHttpClient byHand = new OkHttpClient.Builder().addInterceptor(TracingInterceptor.create(tracer)).build();
    try (LogRecords log = LogRecords.asConfigured("io.sentrytrace.okhttp")) {
      for (OkHttpClient c : List.of(client, byHand)) {
        server.enqueue(new MockResponse.Builder().code(200).body("never read").build());
        Span tx = tracer.startTransaction("checkout", "task");
        try (Scope scope = tx.makeCurrent()) {
          c.newCall(get(server.url("/"))).execute().close();
        }
        tx.finish();
      }
      assertThat(log.lines()).singleElement().asString().startsWith("INFO").contains("registered without its event listener");
    }

    assertThat(exporter.transactions()).hasSize(2).allSatisfy(t ->
        assertThat(t.spans()).singleElement().satisfies(s -> assertThat(s.status()).isEqualTo(SpanStatus.OK)));
  }

  @Test
  void cancellingAnExecutedCallWhileItsBodyIsReadEndsTheSpanCancelled() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("slow body").bodyDelay(2, TimeUnit.SECONDS).build());
    Span tx = tracer.startTransaction("checkout", "task");
    try (Scope scope = tx.makeCurrent()) {
      Call call = client.newCall(get(server.url("/")));
      try (Response response = call.execute()) {
        call.cancel();
        assertThatThrownBy(() -> response.body().string()).isInstanceOf(IOException.class);
      }
    }
    tx.finish();

    assertThat(Traced.onlyChild(exporter).status()).isEqualTo(SpanStatus.CANCELLED);
  }
}
