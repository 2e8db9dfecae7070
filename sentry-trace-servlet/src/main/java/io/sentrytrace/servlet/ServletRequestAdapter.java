package io.sentrytrace.servlet;

import io.sentrytrace.http.HttpServerRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetSocketAddress;
import java.util.Enumeration;

/** The servlet request as {@link io.sentrytrace.http.HttpServerHandler} reads it. */
final class ServletRequestAdapter implements HttpServerRequest {
  final HttpServletRequest request;

  ServletRequestAdapter(HttpServletRequest request) {
    this.request = request;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  /** The raw request URI (context path included) without path parameters: no {@code ;jsessionid=…} in names. */
  @Override
  public String path() {
    return withoutPathParameters(request.getRequestURI());
  }

  @Override
  public String query() {
    return request.getQueryString();
  }

  /** A header's lines joined with {@code ","}, as HTTP joins list headers; null when absent. */
  @Override
  public String header(String name) {
    Enumeration<String> values = request.getHeaders(name);
    if (values == null || !values.hasMoreElements()) return null;
    String first = values.nextElement();
    if (!values.hasMoreElements()) return first;
    StringBuilder joined = new StringBuilder(first);
    while (values.hasMoreElements()) joined.append(',').append(values.nextElement());
    return joined.toString();
  }

  @Override
  public String scheme() {
    return request.isSecure() || "https".equalsIgnoreCase(request.getScheme()) ? "https" : "http";
  }

  /** Unresolved: the handler needs only the literal address the container reports, never a DNS lookup. */
  @Override
  public InetSocketAddress localAddress() {
    String address = request.getLocalAddr();
    return address == null ? null : InetSocketAddress.createUnresolved(address, request.getLocalPort());
  }

  /** The container's request, for a {@link io.sentrytrace.http.HttpServerHandler.Builder#transactionName} function. */
  @Override
  public Object unwrap() {
    return request;
  }

  /** {@code /a;x=1/b;jsessionid=2} becomes {@code /a/b}; one pass. */
  static String withoutPathParameters(String uri) {
    if (uri == null || uri.indexOf(';') < 0) return uri;
    StringBuilder out = new StringBuilder(uri.length());
    boolean skipping = false;
    for (int i = 0, n = uri.length(); i < n; i++) {
      char c = uri.charAt(i);
      if (c == ';') skipping = true;
      else if (c == '/') skipping = false;
      if (!skipping) out.append(c);
    }
    return out.toString();
  }
}
