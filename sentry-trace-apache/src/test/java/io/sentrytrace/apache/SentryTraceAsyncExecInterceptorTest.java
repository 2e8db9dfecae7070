package io.sentrytrace.apache;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.Scope;
import io.sentrytrace.Span;
import io.sentrytrace.SpanData;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.io.CloseMode;
import org.junit.jupiter.api.Test;

/**
 * {@link SentryTraceAsyncExecInterceptor} on the async client: the behaviour in {@link
 * InterceptorContract}, and the parent when the response comes back on an I/O thread.
 */
@SuppressWarnings("try") // scopes are opened for their effect on the current span
class SentryTraceAsyncExecInterceptorTest extends InterceptorContract {
  @Override
  TestClient client(Tracer tracer, TestClient.Position position) {
    return TestClient.async(tracer, position, 4);
  }

  @Override
  TestClient failingClient(Tracer tracer, IOException failure) {
    return TestClient.async(TestClient.Position.FIRST, new SentryTraceAsyncExecInterceptor(tracer), 4, failure);
  }

  @Test
  void parentIsTheSpanCurrentWhenTheCallerCalledExecute() throws Exception {
    target.enqueue(new mockwebserver3.MockResponse.Builder().code(200).body("late").bodyDelay(200, TimeUnit.MILLISECONDS).build());
    CloseableHttpAsyncClient client = TestClient.asyncClient(TestClient.Position.FIRST, new SentryTraceAsyncExecInterceptor(tracer), 4, null);
    try {
      Span caller = tracer.startTransaction("caller", "test");
      Span later = tracer.startTransaction("later", "test");
      CompletableFuture<Thread> completedOn = new CompletableFuture<>();
      Future<SimpleHttpResponse> response;
      try (Scope ignored = caller.makeCurrent()) {
        response = client.execute(SimpleHttpRequest.create("GET", base(target)), new FutureCallback<>() {
          @Override
          public void completed(SimpleHttpResponse result) {
            completedOn.complete(Thread.currentThread());
          }

          @Override
          public void failed(Exception ex) {
            completedOn.completeExceptionally(ex);
          }

          @Override
          public void cancelled() {
            completedOn.cancel(false);
          }
        });
      }
      // By the time the response arrives another span is current on this thread.
      try (Scope ignored = later.makeCurrent()) {
        assertThat(response.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(200);
      }
      assertThat(completedOn.get(10, TimeUnit.SECONDS)).isNotSameAs(Thread.currentThread());
      later.finish();
      caller.finish();

      List<TransactionData> exported = exporter.await(2, Duration.ofSeconds(5));
      TransactionData callerTx = exported.stream().filter(t -> t.name().equals("caller")).findFirst().orElseThrow();
      TransactionData laterTx = exported.stream().filter(t -> t.name().equals("later")).findFirst().orElseThrow();
      assertThat(laterTx.spans()).isEmpty();
      SpanData span = callerTx.spans().get(0);
      assertThat(span.parentSpanId()).isEqualTo(caller.spanId());
      assertThat(sentryTrace(take(target)).spanId()).isEqualTo(span.spanId());
    } finally {
      client.close(CloseMode.GRACEFUL);
    }
  }

  @Test
  void retriesCarryTheHeadersOfTheirCall() throws Exception {
    target.enqueue(new mockwebserver3.MockResponse.Builder().code(503).setHeader("Retry-After", "0").build());
    target.enqueue(ok("second time"));
    TestClient client = client(TestClient.Position.FIRST);
    TransactionData tx = underTransaction(span -> assertThat(client.execute(client.newRequest("GET", base(target)), null)).isEqualTo(200));

    SpanData call = tx.spans().get(0);
    assertThat(sentryTrace(take(target)).spanId()).isEqualTo(call.spanId());
    assertThat(sentryTrace(take(target)).spanId()).isEqualTo(call.spanId());
  }
}
