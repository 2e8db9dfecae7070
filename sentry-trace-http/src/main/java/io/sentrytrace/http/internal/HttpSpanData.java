package io.sentrytrace.http.internal;

/**
 * Not API: may change without notice.
 *
 * <p>The op and the span data keys of an {@code http.client} span, as Sentry's SDKs write them (see
 * Sentry's span data conventions), plus the one key sentry-trace adds. {@link io.sentrytrace.http.HttpClientHandler}
 * sets them all; {@link io.sentrytrace.http.HttpServerHandler} sets the request keys and the status code on its {@code
 * http.server} transactions. Adapters and tests use these names instead of string literals.
 *
 * <pre>{@code
 * Object status = spanData.data().get(HttpSpanData.STATUS_CODE); // 200
 * }</pre>
 */
public final class HttpSpanData {
  private HttpSpanData() {}

  /** The op of a request made by this process: {@code http.client}. */
  public static final String OP_CLIENT = "http.client";

  /** The request method, upper case as sent: {@code GET}. */
  public static final String METHOD = "http.request.method";

  /** The URL without query, user-info or fragment: {@code https://api.example.com/v1/orders}. */
  public static final String URL = "url";

  /** The query without {@code ?}, percent-encoded as sent; absent when there is none. */
  public static final String QUERY = "http.query";

  /** The final response's status code (an Integer). */
  public static final String STATUS_CODE = "http.response.status_code";

  /** The response body's length from {@code Content-Length} (a Long); absent when unknown. */
  public static final String RESPONSE_CONTENT_LENGTH = "http.response_content_length";

  /**
   * Milliseconds (a Double, microsecond precision) from the span's start to the arrival of the final
   * response's headers. The span itself lasts until the body has been read or closed, so the
   * difference is the time spent transferring the body. Not one of Sentry's conventions: our own.
   */
  public static final String TIME_TO_FIRST_BYTE = "http.response.time_to_first_byte_ms";
}
