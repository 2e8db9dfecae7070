package io.sentrytrace;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * POSTs one Sentry envelope: the only thing the envelope exporter needs from an HTTP client.
 * Implementations send exactly the given headers and body, add no headers of their own, and send
 * on the calling thread: the exporter calls them with our own instrumentation suppressed on that
 * thread, so that our interceptors never trace the request or put {@code sentry-trace} on it. They
 * read the response fully before returning. Called from one background thread at a time.
 *
 * <pre>{@code
 * EnvelopeExporter exporter = EnvelopeExporter.builder(dsn).transport(OkHttpTransport.create(client)).build();
 * }</pre>
 */
public interface EnvelopeTransport extends AutoCloseable {
  /** The response header with the seconds to wait after a 429. */
  String RETRY_AFTER = "Retry-After";
  /** The response header with Sentry's per-category rate limits. */
  String RATE_LIMITS = "X-Sentry-Rate-Limits";

  /**
   * POSTs {@code body} to {@code uri} with {@code headers}; returns once the response is read.
   *
   * @throws IOException when no response was received (connection refused, timeout, ...)
   */
  Response send(URI uri, Map<String, String> headers, byte[] body) throws IOException;

  /** Releases what the transport created itself; a client the user passed in is left open. */
  @Override
  default void close() {}

  /**
   * What the exporter needs from a response: the status code and the two rate-limit headers.
   * Immutable.
   *
   * <pre>{@code
   * return EnvelopeTransport.Response.of(response.code(),
   *     response.header(EnvelopeTransport.RETRY_AFTER), response.header(EnvelopeTransport.RATE_LIMITS));
   * }</pre>
   */
  final class Response {
    private final int statusCode;
    private final String retryAfter;
    private final String rateLimits;

    private Response(int statusCode, String retryAfter, String rateLimits) {
      this.statusCode = statusCode;
      this.retryAfter = retryAfter;
      this.rateLimits = rateLimits;
    }

    /** The header values may be null (absent). */
    public static Response of(int statusCode, String retryAfter, String rateLimits) {
      return new Response(statusCode, retryAfter, rateLimits);
    }

    public int statusCode() {
      return statusCode;
    }

    /** The {@code Retry-After} header value; null when absent. */
    public String retryAfter() {
      return retryAfter;
    }

    /** The {@code X-Sentry-Rate-Limits} header value; null when absent. */
    public String rateLimits() {
      return rateLimits;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Response)) return false;
      Response r = (Response) o;
      return r.statusCode == statusCode && Objects.equals(r.retryAfter, retryAfter) && Objects.equals(r.rateLimits, rateLimits);
    }

    @Override
    public int hashCode() {
      return Objects.hash(statusCode, retryAfter, rateLimits);
    }

    @Override
    public String toString() {
      return "Response{" + statusCode
          + (retryAfter == null ? "" : " Retry-After=" + retryAfter)
          + (rateLimits == null ? "" : " X-Sentry-Rate-Limits=" + rateLimits) + '}';
    }
  }
}
