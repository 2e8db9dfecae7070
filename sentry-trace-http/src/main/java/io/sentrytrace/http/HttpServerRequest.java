package io.sentrytrace.http;

import java.net.InetSocketAddress;

/**
 * An incoming request as {@link HttpServerHandler} reads it: SPI for server adapter authors, and
 * what a {@link HttpServerHandler.Builder#transactionName} function gets. A server adapter maps
 * its library's request onto it; every method is a plain read, called on the request's thread
 * before the app runs. Only {@link #method()}, {@link #path()} and {@link #header(String)} are
 * required; the rest refine the request data ({@code url}, {@code http.query}) or hand over the
 * server's own request ({@link #unwrap()}).
 *
 * <pre>{@code
 * HttpServerRequest adapted = new HttpServerRequest() {
 *   public String method() { return request.getMethod(); }
 *   public String path() { return request.getRequestURI(); }
 *   public String header(String name) { return request.getHeader(name); }
 * };
 * }</pre>
 *
 * An exception thrown here is caught by the handler: the request then starts a new trace.
 */
public interface HttpServerRequest {
  /** The request method as sent, e.g. {@code GET}. */
  String method();

  /** The raw (still percent-encoded) path, without the query; null or empty means {@code /}. */
  String path();

  /**
   * The request header {@code name} (case-insensitive), or null when absent. A header sent on
   * several lines is returned as its lines joined with {@code ","}, as HTTP joins list headers
   * ({@code baggage} is one); returning only the first line is fine too.
   */
  String header(String name);

  /** The raw query without {@code ?}, or null when there is none. */
  default String query() {
    return null;
  }

  /** {@code https} when the request came over TLS, else {@code http}. */
  default String scheme() {
    return "http";
  }

  /**
   * The local address the request arrived on; the {@code url} data uses it when the {@code Host}
   * header is missing or is not a plain host name. Null when unknown.
   */
  default InetSocketAddress localAddress() {
    return null;
  }

  /**
   * The server's own request this one maps (an {@code HttpExchange}, an {@code
   * HttpServletRequest}), for a {@link HttpServerHandler.Builder#transactionName} function that
   * needs more than the methods here; null when there is none.
   */
  default Object unwrap() {
    return null;
  }
}
