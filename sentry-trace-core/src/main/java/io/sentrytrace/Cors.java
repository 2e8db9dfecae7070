package io.sentrytrace;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Helps a server allow the trace headers in CORS preflights: a browser SDK only sends {@code
 * sentry-trace} and {@code baggage} cross-origin when the preflight answer allows them.
 *
 * <pre>{@code
 * headers.set("Access-Control-Allow-Headers", Cors.allowHeaders(headers.getFirst("Access-Control-Allow-Headers")));
 * }</pre>
 */
public final class Cors {
  /** The response header name. */
  public static final String ALLOW_HEADERS_HEADER = "Access-Control-Allow-Headers";
  /** The request headers a traced browser sends: {@code sentry-trace, baggage}. */
  public static final String ALLOW_HEADERS = SentryTrace.HEADER + ", " + Baggage.HEADER;

  private Cors() {}

  /** {@code existing} (may be null) plus {@code sentry-trace} and {@code baggage}. */
  public static String allowHeaders(String existing) {
    return allowHeaders(existing, false);
  }

  /**
   * {@code existing} (may be null) plus {@code sentry-trace}, {@code baggage} and, when asked,
   * {@code traceparent}; each name once, compared case-insensitively, existing names first and as
   * written.
   */
  public static String allowHeaders(String existing, boolean includeTraceparent) {
    List<String> names = new ArrayList<>();
    List<String> lower = new ArrayList<>();
    if (existing != null) {
      for (String part : existing.split(",")) {
        String name = part.trim();
        if (name.isEmpty()) continue;
        String key = name.toLowerCase(Locale.ROOT);
        if (lower.contains(key)) continue;
        names.add(name);
        lower.add(key);
      }
    }
    addIfAbsent(SentryTrace.HEADER, names, lower);
    addIfAbsent(Baggage.HEADER, names, lower);
    if (includeTraceparent) addIfAbsent(Traceparent.HEADER, names, lower);
    return String.join(", ", names);
  }

  private static void addIfAbsent(String name, List<String> names, List<String> lower) {
    if (!lower.contains(name)) {
      names.add(name);
      lower.add(name);
    }
  }
}
