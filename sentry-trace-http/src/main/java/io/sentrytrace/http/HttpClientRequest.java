package io.sentrytrace.http;

/**
 * One outgoing request as {@link HttpClientHandler} sees it: an adapter maps its client's request
 * onto these four methods, like Brave's {@code HttpClientRequest}. The handler calls them on the
 * thread that hands the request over, never after; it writes only the trace headers ({@code
 * sentry-trace}, {@code baggage}, {@code traceparent}). Implementations may throw: the handler
 * then logs the failure and tells the adapter to send the request as it was.
 *
 * <pre>{@code
 * final class OkHttpRequest implements HttpClientRequest {
 *   public String method() { return request.method(); }
 *   public RequestUrl url() { return RequestUrl.of(u.scheme(), u.host(), u.port(), u.encodedPath(), u.encodedQuery()); }
 *   public String header(String name) { List<String> v = request.headers(name); return v.isEmpty() ? null : String.join(",", v); }
 *   public void setHeader(String name, String value) { builder().header(name, value); }
 * }
 * }</pre>
 */
public interface HttpClientRequest {
  /** The method as sent, e.g. {@code GET}. */
  String method();

  /** The URL, built with {@link RequestUrl#of} or {@link RequestUrl#parse}. */
  RequestUrl url();

  /**
   * The header's value as the request carries it now; several lines of it joined with {@code ,};
   * null when absent.
   */
  String header(String name);

  /** Sets the header to {@code value}, replacing every line of it. */
  void setHeader(String name, String value);
}
