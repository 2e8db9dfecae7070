package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerTimingTest {
  private static final String SENTRY_TRACE = "0123456789abcdef0123456789abcdef-0123456789abcdef-1";

  @Test
  void carriesSentryTraceAndBaggageAsQuotedDescriptions() {
    Span span = TestSpans.spanWith(SENTRY_TRACE, "sentry-environment=production,sentry-release=a%40b");
    assertThat(ServerTiming.header(span)).isEqualTo(
        "sentry-trace;desc=\"" + SENTRY_TRACE + "\", baggage;desc=\"sentry-environment=production,sentry-release=a%40b\"");
  }

  @Test
  void leavesOutTheBaggageMetricWhenThereIsNoDsc() {
    assertThat(ServerTiming.header(TestSpans.spanWith(SENTRY_TRACE, null))).isEqualTo("sentry-trace;desc=\"" + SENTRY_TRACE + "\"");
  }

  @Test
  void describesARealSpan() {
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).build();
    Span tx = tracer.startTransaction("t", "o");
    assertThat(ServerTiming.header(tx))
        .isEqualTo("sentry-trace;desc=\"" + tx.toSentryTrace() + "\", baggage;desc=\"" + tx.toBaggage() + "\"");
  }

  @Test
  void quotedStringEscapesQuoteAndBackslashAndDropsControls() {
    StringBuilder out = new StringBuilder();
    ServerTiming.quote("a\"b\\c\r\nd\u0000e\u007ff é", out);
    assertThat(out.toString()).isEqualTo("\"a\\\"b\\\\cdef é\"");
  }

  @Test
  void headerNameIsServerTiming() {
    assertThat(ServerTiming.HEADER).isEqualTo("Server-Timing");
  }
}
