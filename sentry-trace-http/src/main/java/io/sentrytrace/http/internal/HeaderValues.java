package io.sentrytrace.http.internal;

import java.util.List;

/**
 * Not API: may change without notice.
 *
 * <p>The header rules adapters share: several lines of one header read as one comma-separated list
 * (RFC 9110 5.3), and a {@code Content-Length} read without ever throwing.
 *
 * <pre>{@code
 * String baggage = HeaderValues.join(request.headers("baggage"));   // "a=1,b=2" from two lines
 * long length = HeaderValues.contentLength(response.header("Content-Length")); // -1 when unknown
 * }</pre>
 */
public final class HeaderValues {
  /** Longer than any length a body can have (Long.MAX_VALUE has 19 digits). */
  private static final int MAX_DIGITS = 18;

  private HeaderValues() {}

  /** The lines joined with {@code ,}; null when there are none, the line itself when one. */
  public static String join(List<String> values) {
    if (values == null || values.isEmpty()) return null;
    if (values.size() == 1) return values.get(0);
    return String.join(",", values);
  }

  /**
   * The length a {@code Content-Length} value states, or -1 when it is absent or not one
   * non-negative decimal number (surrounding blanks allowed). Reads at most a few characters past
   * the blanks, whatever the value's length.
   */
  public static long contentLength(String value) {
    if (value == null) return -1;
    int start = 0;
    int end = value.length();
    while (start < end && isBlank(value.charAt(start))) start++;
    while (end > start && isBlank(value.charAt(end - 1))) end--;
    if (start == end || end - start > MAX_DIGITS) return -1;
    long length = 0;
    for (int i = start; i < end; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') return -1;
      length = length * 10 + (c - '0');
    }
    return length;
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }
}
