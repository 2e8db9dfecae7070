package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CorsTest {
  @Test
  void nullGivesTheTraceHeaders() {
    assertThat(Cors.allowHeaders(null)).isEqualTo("sentry-trace, baggage").isEqualTo(Cors.ALLOW_HEADERS);
    assertThat(Cors.allowHeaders("")).isEqualTo("sentry-trace, baggage");
    assertThat(Cors.ALLOW_HEADERS_HEADER).isEqualTo("Access-Control-Allow-Headers");
  }

  @Test
  void keepsExistingNamesFirstAndAsWritten() {
    assertThat(Cors.allowHeaders("Content-Type, X-Requested-With"))
        .isEqualTo("Content-Type, X-Requested-With, sentry-trace, baggage");
  }

  @Test
  void listsEachNameOnceIgnoringCase() {
    assertThat(Cors.allowHeaders("content-type,Content-Type, SENTRY-TRACE ,  ,Baggage"))
        .isEqualTo("content-type, SENTRY-TRACE, Baggage");
  }

  @Test
  void addsTraceparentWhenAsked() {
    assertThat(Cors.allowHeaders(null, true)).isEqualTo("sentry-trace, baggage, traceparent");
    assertThat(Cors.allowHeaders("TraceParent", true)).isEqualTo("TraceParent, sentry-trace, baggage");
    assertThat(Cors.allowHeaders("x", false)).isEqualTo("x, sentry-trace, baggage");
  }

  @Test
  void isIdempotent() {
    String once = Cors.allowHeaders("Content-Type", true);
    assertThat(Cors.allowHeaders(once, true)).isEqualTo(once);
  }

  @Test
  void keepsABoundedNumberOfNamesFromAHugeRequest() {
    StringBuilder names = new StringBuilder();
    for (int i = 0; names.length() < 370 * 1024; i++) names.append("X-Header-").append(i).append(", ");
    String allowed = Cors.allowHeaders(names.toString(), true);
    String[] kept = allowed.split(", ");
    assertThat(kept).hasSize(Cors.MAX_NAMES + 3).startsWith("X-Header-0").endsWith("sentry-trace", "baggage", "traceparent");
    assertThat(allowed.length()).isLessThanOrEqualTo(Baggage.MAX_HEADER_LENGTH);
  }

  @Test
  void readsOnlyTheFirst8192Chars() {
    String longName = "X-" + "a".repeat(Baggage.MAX_HEADER_LENGTH);
    assertThat(Cors.allowHeaders("Content-Type, " + longName + ", X-After")).isEqualTo("Content-Type, sentry-trace, baggage");
  }

  @Test
  void dropsNamesThatAreNotHeaderNames() {
    assertThat(Cors.allowHeaders("Content-Type, X-A\r\nSet-Cookie: a=b, <script>, \"x\", X-\u00e9, X-Ok"))
        .isEqualTo("Content-Type, X-Ok, sentry-trace, baggage");
  }
}
