package io.sentrytrace.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.Scope;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Span;
import io.sentrytrace.SpanData;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import io.sentrytrace.testing.InMemorySpanExporter;
import io.sentrytrace.test.LogRecords;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogRecord;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * WebSocket handshakes through an instrumented client: OkHttp runs them without the client's event
 * listener, on a dispatcher thread; they still carry the caller's trace and are recorded.
 */
@SuppressWarnings("try") // try (Scope scope = span.makeCurrent()) is the point
class WebSocketTest {
  private final LoopbackServer server;
  private final InMemorySpanExporter exporter = new InMemorySpanExporter();
  private final Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(exporter).build();
  private final OkHttpClient client = TracingInterceptor.instrument(new OkHttpClient(), tracer);
  private final LogRecords log = LogRecords.asConfigured(TracingInterceptor.class.getName());

  WebSocketTest() throws Exception {
    server = new LoopbackServer();
  }

  @AfterEach
  void close() {
    log.close();
    client.dispatcher().executorService().shutdown();
    server.close();
  }

  @Test
  void aWebSocketOpenedUnderASpanCarriesItsTraceAndIsRecorded() throws Exception {
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketListener() {}).build());
    CompletableFuture<Response> opened = new CompletableFuture<>();
    Span tx = tracer.startTransaction("chat", "task");
    WebSocket socket;
    try (Scope scope = tx.makeCurrent()) {
      socket = client.newWebSocket(Calls.get(server.url("/chat")), new WebSocketListener() {
        @Override
        public void onOpen(WebSocket webSocket, Response response) {
          opened.complete(response);
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
          opened.completeExceptionally(t);
        }
      });
    }
    assertThat(opened.get(10, TimeUnit.SECONDS).code()).isEqualTo(101);
    socket.cancel();
    tx.finish();

    RecordedRequest handshake = server.take();
    SpanData span = Traced.onlyChild(exporter);
    assertThat(Traced.sentryTrace(handshake)).isEqualTo(SentryTrace.of(tx.traceId(), span.spanId(), true));
    assertThat(span.parentSpanId()).isEqualTo(tx.spanId());
    assertThat(span.status()).isEqualTo(SpanStatus.OK);
    assertThat(span.data()).containsEntry("http.response.status_code", 101);
    assertThat(log.records()).extracting(LogRecord::getMessage).noneMatch(m -> m.contains("without its event listener"));
  }
}
