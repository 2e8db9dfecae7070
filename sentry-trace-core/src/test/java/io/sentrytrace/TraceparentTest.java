package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TraceparentTest {
  private static final String TRACE = "0123456789abcdef0123456789abcdef";
  private static final String SPAN = "0123456789abcdef";
  private static final String TRACEPARENT = "00-" + TRACE + "-" + SPAN + "-01";
  private static final String OTHER_TRACE = "fedcba9876543210fedcba9876543210";

  @Test
  void sampledSpanSendsFlag01() {
    Span span = Tracer.builder().tracesSampleRate(1.0).build().startTransaction("tx", "op");
    assertThat(span.toTraceparent()).isEqualTo("00-" + span.traceId() + "-" + span.spanId() + "-01");
  }

  @Test
  void unsampledSpanSendsFlag00() {
    Span span = Tracer.builder().tracesSampleRate(0.0).build().startTransaction("tx", "op");
    assertThat(span.sampled()).isFalse();
    assertThat(span.toTraceparent()).isEqualTo("00-" + span.traceId() + "-" + span.spanId() + "-00");
  }

  @Test
  void deferredDecisionIsSentAs00() {
    Span span = Tracer.builder().build().startTransaction("tx", "op");
    assertThat(span.sampled()).isNull();
    assertThat(span.toTraceparent()).isEqualTo("00-" + span.traceId() + "-" + span.spanId() + "-00");
  }

  @Test
  void continuesFromTraceparentWhenThereIsNoSentryTrace() {
    Tracer tracer = Tracer.builder().continueFromTraceparent(true).build();
    PropagationContext ctx = tracer.extract(headers(Map.of("traceparent", TRACEPARENT)), Map::get);

    assertThat(ctx.traceId().toString()).isEqualTo(TRACE);
    assertThat(ctx.parentSpanId().toString()).isEqualTo(SPAN);
    assertThat(ctx.sampled()).isTrue();
    assertThat(ctx.isHeadOfTrace()).isFalse();
  }

  @Test
  void continuesFromTraceparentWhenSentryTraceIsInvalid() {
    Tracer tracer = Tracer.builder().continueFromTraceparent(true).build();
    PropagationContext ctx =
        tracer.extract(headers(Map.of("sentry-trace", "garbage", "traceparent", TRACEPARENT)), Map::get);

    assertThat(ctx.traceId().toString()).isEqualTo(TRACE);
  }

  @Test
  void validSentryTraceWinsOverTraceparent() {
    Tracer tracer = Tracer.builder().continueFromTraceparent(true).build();
    PropagationContext ctx = tracer.extract(
        headers(Map.of("sentry-trace", OTHER_TRACE + "-" + SPAN + "-0", "traceparent", TRACEPARENT)), Map::get);

    assertThat(ctx.traceId().toString()).isEqualTo(OTHER_TRACE);
    assertThat(ctx.sampled()).isFalse();
  }

  @Test
  void traceparentIsIgnoredWithoutTheOption() {
    Tracer tracer = Tracer.builder().build();
    PropagationContext ctx = tracer.extract(headers(Map.of("traceparent", TRACEPARENT)), Map::get);

    assertThat(ctx.traceId().toString()).isNotEqualTo(TRACE);
    assertThat(ctx.isHeadOfTrace()).isTrue();
  }

  @Test
  void traceparentFlagsMapToTheSampledBit() {
    assertThat(Traceparent.parse("00-" + TRACE + "-" + SPAN + "-00").sampled()).isFalse();
    assertThat(Traceparent.parse("00-" + TRACE + "-" + SPAN + "-03").sampled()).isTrue();
    assertThat(Traceparent.parse(" 00-" + TRACE + "-" + SPAN + "-01\t")).isEqualTo(
        SentryTrace.of(TraceId.fromHex(TRACE), SpanId.fromHex(SPAN), true));
  }

  @Test
  void invalidTraceparentsAreIgnored() {
    assertThat(Traceparent.parse(null)).isNull();
    assertThat(Traceparent.parse("")).isNull();
    assertThat(Traceparent.parse("00-" + TRACE.toUpperCase() + "-" + SPAN + "-01")).as("upper case").isNull();
    assertThat(Traceparent.parse("ff-" + TRACE + "-" + SPAN + "-01")).as("version ff").isNull();
    assertThat(Traceparent.parse("00-" + TRACE + "-" + SPAN + "-01-extra")).as("00 with extra").isNull();
    assertThat(Traceparent.parse("00-" + "0".repeat(32) + "-" + SPAN + "-01")).as("zero trace").isNull();
    assertThat(Traceparent.parse("00-" + TRACE + "-" + "0".repeat(16) + "-01")).as("zero span").isNull();
    assertThat(Traceparent.parse("00-" + TRACE + "-" + SPAN + "-0g")).as("flags not hex").isNull();
    assertThat(Traceparent.parse(TRACE + "-" + SPAN + "-1")).as("a sentry-trace").isNull();
  }

  @Test
  void futureVersionsAreReadByTheirFirst55Chars() {
    assertThat(Traceparent.parse("01-" + TRACE + "-" + SPAN + "-01-whatever").traceId().toString()).isEqualTo(TRACE);
    assertThat(Traceparent.parse("01-" + TRACE + "-" + SPAN + "-01x")).isNull();
  }

  @Test
  void formatRoundTripsThroughParse() {
    for (int i = 0; i < 1_000; i++) {
      TraceId trace = TraceId.random();
      SpanId span = SpanId.random();
      boolean sampled = i % 2 == 0;
      assertThat(Traceparent.parse(Traceparent.format(trace, span, sampled)))
          .isEqualTo(SentryTrace.of(trace, span, sampled));
    }
  }

  private static Map<String, String> headers(Map<String, String> headers) {
    return new HashMap<>(headers);
  }
}
