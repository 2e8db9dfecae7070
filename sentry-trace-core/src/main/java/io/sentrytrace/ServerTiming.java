package io.sentrytrace;

/**
 * A {@code Server-Timing} header value carrying the trace, which @sentry/browser also reads for the
 * pageload when a page has no meta tags (the header must be exposed to scripts: {@code
 * Timing-Allow-Origin} for cross-origin pages).
 *
 * <pre>{@code
 * exchange.getResponseHeaders().add(ServerTiming.HEADER, ServerTiming.header(span));
 * }</pre>
 */
public final class ServerTiming {
  /** The header name. */
  public static final String HEADER = "Server-Timing";

  private ServerTiming() {}

  /**
   * {@code sentry-trace;desc="…", baggage;desc="…"}; the baggage metric is left out when the trace
   * has no DSC. Values are quoted strings with {@code "} and {@code \} escaped.
   */
  public static String header(Span span) {
    String baggage = span.toBaggage();
    StringBuilder out = new StringBuilder(80 + baggage.length());
    out.append("sentry-trace;desc=");
    quote(span.toSentryTrace(), out);
    if (!baggage.isEmpty()) {
      out.append(", baggage;desc=");
      quote(baggage, out);
    }
    return out.toString();
  }

  /** An RFC 9110 quoted-string; control characters (never in our values) are dropped. */
  static void quote(String value, StringBuilder out) {
    out.append('"');
    for (int i = 0, n = value.length(); i < n; i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') out.append('\\').append(c);
      else if (c >= 0x20 && c != 0x7f) out.append(c);
    }
    out.append('"');
  }
}
