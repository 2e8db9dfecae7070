package io.sentrytrace.apache;

import io.sentrytrace.http.HttpClientRequest;
import io.sentrytrace.http.RequestUrl;
import io.sentrytrace.http.internal.HeaderValues;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;
import org.apache.hc.core5.http.support.BasicRequestBuilder;
import org.apache.hc.core5.net.URIAuthority;

/**
 * An Apache request as the handler sees it. Headers go to a copy, made on the first write and
 * handed down the chain instead of the request we were given: the client rebuilds redirects and
 * retries from request objects it keeps (the caller's {@code scope.originalRequest}, or the one an
 * upper chain element passed down), so none of them ever holds a header of ours, and sending one
 * again can neither grow its headers nor repeat a stale {@code sentry-trace}.
 */
final class ApacheRequest<R extends HttpRequest> implements HttpClientRequest {
  /** A mutable copy sharing the entity, for the classic chain. */
  static final UnaryOperator<ClassicHttpRequest> CLASSIC = r -> ClassicRequestBuilder.copy(r).build();
  /** A mutable copy, for the async chain (the entity travels apart, as a producer). */
  static final UnaryOperator<HttpRequest> ASYNC = r -> BasicRequestBuilder.copy(r).build();

  private final R source;
  private final HttpRoute route;
  private final UnaryOperator<R> copier;
  private R copy;

  ApacheRequest(R source, HttpRoute route, UnaryOperator<R> copier) {
    this.source = source;
    this.route = route;
    this.copier = copier;
  }

  @Override
  public String method() {
    return source.getMethod();
  }

  /**
   * Scheme and authority from the request, else from the route's target (the client fills them in
   * before the chain runs, so that is a fallback); never the user-info.
   */
  @Override
  public RequestUrl url() {
    HttpHost target = route == null ? null : route.getTargetHost();
    String scheme = source.getScheme();
    if (scheme == null && target != null) scheme = target.getSchemeName();
    URIAuthority authority = source.getAuthority();
    String host = null;
    int port = -1;
    if (authority != null) {
      host = authority.getHostName();
      port = authority.getPort();
    } else if (target != null) {
      host = target.getHostName();
      port = target.getPort();
    }
    return RequestUrl.of(scheme, host, port, source.getPath());
  }

  @Override
  public String header(String name) {
    HttpRequest request = copy != null ? copy : source;
    Header first = request.getFirstHeader(name);
    if (first == null) return null;
    if (request.countHeaders(name) == 1) return first.getValue();
    Header[] lines = request.getHeaders(name);
    List<String> values = new ArrayList<>(lines.length);
    for (Header line : lines) values.add(line.getValue());
    return HeaderValues.join(values);
  }

  @Override
  public void setHeader(String name, String value) {
    if (copy == null) copy = copier.apply(source);
    // setHeader would replace the first line only.
    copy.removeHeaders(name);
    copy.addHeader(name, value);
  }

  /** The request with what was written, or the request itself when nothing was. */
  R result() {
    return copy != null ? copy : source;
  }
}
