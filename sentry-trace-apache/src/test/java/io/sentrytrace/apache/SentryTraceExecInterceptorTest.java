package io.sentrytrace.apache;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.Baggage;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.SpanData;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import java.io.IOException;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

/**
 * {@link SentryTraceExecInterceptor} on the classic client: the behaviour in {@link
 * InterceptorContract}, and retries, which the classic client rebuilds from the caller's request.
 */
class SentryTraceExecInterceptorTest extends InterceptorContract {
  @Override
  TestClient client(Tracer tracer, TestClient.Position position) {
    return TestClient.classic(tracer, position, 4);
  }

  @Override
  TestClient failingClient(Tracer tracer, IOException failure) {
    return TestClient.classic(TestClient.Position.FIRST, new SentryTraceExecInterceptor(tracer), 4, failure);
  }

  private static MockResponse unavailable() {
    return new MockResponse.Builder().code(503).setHeader("Retry-After", "0").build();
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
}
