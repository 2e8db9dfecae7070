package io.sentrytrace.envelope;

import java.time.Instant;
import java.time.LocalDate;

/**
 * The two ways an envelope writes time, as ASCII digits into a buffer: no {@code BigDecimal}, no
 * {@code DateTimeFormatter}, each of which cost more than the rest of a span's fields.
 */
final class Timestamps {
  /** Enough for any {@link #epochSecondsWithMicros} result: sign, 13 digits, point, 6 digits. */
  static final int MAX_DECIMAL_LENGTH = 24;
  /** Enough for any {@link #isoInstant} result: {@code 9999-12-31T23:59:59.999999999Z}. */
  static final int MAX_ISO_LENGTH = 30;
  /** 9999-12-31T23:59:59Z: past it the year needs a sign and more digits. */
  private static final long MAX_FOUR_DIGIT_YEAR_SECONDS = 253_402_300_799L;

  private Timestamps() {}

  /**
   * Seconds since the epoch as a decimal with exactly 6 fraction digits ({@code 1700000000.123456},
   * {@code -0.000001}), what {@code BigDecimal.valueOf(micros, 6).toString()} gives. Returns the
   * position after it.
   *
   * @throws ArithmeticException for an instant whose microseconds do not fit a long (years beyond
   *     about 292,000)
   */
  static int epochSecondsWithMicros(Instant instant, byte[] out, int start) {
    long micros = Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    int at = start;
    if (micros < 0) {
      out[at++] = '-';
      micros = -micros; // never Long.MIN_VALUE: the product above would have overflowed first
    }
    at = digits(micros / 1_000_000L, out, at);
    out[at++] = '.';
    return fixed((int) (micros % 1_000_000L), 6, out, at);
  }

  /**
   * The instant as {@code DateTimeFormatter.ISO_INSTANT} writes it ({@code
   * 2023-11-14T22:13:25.250Z}: the fraction in groups of 3 digits, as many as needed), for the
   * years 1970 to 9999; returns the position after it, or -1 for any other instant (the caller
   * formats those with {@code ISO_INSTANT}).
   */
  static int isoInstant(Instant instant, byte[] out, int start) {
    long seconds = instant.getEpochSecond();
    if (seconds < 0 || seconds > MAX_FOUR_DIGIT_YEAR_SECONDS) return -1;
    LocalDate date = LocalDate.ofEpochDay(seconds / 86_400);
    int secondOfDay = (int) (seconds % 86_400);
    int at = fixed(date.getYear(), 4, out, start);
    out[at++] = '-';
    at = fixed(date.getMonthValue(), 2, out, at);
    out[at++] = '-';
    at = fixed(date.getDayOfMonth(), 2, out, at);
    out[at++] = 'T';
    at = fixed(secondOfDay / 3600, 2, out, at);
    out[at++] = ':';
    at = fixed(secondOfDay / 60 % 60, 2, out, at);
    out[at++] = ':';
    at = fixed(secondOfDay % 60, 2, out, at);
    int nanos = instant.getNano();
    if (nanos != 0) {
      out[at++] = '.';
      if (nanos % 1_000_000 == 0) at = fixed(nanos / 1_000_000, 3, out, at);
      else if (nanos % 1_000 == 0) at = fixed(nanos / 1_000, 6, out, at);
      else at = fixed(nanos, 9, out, at);
    }
    out[at++] = 'Z';
    return at;
  }

  /** A non-negative value in as many digits as it needs. */
  private static int digits(long value, byte[] out, int at) {
    if (value > Integer.MAX_VALUE) { // after 2038: the digits past the last 9 first
      at = digits(value / 1_000_000_000L, out, at);
      return fixed((int) (value % 1_000_000_000L), 9, out, at);
    }
    int v = (int) value;
    int n = 1;
    for (int rest = v; rest >= 10; rest /= 10) n++;
    return fixed(v, n, out, at);
  }

  /** A non-negative value in exactly {@code width} digits, zero-padded (int arithmetic: cheaper). */
  private static int fixed(int value, int width, byte[] out, int at) {
    for (int i = at + width - 1; i >= at; i--, value /= 10) out[i] = (byte) ('0' + value % 10);
    return at + width;
  }
}
