package io.sentrytrace.okhttp;

import static io.sentrytrace.okhttp.Calls.await;
import static io.sentrytrace.okhttp.Calls.enqueue;
import static io.sentrytrace.okhttp.Calls.execute;
import static io.sentrytrace.okhttp.Calls.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.Baggage;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Scope;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import io.sentrytrace.http.HttpClientContract;
import io.sentrytrace.test.LogRecords;
import java.util.List;
import java.util.logging.LogRecord;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A broken tracer never fails, changes or slows the user's call; it is logged once. */
@SuppressWarnings("try") // try (Scope scope = span.makeCurrent()) is the point
class InstrumentationFailureTest {
  private final LoopbackServer server;
  private final LogRecords log = LogRecords.asConfigured(TracingInterceptor.class.getName());

  InstrumentationFailureTest() throws Exception {
    server = new LoopbackServer();
  }

  @AfterEach
  void close() {
    log.close();
    server.close();
  }

  private List<LogRecord> failuresLogged() {
    return log.records().stream().filter(r -> r.getThrown() != null).toList();
  }

  @Test
  void aTracerThatThrowsBeforeTheRequestLetsItGoOutUnchanged() throws Exception {
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).clock(HttpClientContract.breakingAfter(1)).build();
    OkHttpClient client = TracingInterceptor.instrument(new OkHttpClient(), tracer);
    Span tx = tracer.startTransaction("checkout", "task"); // the one good reading
    Request request = new Request.Builder().url(server.respond(200).respond(200).url("/")).header("baggage", "vendor=1").build();
    try (Scope scope = tx.makeCurrent()) {
      assertThat(execute(client, request)).isEqualTo(200);
      assertThat(await(enqueue(client, request))).isEqualTo(200);
    }

    for (int i = 0; i < 2; i++) {
      RecordedRequest received = server.take();
      assertThat(received.getHeaders().get(SentryTrace.HEADER)).isNull();
      assertThat(received.getHeaders().values(Baggage.HEADER)).containsExactly("vendor=1");
    }
    assertThat(failuresLogged()).singleElement().satisfies(r -> assertThat(r.getThrown()).hasMessage("clock broke"));
  }
}
