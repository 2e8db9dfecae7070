package io.sentrytrace.apache;

import java.util.Locale;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.net.URIAuthority;

/**
 * The URL of a request as spans and targets see it: never its user-info or fragment; the query
 * kept apart.
 */
final class RequestUrl {
  /** {@code scheme://host[:port]/path}: the port only when not the scheme's default. */
  final String withoutQuery;
  /** The query without {@code ?}; null when there is none. */
  final String query;

  private RequestUrl(String withoutQuery, String query) {
    this.withoutQuery = withoutQuery;
    this.query = query;
  }

  /** What {@code tracePropagationTargets} are matched against. */
  String full() {
    return query == null ? withoutQuery : withoutQuery + '?' + query;
  }

  /**
   * The request's URL; host and scheme from {@code route} when the request has none (the client
   * sets them before the chain runs, so this is a fallback).
   */
  static RequestUrl of(HttpRequest request, HttpRoute route) {
    HttpHost target = route == null ? null : route.getTargetHost();
    String scheme = request.getScheme();
    if (scheme == null) scheme = target != null ? target.getSchemeName() : "http";
    scheme = scheme.toLowerCase(Locale.ROOT);
    URIAuthority authority = request.getAuthority();
    String host;
    int port;
    if (authority != null) {
      host = authority.getHostName();
      port = authority.getPort();
    } else if (target != null) {
      host = target.getHostName();
      port = target.getPort();
    } else {
      host = "";
      port = -1;
    }

    StringBuilder url = new StringBuilder(64).append(scheme).append("://");
    if (host.indexOf(':') >= 0 && !host.startsWith("[")) url.append('[').append(host).append(']');
    else url.append(host);
    if (port >= 0 && port != defaultPort(scheme)) url.append(':').append(port);

    String path = request.getPath();
    if (path == null) path = "";
    int fragment = path.indexOf('#');
    if (fragment >= 0) path = path.substring(0, fragment);
    String query = null;
    int q = path.indexOf('?');
    if (q >= 0) {
      query = q + 1 < path.length() ? path.substring(q + 1) : null;
      path = path.substring(0, q);
    }
    if (!path.startsWith("/")) url.append('/');
    url.append(path);
    return new RequestUrl(url.toString(), query);
  }

  private static int defaultPort(String scheme) {
    switch (scheme) {
      case "http":
        return 80;
      case "https":
        return 443;
      default:
        return -1;
    }
  }
}
