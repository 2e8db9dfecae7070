package io.sentrytrace.apache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.sentrytrace.Baggage;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.SpanData;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import io.sentrytrace.http.HttpClientPeer;
import io.sentrytrace.http.internal.HttpSpanData;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.io.CloseMode;
import org.junit.jupiter.api.Test;

/**
 * {@link TracingExecInterceptor} on the classic client: the behaviour in {@link
 * InterceptorContract}; retries, which the classic client rebuilds from the caller's request; and
 * when the span ends: with the response body, or at once without one, or {@code cancelled} by
 * {@code HttpUriRequestBase.cancel()} in the middle of the body.
 */
class TracingExecInterceptorTest extends InterceptorContract {
  private static final Duration PAUSE = Duration.ofMillis(300);

  @Override
  TestClient client(Tracer tracer, TestClient.Position position) {
    return TestClient.classic(tracer, position, 4);
  }

  @Override
  TestClient failingClient(Tracer tracer, IOException failure) {
    return TestClient.classic(TestClient.Position.FIRST, TracingExecInterceptor.create(tracer), 4, failure);
  }

  @Override
  Class<?> interceptorType() {
    return TracingExecInterceptor.class;
  }

  private static MockResponse unavailable() {
    return new MockResponse.Builder().code(503).setHeader("Retry-After", "0").build();
  }

  /** A classic client registered first, closed after {@code test}. */
  private void withClassic(ThrowingConsumer<CloseableHttpClient> test) throws Exception {
    CloseableHttpClient client = TestClient.classicClient(TestClient.Position.FIRST, TracingExecInterceptor.create(tracer), 4, null);
    try {
      test.accept(client);
    } finally {
      client.close(CloseMode.IMMEDIATE);
    }
  }

  @Test
  void rejectsANullTracerByName() {
    assertThatThrownBy(() -> TracingExecInterceptor.create(null)).isInstanceOf(NullPointerException.class).hasMessage("tracer");
  }

  @Test
  void retryOfACallInterceptedFirstIsRebuiltWithoutOurHeaders() throws Exception {
    target.enqueue(unavailable());
    target.enqueue(ok("second time"));
    TestClient client = client(TestClient.Position.FIRST);
    TransactionData tx = underTransaction(span -> assertThat(client.execute(client.newRequest("GET", base(target)), null)).isEqualTo(200));

    assertThat(sentryTrace(take(target)).spanId()).isEqualTo(tx.spans().get(0).spanId());
    RecordedRequest retry = take(target);
    assertThat(retry.getHeaders().values(SentryTrace.HEADER)).isEmpty();
    assertThat(retry.getHeaders().values(Baggage.HEADER)).isEmpty();
  }

  @Test
  void perHopRegistrationGivesEachRetryItsOwnSpanAndFreshHeaders() throws Exception {
    target.enqueue(unavailable());
    target.enqueue(ok("second time"));
    TestClient client = client(TestClient.Position.PER_HOP);
    TransactionData tx = underTransaction(span -> assertThat(client.execute(client.newRequest("GET", base(target)), null)).isEqualTo(200));

    assertThat(tx.spans()).hasSize(2);
    assertThat(tx.spans()).extracting(s -> s.data().get("http.response.status_code")).containsExactlyInAnyOrder(503, 200);
    assertThat(sentryTrace(take(target)).spanId()).isEqualTo(statusSpan(tx, 503).spanId());
    RecordedRequest retry = take(target);
    assertThat(sentryTrace(retry).spanId()).isEqualTo(statusSpan(tx, 200).spanId());
    assertThat(retry.getHeaders().values(Baggage.HEADER)).hasSize(1);
  }

  private static SpanData statusSpan(TransactionData tx, int code) {
    return tx.spans().stream().filter(s -> Integer.valueOf(code).equals(s.data().get("http.response.status_code"))).findFirst().orElseThrow();
  }

  // ---- when the span ends ----

  @Test
  void theSpanLastsUntilTheCallerHasReadTheStreamedBody() throws Exception {
    try (HttpClientPeer peer = new HttpClientPeer()) {
      peer.stream("first chunk,", PAUSE, "second chunk");
      TransactionData tx = underTransaction(span -> withClassic(client -> {
        try (ClassicHttpResponse response = client.executeOpen(null, new HttpGet(peer.url("/stream")), null);
            InputStream body = response.getEntity().getContent()) {
          assertThat(new String(body.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("first chunk,second chunk");
        }
      }));

      SpanData span = tx.spans().get(0);
      double ttfbMillis = (Double) span.data().get(HttpSpanData.TIME_TO_FIRST_BYTE);
      assertThat(span.duration().toNanos() / 1e6 - ttfbMillis).as("body time after the head").isGreaterThanOrEqualTo(PAUSE.toMillis() - 10.0);
      assertThat(span.status()).isEqualTo(SpanStatus.OK);
    }
  }

  @Test
  void aResponseWithoutABodyEndsTheSpanAtOnce() throws Exception {
    target.enqueue(new MockResponse.Builder().code(204).build());
    ClassicHttpResponse[] open = new ClassicHttpResponse[1];
    TransactionData tx = underTransaction(span -> withClassic(client ->
        open[0] = client.executeOpen(null, new HttpGet(base(target)), null))); // not closed yet

    assertThat(open[0].getEntity()).isNull();
    assertThat(tx.spans()).singleElement().satisfies(span -> {
      assertThat(span.endTimestamp()).isNotNull();
      assertThat(span.data()).containsEntry(HttpSpanData.STATUS_CODE, 204);
    });
  }

  @Test
  void closingTheResponseUnreadEndsTheSpan() throws Exception {
    target.enqueue(ok("never read"));
    TransactionData tx = underTransaction(span -> withClassic(client ->
        client.executeOpen(null, new HttpGet(base(target)), null).close()));

    assertThat(tx.spans()).singleElement().satisfies(span -> {
      assertThat(span.endTimestamp()).isNotNull();
      assertThat(span.status()).isEqualTo(SpanStatus.OK);
      assertThat(span.data()).containsEntry(HttpSpanData.RESPONSE_CONTENT_LENGTH, 10L);
    });
  }

  @Test
  void cancellingTheRequestInTheMiddleOfItsBodyEndsTheSpanCancelled() throws Exception {
    try (HttpClientPeer peer = new HttpClientPeer()) {
      peer.stream("first chunk,", Duration.ofSeconds(10), "never sent");
      TransactionData tx = underTransaction(span -> withClassic(client -> {
        HttpGet request = new HttpGet(peer.url("/stream"));
        ClassicHttpResponse response = client.executeOpen(null, request, null);
        InputStream body = response.getEntity().getContent();
        assertThat(body.readNBytes("first chunk,".length())).hasSize("first chunk,".length());
        request.cancel();
        catchThrowable(body::read); // a closed connection: an exception, or the end of the stream
        catchThrowable(response::close);
      }));

      assertThat(tx.spans()).singleElement().satisfies(span -> {
        assertThat(span.status()).isEqualTo(SpanStatus.CANCELLED);
        assertThat(span.data()).containsEntry(HttpSpanData.STATUS_CODE, 200);
      });
    }
  }
}
