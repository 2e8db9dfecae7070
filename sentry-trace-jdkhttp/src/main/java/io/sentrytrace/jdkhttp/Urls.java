package io.sentrytrace.jdkhttp;

import java.util.Locale;

/** URL text for span descriptions and data: no query, no fragment, no user info. */
final class Urls {
  private Urls() {}

  /**
   * {@code scheme://host[:port]path}; the port only when it is not the scheme's default. The host
   * is lower-cased, an IPv6 literal kept in brackets.
   */
  static String withoutQuery(String scheme, String host, int port, String rawPath) {
    String s = scheme == null ? "http" : scheme.toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder(s.length() + 3 + (host == null ? 0 : host.length()) + 6 + (rawPath == null ? 0 : rawPath.length()));
    out.append(s).append("://");
    if (host != null) {
      String h = host.toLowerCase(Locale.ROOT);
      boolean ipv6 = h.indexOf(':') >= 0 && !h.startsWith("[");
      if (ipv6) out.append('[').append(h).append(']');
      else out.append(h);
    }
    if (port > 0 && port != defaultPort(s)) out.append(':').append(port);
    if (rawPath != null) out.append(rawPath);
    return out.toString();
  }

  private static int defaultPort(String scheme) {
    switch (scheme) {
      case "http": return 80;
      case "https": return 443;
      default: return -1;
    }
  }
}
