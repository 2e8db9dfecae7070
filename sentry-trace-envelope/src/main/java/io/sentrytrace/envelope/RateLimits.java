package io.sentrytrace.envelope;

import io.sentrytrace.EnvelopeTransport;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.function.LongSupplier;

/**
 * Until when Sentry told us not to send transactions. Read from {@code X-Sentry-Rate-Limits} on
 * any response ({@code retry_after:categories:scope:...}, comma-separated; categories
 * semicolon-separated, empty = all), else from {@code Retry-After} on a 429, else 60 seconds for a
 * bare 429, as Sentry's rate-limiting spec says. Thread-safe.
 */
final class RateLimits {
  static final long DEFAULT_RETRY_AFTER_SECONDS = 60;
  private static final String CATEGORY = "transaction";

  private final LongSupplier nanoTime;
  /** A {@link System#nanoTime()} value; null when never limited. Guarded by this for writes. */
  private volatile Long disabledUntil;

  RateLimits(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** True while transactions must not be sent. */
  boolean isLimited() {
    Long until = disabledUntil;
    return until != null && nanoTime.getAsLong() - until < 0;
  }

  /** How long the limit still holds; zero when not limited. */
  Duration remaining() {
    Long until = disabledUntil;
    long left = until == null ? 0 : until - nanoTime.getAsLong();
    return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
  }

  /** Applies the limits a response announces; true when it announced one for transactions. */
  boolean update(EnvelopeTransport.Response response) {
    String header = response.rateLimits();
    if (header != null && !header.isBlank()) return applyRateLimitsHeader(header);
    if (response.statusCode() == 429) {
      extend(retryAfterSeconds(response.retryAfter()));
      return true;
    }
    return false;
  }

  private boolean applyRateLimitsHeader(String header) {
    boolean applied = false;
    for (String quota : header.split(",")) {
      String[] parts = quota.split(":", -1);
      double seconds;
      try {
        seconds = Double.parseDouble(parts[0].trim());
      } catch (NumberFormatException e) {
        continue; // a quota we cannot read limits nothing
      }
      if (!(seconds > 0) || Double.isInfinite(seconds)) continue;
      if (parts.length < 2 || appliesToTransactions(parts[1])) {
        extend(seconds);
        applied = true;
      }
    }
    return applied;
  }

  private static boolean appliesToTransactions(String categories) {
    if (categories.isBlank()) return true;
    for (String category : categories.split(";")) {
      if (category.trim().equals(CATEGORY)) return true;
    }
    return false;
  }

  /** Seconds (integer or decimal) or an HTTP date; anything else gives the 60 s default. */
  static double retryAfterSeconds(String retryAfter) {
    if (retryAfter == null || retryAfter.isBlank()) return DEFAULT_RETRY_AFTER_SECONDS;
    String value = retryAfter.trim();
    try {
      double seconds = Double.parseDouble(value);
      return seconds >= 0 && !Double.isInfinite(seconds) ? seconds : DEFAULT_RETRY_AFTER_SECONDS;
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        return Math.max(0, Duration.between(Instant.now(), at).toMillis() / 1000.0);
      } catch (DateTimeParseException notDate) {
        return DEFAULT_RETRY_AFTER_SECONDS;
      }
    }
  }

  /** Limits keep the latest deadline: a shorter limit never cuts a longer one short. */
  private synchronized void extend(double seconds) {
    long until = nanoTime.getAsLong() + (long) Math.min(seconds * 1e9, (double) Duration.ofDays(1).toNanos());
    Long current = disabledUntil;
    if (current == null || until - current > 0) disabledUntil = until;
  }
}
