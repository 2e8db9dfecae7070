package io.sentrytrace.okhttp;

import io.sentrytrace.Span;
import io.sentrytrace.SpanStatus;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/** The {@code http.client} span of one request: its name, its data and how it ends. */
final class HttpClientSpans {
  static final String OP = "http.client";

  private HttpClientSpans() {}

  /** A child of {@code parent} describing {@code request}, started now. */
  static Span start(Span parent, Request request) {
    HttpUrl url = request.url();
    String withoutQuery = withoutQuery(url);
    Span span = parent.startChild(OP, request.method() + ' ' + withoutQuery);
    span.setData("http.request.method", request.method());
    span.setData("url", withoutQuery);
    String query = url.encodedQuery();
    if (query != null && !query.isEmpty()) span.setData("http.query", query);
    return span;
  }

  /** Ends {@code span} with the response's status; the body is neither read nor buffered. */
  static void finish(Span span, Response response) {
    span.setData("http.response.status_code", response.code());
    long contentLength = contentLength(response.header("Content-Length"));
    if (contentLength >= 0) span.setData("http.response_content_length", contentLength);
    span.setStatus(SpanStatus.fromHttpStatus(response.code()));
    span.finish();
  }

  /** Ends {@code span} of a request that got no response. */
  static void fail(Span span) {
    span.setStatus(SpanStatus.INTERNAL_ERROR);
    span.finish();
  }

  /**
   * {@code scheme://host[:port]/path}: no user-info (HttpUrl keeps it apart), no query, no
   * fragment; the port only when it is not the scheme's default.
   */
  static String withoutQuery(HttpUrl url) {
    String host = url.host();
    StringBuilder s = new StringBuilder(url.scheme()).append("://");
    if (host.indexOf(':') >= 0) s.append('[').append(host).append(']'); // IPv6 literal
    else s.append(host);
    if (url.port() != HttpUrl.defaultPort(url.scheme())) s.append(':').append(url.port());
    return s.append(url.encodedPath()).toString();
  }

  private static long contentLength(String header) {
    if (header == null) return -1;
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
