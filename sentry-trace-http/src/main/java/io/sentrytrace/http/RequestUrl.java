package io.sentrytrace.http;

import java.net.URI;
import java.util.Locale;

/**
 * The URL of an outgoing request as sentry-trace sees it, normalized once for every client: never
 * its user-info or fragment; the query kept apart; scheme and host lower-cased; an IPv6 literal in
 * brackets; the port left out when it is the scheme's default or not a port at all (outside
 * 1..65535, 0 included); an empty path written as {@code /}. {@code tracePropagationTargets} are
 * matched against {@link #toString()} (with the query), spans show {@link #withoutQuery()}.
 *
 * <pre>{@code
 * RequestUrl url = RequestUrl.of("HTTPS", "API.example.com", 443, "/v1/orders", "id=7");
 * url.withoutQuery(); // https://api.example.com/v1/orders
 * url.toString();     // https://api.example.com/v1/orders?id=7
 * }</pre>
 *
 * <p>SPI for adapter authors: what {@link HttpClientRequest#url()} returns.
 */
public final class RequestUrl {
  private final String scheme;
  private final String host;
  private final int port;
  private final String path;
  private final String query;
  /** Built on first use; racy but idempotent, as String's hash. */
  private String full;

  private RequestUrl(String scheme, String host, int port, String path, String query) {
    this.scheme = scheme;
    this.host = host;
    this.port = port;
    this.path = path;
    this.query = query;
  }

  /**
   * A URL from its parts, as clients keep them. {@code path} and {@code query} are taken as they
   * are sent (percent-encoded); a fragment in either is dropped.
   *
   * @param scheme {@code http} when null
   * @param host without user-info; an IPv6 literal with or without brackets; empty when null
   * @param port -1 (or any value outside 1..65535) when the URL names none
   * @param path {@code /} when null or empty
   * @param query without {@code ?}; null or empty when there is none
   */
  public static RequestUrl of(String scheme, String host, int port, String path, String query) {
    String s = scheme == null || scheme.isEmpty() ? "http" : lowerCaseScheme(scheme);
    String h = host == null ? "" : host.toLowerCase(Locale.ROOT);
    if (h.indexOf(':') >= 0 && !h.startsWith("[")) h = '[' + h + ']';
    int p = port < 1 || port > 65535 || port == defaultPort(s) ? -1 : port;
    String cleanPath = path == null ? "" : path;
    String cleanQuery = query;
    int fragment = cleanPath.indexOf('#');
    if (fragment >= 0) {
      cleanPath = cleanPath.substring(0, fragment);
      cleanQuery = null; // a '#' before any '?' ends the URL
    } else if (cleanQuery != null && (fragment = cleanQuery.indexOf('#')) >= 0) {
      cleanQuery = cleanQuery.substring(0, fragment);
    }
    if (cleanPath.isEmpty()) cleanPath = "/";
    else if (cleanPath.charAt(0) != '/') cleanPath = '/' + cleanPath;
    if (cleanQuery != null && cleanQuery.isEmpty()) cleanQuery = null;
    return new RequestUrl(s, h, p, cleanPath, cleanQuery);
  }

  /**
   * A URL from its parts and a request target as HTTP/1.1 writes it ({@code /path?query}, a
   * fragment dropped), for clients that keep path and query together.
   */
  public static RequestUrl of(String scheme, String host, int port, String pathAndQuery) {
    String path = pathAndQuery == null ? "" : pathAndQuery;
    int fragment = path.indexOf('#');
    if (fragment >= 0) path = path.substring(0, fragment);
    int q = path.indexOf('?');
    return q < 0 ? of(scheme, host, port, path, null) : of(scheme, host, port, path.substring(0, q), path.substring(q + 1));
  }

  /** The URL of {@code uri}, which must be absolute ({@code java.net.http} requires that). */
  public static RequestUrl of(URI uri) {
    String host = uri.getHost();
    int port = uri.getPort();
    if (host == null && uri.getRawAuthority() != null) {
      // A registry-based authority (such as a host with '_'): take it apart by hand.
      RequestUrl parsed = parse(uri.getScheme() + "://" + uri.getRawAuthority());
      host = parsed.host;
      port = parsed.port < 0 ? -1 : parsed.port;
    }
    return of(uri.getScheme(), host, port, uri.getRawPath(), uri.getRawQuery());
  }

  /**
   * The URL of an absolute URL string ({@code scheme://[user-info@]host[:port][/path][?query][#fragment]}),
   * read in one pass without validating it: a malformed URL gives a URL of its pieces, never an
   * exception.
   */
  public static RequestUrl parse(String url) {
    String u = url == null ? "" : url;
    int schemeEnd = u.indexOf("://");
    String scheme = schemeEnd < 0 ? null : u.substring(0, schemeEnd);
    int authorityStart = schemeEnd < 0 ? 0 : schemeEnd + 3;
    int authorityEnd = authorityStart;
    while (authorityEnd < u.length() && "/?#".indexOf(u.charAt(authorityEnd)) < 0) authorityEnd++;
    return ofAuthority(scheme, u.substring(authorityStart, authorityEnd), u.substring(authorityEnd));
  }

  /**
   * A URL from an authority as written in a URL or a {@code Host} header ({@code
   * [user-info@]host[:port]}, an IPv6 literal in brackets; the user-info dropped, a port that is no
   * number of at most 5 digits taken as none) and a request target ({@code /path?query}).
   */
  static RequestUrl ofAuthority(String scheme, String authority, String pathAndQuery) {
    String a = authority.substring(authority.lastIndexOf('@') + 1); // never the user-info
    String host = a;
    int port = -1;
    int colon = a.lastIndexOf(':');
    if (colon >= 0 && colon > a.lastIndexOf(']')) {
      host = a.substring(0, colon);
      port = parsePort(a, colon + 1);
    }
    return of(scheme, host, port, pathAndQuery);
  }

  /** {@code scheme} in lower case; the usual two without a pass over their chars. */
  private static String lowerCaseScheme(String scheme) {
    if (scheme.equals("https")) return "https";
    if (scheme.equals("http")) return "http";
    return scheme.toLowerCase(Locale.ROOT);
  }

  private static int parsePort(String s, int from) {
    if (from >= s.length() || s.length() - from > 5) return -1;
    int port = 0;
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') return -1;
      port = port * 10 + (c - '0');
    }
    return port;
  }

  private static int defaultPort(String scheme) {
    switch (scheme) {
      case "http":
      case "ws":
        return 80;
      case "https":
      case "wss":
        return 443;
      default:
        return -1;
    }
  }

  /** Lower case, e.g. {@code https}. */
  public String scheme() {
    return scheme;
  }

  /** Lower case; an IPv6 literal in brackets. */
  public String host() {
    return host;
  }

  /** The port, or -1 when it is the scheme's default or the URL names none. */
  public int port() {
    return port;
  }

  /** Percent-encoded as sent, starting with {@code /}. */
  public String path() {
    return path;
  }

  /** Percent-encoded as sent, without {@code ?}; null when there is none. */
  public String query() {
    return query;
  }

  /** {@code scheme://host[:port]/path}: what a span is named after and its {@code url} data. */
  public String withoutQuery() {
    String f = toString();
    return query == null ? f : f.substring(0, f.length() - query.length() - 1);
  }

  /** {@code scheme://host[:port]/path[?query]}: what {@code tracePropagationTargets} match. */
  @Override
  public String toString() {
    String f = full;
    if (f == null) {
      StringBuilder b = new StringBuilder(scheme.length() + host.length() + path.length() + 10 + (query == null ? 0 : query.length() + 1));
      b.append(scheme).append("://").append(host);
      if (port > 0) b.append(':').append(port);
      b.append(path);
      if (query != null) b.append('?').append(query);
      full = f = b.toString();
    }
    return f;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RequestUrl && toString().equals(o.toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }
}
