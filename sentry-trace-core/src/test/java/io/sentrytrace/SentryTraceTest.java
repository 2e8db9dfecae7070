package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class SentryTraceTest {
  private static final TraceId TRACE = TraceId.fromHex("0123456789abcdef0123456789abcdef");
  private static final SpanId SPAN = SpanId.fromHex("0123456789abcdef");

  @TestFactory
  Stream<DynamicTest> parsesEveryConformanceVector() {
    return Vectors.cases("sentry-trace.json").stream()
        .map(v -> DynamicTest.dynamicTest(Vectors.name(v.get("input"), v), () -> check(v)));
  }

  private static void check(Map<String, Object> v) {
    String input = (String) v.get("input");
    Optional<SentryTrace> parsed = SentryTrace.parse(input);
    if (Boolean.TRUE.equals(v.get("valid"))) {
      assertThat(parsed).isPresent();
      assertThat(parsed.get().traceId().toString()).isEqualTo(v.get("traceId"));
      assertThat(parsed.get().spanId().toString()).isEqualTo(v.get("spanId"));
      assertThat(parsed.get().sampled()).isEqualTo(v.get("sampled"));
      // What we send again is the canonical form: lower case, trimmed.
      assertThat(parsed.get().toString()).isEqualTo(input.trim().toLowerCase());
    } else {
      assertThat(parsed).isEmpty();
    }
  }

  @Test
  void nullIsEmptyNotAnException() {
    assertThatCode(() -> assertThat(SentryTrace.parse(null)).isEmpty()).doesNotThrowAnyException();
  }

  @Test
  void formatsLowerCaseWithFlagWhenDecided() {
    assertThat(SentryTrace.of(TRACE, SPAN, true).toString())
        .isEqualTo("0123456789abcdef0123456789abcdef-0123456789abcdef-1");
    assertThat(SentryTrace.of(TRACE, SPAN, false).toString())
        .isEqualTo("0123456789abcdef0123456789abcdef-0123456789abcdef-0");
  }

  @Test
  void formatsWithoutFlagWhenDeferred() {
    assertThat(SentryTrace.of(TRACE, SPAN, null).toString())
        .isEqualTo("0123456789abcdef0123456789abcdef-0123456789abcdef");
  }

  @Test
  void upperCaseInputIsSentOnInLowerCase() {
    SentryTrace parsed = SentryTrace.parse("0123456789ABCDEF0123456789ABCDEF-0123456789ABCDEF-0").orElseThrow();
    assertThat(parsed.toString()).isEqualTo("0123456789abcdef0123456789abcdef-0123456789abcdef-0");
    assertThat(parsed).isEqualTo(SentryTrace.of(TRACE, SPAN, false)).hasSameHashCodeAs(SentryTrace.of(TRACE, SPAN, false));
  }

  @Test
  void roundTripsRandomIds() {
    for (int i = 0; i < 1_000; i++) {
      Boolean sampled = i % 3 == 0 ? null : i % 3 == 1;
      SentryTrace trace = SentryTrace.of(TraceId.random(), SpanId.random(), sampled);
      assertThat(SentryTrace.parse(trace.toString())).contains(trace);
    }
  }

  @Test
  void parsesAnyCharSequence() {
    assertThat(SentryTrace.parse(new StringBuilder("0123456789abcdef0123456789abcdef-0123456789abcdef-1")))
        .contains(SentryTrace.of(TRACE, SPAN, true));
  }

  @Test
  void ofRejectsNullIds() {
    assertThatThrownBy(() -> SentryTrace.of(null, SPAN, true)).hasMessageContaining("traceId");
    assertThatThrownBy(() -> SentryTrace.of(TRACE, null, true)).hasMessageContaining("spanId");
  }

  @Test
  void headerNameIsSentryTrace() {
    assertThat(SentryTrace.HEADER).isEqualTo("sentry-trace");
  }
}
