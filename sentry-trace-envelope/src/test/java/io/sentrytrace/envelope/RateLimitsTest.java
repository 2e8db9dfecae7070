package io.sentrytrace.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.EnvelopeTransport.Response;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitsTest {
  private final AtomicLong nanos = new AtomicLong(-5_000_000_000L); // nanoTime may be negative
  private final RateLimits limits = new RateLimits(nanos::get);

  private void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  private boolean limitedFor(Duration limit) {
    if (!limits.isLimited()) return false;
    advance(limit.minusMillis(1));
    boolean stillLimited = limits.isLimited();
    advance(Duration.ofMillis(2));
    return stillLimited && !limits.isLimited();
  }

  @Test
  void notLimitedBeforeAnyResponse() {
    assertThat(limits.isLimited()).isFalse();
    assertThat(limits.remaining()).isZero();
  }

  @Test
  void bare429LimitsForSixtySeconds() {
    assertThat(limits.update(Response.of(429, null, null))).isTrue();
    assertThat(limitedFor(Duration.ofSeconds(60))).isTrue();
  }

  @Test
  void retryAfterSecondsOn429() {
    limits.update(Response.of(429, " 7 ", null));
    assertThat(limits.remaining()).isEqualTo(Duration.ofSeconds(7));
    assertThat(limitedFor(Duration.ofSeconds(7))).isTrue();
  }

  @Test
  void retryAfterAsHttpDate() {
    String in30s = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(30).format(DateTimeFormatter.RFC_1123_DATE_TIME);
    assertThat(RateLimits.retryAfterSeconds(in30s)).isBetween(27.0, 30.0);
    assertThat(RateLimits.retryAfterSeconds("soon")).isEqualTo(60.0);
  }

  @Test
  void retryAfterIsIgnoredWithoutA429() {
    assertThat(limits.update(Response.of(503, "30", null))).isFalse();
    assertThat(limits.isLimited()).isFalse();
  }

  @Test
  void rateLimitsHeaderForTransactionsWinsOverRetryAfter() {
    limits.update(Response.of(429, "2700", "60:transaction:key, 2700:default;error;security:organization"));
    assertThat(limitedFor(Duration.ofSeconds(60))).isTrue();
  }

  @Test
  void emptyCategoriesMeanAll() {
    limits.update(Response.of(429, null, "5::organization"));
    assertThat(limitedFor(Duration.ofSeconds(5))).isTrue();
  }

  @Test
  void otherCategoriesDoNotLimitTransactions() {
    assertThat(limits.update(Response.of(429, "60", "60:error;default:key:quota_exceeded"))).isFalse();
    assertThat(limits.isLimited()).isFalse();
  }

  @Test
  void rateLimitsHeaderAppliesOnSuccessToo() {
    limits.update(Response.of(200, null, "1.5:session;transaction:key"));
    assertThat(limitedFor(Duration.ofMillis(1500))).isTrue();
  }

  @Test
  void spacesAndUnknownTrailingFieldsAreIgnored() {
    limits.update(Response.of(429, null, " 10 : transaction ; error : org : reason : ns : future"));
    assertThat(limitedFor(Duration.ofSeconds(10))).isTrue();
  }

  @Test
  void unreadableQuotasLimitNothing() {
    assertThat(limits.update(Response.of(200, null, "abc:transaction:key,-5::org,,:"))).isFalse();
    assertThat(limits.isLimited()).isFalse();
  }

  @Test
  void aShorterLimitDoesNotCutALongerOneShort() {
    limits.update(Response.of(429, null, "60::org"));
    limits.update(Response.of(429, null, "1:transaction:key"));
    assertThat(limitedFor(Duration.ofSeconds(60))).isTrue();
  }
}
