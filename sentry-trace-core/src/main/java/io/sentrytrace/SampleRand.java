package io.sentrytrace;

import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code sample_rand}: a random number in [0, 1), drawn once at the head of a trace. It is kept to
 * six decimals, so the value we compare against the sample rate is exactly the one we send.
 */
final class SampleRand {
  private static final int SCALE = 1_000_000;

  private SampleRand() {}

  static double random() {
    return ThreadLocalRandom.current().nextInt(SCALE) / (double) SCALE;
  }

  /** A value that reproduces an incoming decision: sampled in [0, rate), not sampled in [rate, 1). */
  static double backfill(boolean sampled, double rate) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int threshold = threshold(rate);
    if (sampled) {
      int upper = threshold; // values < rate
      return upper <= 0 ? 0.0 : random.nextInt(upper) / (double) SCALE;
    }
    int lower = threshold; // values >= rate
    if (lower >= SCALE) return (SCALE - 1) / (double) SCALE;
    return (lower + random.nextInt(SCALE - lower)) / (double) SCALE;
  }

  /**
   * The smallest k with {@code k / SCALE >= rate}, compared as the doubles we use: {@code rate *
   * SCALE} alone can round either way (0.000123 * 1e6 is 123.00000000000001).
   */
  private static int threshold(double rate) {
    int k = (int) Math.ceil(rate * SCALE);
    while (k > 0 && (k - 1) / (double) SCALE >= rate) k--;
    while (k < SCALE && k / (double) SCALE < rate) k++;
    return k;
  }

  /** Parses an incoming value; NaN when missing or outside [0, 1). */
  static double parse(String value) {
    if (value == null) return Double.NaN;
    try {
      double d = Double.parseDouble(value);
      return d >= 0.0 && d < 1.0 ? d : Double.NaN;
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** Six decimals, truncated, so a value below the rate never rounds up past it. */
  static String format(double value) {
    long micros = (long) Math.floor(value * SCALE);
    // value * SCALE can land just below an integer (0.000249 * 1e6 is 248.99999999999997): step up
    // when the next six-decimal value is still not above value, so k / 1e6 formats as k.
    if ((micros + 1) / (double) SCALE <= value) micros++;
    if (micros >= SCALE) micros = SCALE - 1;
    char[] chars = {'0', '.', '0', '0', '0', '0', '0', '0'};
    for (int i = 7; i >= 2; i--) {
      chars[i] = (char) ('0' + micros % 10);
      micros /= 10;
    }
    return new String(chars);
  }

  /** A sample rate as Sentry writes it: no trailing zeros ({@code 1}, {@code 0.25}). */
  static String formatRate(double rate) {
    return java.math.BigDecimal.valueOf(rate).stripTrailingZeros().toPlainString();
  }
}
