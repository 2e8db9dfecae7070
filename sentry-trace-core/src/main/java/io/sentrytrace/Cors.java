package io.sentrytrace;

import java.util.HashSet;
import java.util.Set;

/**
 * Helps a server allow the trace headers in CORS preflights: a browser SDK only sends {@code
 * sentry-trace} and {@code baggage} cross-origin when the preflight answer allows them.
 *
 * <pre>{@code
 * responseHeaders.set(Cors.ALLOW_HEADERS_HEADER, Cors.allowHeaders(responseHeaders.getFirst(Cors.ALLOW_HEADERS_HEADER)));
 * }</pre>
 */
public final class Cors {
  /** The response header name. */
  public static final String ALLOW_HEADERS_HEADER = "Access-Control-Allow-Headers";
  /** The request headers a traced browser sends: {@code sentry-trace, baggage}. */
  public static final String ALLOW_HEADERS = SentryTrace.HEADER + ", " + Baggage.HEADER;
  /** Most names kept from {@code existing}; a browser asks for a handful. */
  static final int MAX_NAMES = 100;
  /** Chars read from {@code existing}. */
  static final int MAX_INPUT_LENGTH = Baggage.MAX_HEADER_LENGTH;

  private Cors() {}

  /** {@code existing} (may be null) plus {@code sentry-trace} and {@code baggage}. */
  public static String allowHeaders(String existing) {
    return allowHeadersOf(existing, false);
  }

  /**
   * {@code existing} (may be null) plus {@code sentry-trace}, {@code baggage} and, when asked,
   * {@code traceparent}; each name once, compared case-insensitively, existing names first and as
   * written.
   *
   * <p>{@code existing} may be a client's {@code Access-Control-Request-Headers} echoed back, so
   * what is taken from it is bounded: its first 8192 chars are read (a name they cut is dropped),
   * at most 100 names are kept, and an entry that is not a header name (an HTTP token: no spaces,
   * quotes, angle brackets, CR or LF) is dropped. Our names are always added.
   */
  public static String allowHeaders(String existing, boolean includeTraceparent) {
    return allowHeadersOf(existing, includeTraceparent);
  }

  /** {@link #allowHeaders(String, boolean)} for any char sequence (the scaling tests count reads). */
  static String allowHeadersOf(CharSequence existing, boolean includeTraceparent) {
    StringBuilder out = new StringBuilder(64);
    Set<String> seen = new HashSet<>();
    if (existing != null) {
      int length = existing.length();
      int limit = Math.min(length, MAX_INPUT_LENGTH);
      int start = 0;
      while (start < limit && seen.size() < MAX_NAMES) {
        int end = Strings.indexOf(existing, ',', start, limit);
        if (end == limit && limit < length && existing.charAt(limit) != ',') break; // cut by the limit
        int nameStart = Strings.skipOws(existing, start, end);
        int nameEnd = Strings.trimOws(existing, nameStart, end);
        if (nameStart < nameEnd && isToken(existing, nameStart, nameEnd)) {
          String name = existing.subSequence(nameStart, nameEnd).toString();
          if (seen.add(Strings.lowerAscii(name))) append(name, out);
        }
        start = end + 1;
      }
    }
    addIfAbsent(SentryTrace.HEADER, seen, out);
    addIfAbsent(Baggage.HEADER, seen, out);
    if (includeTraceparent) addIfAbsent(Traceparent.HEADER, seen, out);
    return out.toString();
  }

  private static boolean isToken(CharSequence s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!Strings.isTokenChar(s.charAt(i))) return false;
    }
    return true;
  }

  private static void addIfAbsent(String name, Set<String> seen, StringBuilder out) {
    if (seen.add(name)) append(name, out);
  }

  private static void append(String name, StringBuilder out) {
    if (out.length() > 0) out.append(", ");
    out.append(name);
  }
}
