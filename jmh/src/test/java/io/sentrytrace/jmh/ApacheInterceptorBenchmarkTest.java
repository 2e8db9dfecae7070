package io.sentrytrace.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApacheInterceptorBenchmarkTest {
  private final ApacheInterceptorBenchmark benchmark = new ApacheInterceptorBenchmark();

  @BeforeEach
  void setUp() {
    benchmark.setUp();
  }

  @AfterEach
  void tearDown() {
    benchmark.tearDown();
  }

  @Test
  void oursHandsTheChainARequestWithAChildSpan() throws Exception {
    ClassicHttpRequest[] sent = new ClassicHttpRequest[1];
    ExecChain recording =
        (request, scope) -> {
          sent[0] = request;
          return new BasicClassicHttpResponse(200, "OK");
        };
    benchmark.nextCall();
    benchmark.calls--; // the benchmark method would count this call itself

    assertThat(benchmark.ours.execute(benchmark.request, benchmark.scope(), recording).getCode()).isEqualTo(200);

    String sentryTrace = sent[0].getFirstHeader("sentry-trace").getValue();
    assertThat(sentryTrace).startsWith(benchmark.transaction.traceId() + "-").endsWith("-1");
    assertThat(sentryTrace).doesNotContain(benchmark.transaction.spanId().toString());
    assertThat(benchmark.request.getFirstHeader("sentry-trace")).as("the caller's request is not changed").isNull();
  }

  @Test
  void bothAnswerWithTheCannedResponse() throws Exception {
    assertThat(benchmark.execute_none().getCode()).isEqualTo(200);
    assertThat(benchmark.execute_ours().getCode()).isEqualTo(200);
  }
}
