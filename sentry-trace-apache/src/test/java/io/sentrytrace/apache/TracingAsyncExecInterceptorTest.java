package io.sentrytrace.apache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentrytrace.SpanData;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import io.sentrytrace.http.HttpClientPeer;
import io.sentrytrace.http.internal.HttpSpanData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.AbstractBinResponseConsumer;
import org.apache.hc.client5.http.async.methods.AbstractBinResponseConsumer;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.io.CloseMode;
import org.junit.jupiter.api.Test;

/**
 * {@link TracingAsyncExecInterceptor} on the async client: the behaviour in {@link
 * InterceptorContract}; retries, which the async client rebuilds from the request the interceptor
 * sent; and when the span ends: when a streaming response consumer has the whole body, or {@code
 * cancelled} by {@code Future.cancel} in the middle of it.
 */
class TracingAsyncExecInterceptorTest extends InterceptorContract {
  private static final Duration PAUSE = Duration.ofMillis(300);

  @Override
  TestClient client(Tracer tracer, TestClient.Position position) {
    return TestClient.async(tracer, position, 4);
  }

  @Override
  TestClient failingClient(Tracer tracer, IOException failure) {
    return TestClient.async(TestClient.Position.FIRST, TracingAsyncExecInterceptor.create(tracer), 4, failure);
  }

  @Override
  Class<?> interceptorType() {
    return TracingAsyncExecInterceptor.class;
  }

  /** An async client registered first, closed after {@code test}. */
  private void withAsync(ThrowingConsumer<CloseableHttpAsyncClient> test) throws Exception {
    CloseableHttpAsyncClient client = TestClient.asyncClient(TestClient.Position.FIRST, TracingAsyncExecInterceptor.create(tracer), 4, null);
    try {
      test.accept(client);
    } finally {
      client.close(CloseMode.IMMEDIATE);
    }
  }

  @Test
  void rejectsANullTracerByName() {
    assertThatThrownBy(() -> TracingAsyncExecInterceptor.create(null)).isInstanceOf(NullPointerException.class).hasMessage("tracer");
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

  // ---- when the span ends ----

  @Test
  void theSpanLastsUntilAStreamingConsumerHasTheWholeBody() throws Exception {
    try (HttpClientPeer peer = new HttpClientPeer()) {
      peer.stream("first chunk,", PAUSE, "second chunk");
      Chunks chunks = new Chunks();
      TransactionData tx = underTransaction(span -> withAsync(client -> assertThat(
          client.execute(SimpleRequestProducer.create(SimpleRequestBuilder.get(peer.url("/stream")).build()), chunks, null)
              .get(10, TimeUnit.SECONDS)).isEqualTo("first chunk,second chunk")));

      SpanData span = tx.spans().get(0);
      double ttfbMillis = (Double) span.data().get(HttpSpanData.TIME_TO_FIRST_BYTE);
      assertThat(span.duration().toNanos() / 1e6 - ttfbMillis).as("body time after the head").isGreaterThanOrEqualTo(PAUSE.toMillis() - 10.0);
      assertThat(span.status()).isEqualTo(SpanStatus.OK);
    }
  }

  @Test
  void cancellingTheFutureInTheMiddleOfTheBodyEndsTheSpanCancelled() throws Exception {
    try (HttpClientPeer peer = new HttpClientPeer()) {
      peer.stream("first chunk,", Duration.ofSeconds(10), "never sent");
      Chunks chunks = new Chunks();
      TransactionData tx = underTransaction(span -> withAsync(client -> {
        Future<String> call = client.execute(SimpleRequestProducer.create(SimpleRequestBuilder.get(peer.url("/stream")).build()), chunks, null);
        assertThat(chunks.firstData.await(10, TimeUnit.SECONDS)).as("the first chunk arrived").isTrue();
        call.cancel(true);
        assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
      }));

      assertThat(tx.spans()).singleElement().satisfies(span -> {
        assertThat(span.status()).isEqualTo(SpanStatus.CANCELLED);
        assertThat(span.data()).containsEntry(HttpSpanData.STATUS_CODE, 200);
      });
    }
  }

  /** A streaming consumer: the body's text, and a latch opened by its first bytes. */
  private static final class Chunks extends AbstractBinResponseConsumer<String> {
    final CountDownLatch firstData = new CountDownLatch(1);
    private final StringBuilder text = new StringBuilder();

    @Override
    protected void start(HttpResponse response, ContentType contentType) {}

    @Override
    protected int capacityIncrement() {
      return 1024;
    }

    @Override
    protected void data(ByteBuffer src, boolean endOfStream) {
      while (src.hasRemaining()) text.append((char) src.get());
      firstData.countDown();
    }

    @Override
    protected String buildResult() {
      return text.toString();
    }

    @Override
    public void releaseResources() {}
  }

}
