package io.sentrytrace.http;

import java.util.Locale;

/**
 * A server option ({@link HttpServerHandler.Builder#serverTiming}, or the servlet filter's {@code
 * server-timing} init-param): which responses get the trace in a {@code Server-Timing} header.
 * {@code @sentry/browser} reads it
 * from the page's navigation entry to continue the trace in its pageload when the page has no
 * {@code <meta>} tags; only the HTML document of a navigation is read, so {@link #HTML} is
 * enough, and API responses stay as they were.
 *
 * <pre>{@code
 * HttpServerHandler handler = HttpServerHandler.builder(tracer).serverTiming(ServerTimingPolicy.ALL).build();
 * }</pre>
 */
public enum ServerTimingPolicy {
  /** No {@code Server-Timing} header. */
  OFF,
  /** Responses whose {@code Content-Type} is {@code text/html} or {@code application/xhtml+xml}. */
  HTML,
  /** Every response of a traced request. */
  ALL;

  /** Whether a response with this {@code Content-Type} (may be null) gets the header. */
  boolean appliesTo(String contentType) {
    switch (this) {
      case ALL:
        return true;
      case HTML:
        return isHtml(contentType);
      default:
        return false;
    }
  }

  /** {@code text/html} or {@code application/xhtml+xml}, any case, with or without parameters. */
  static boolean isHtml(String contentType) {
    if (contentType == null) return false;
    int start = 0;
    int end = contentType.indexOf(';');
    if (end < 0) end = contentType.length();
    while (start < end && contentType.charAt(start) <= ' ') start++;
    while (end > start && contentType.charAt(end - 1) <= ' ') end--;
    String type = contentType.substring(start, end).toLowerCase(Locale.ROOT);
    return type.equals("text/html") || type.equals("application/xhtml+xml");
  }
}
