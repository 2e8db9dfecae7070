package io.sentrytrace.load;

final class Query {
  /** The raw value of {@code name} in a query string, or null (our own URLs: no decoding needed). */
  static String param(String query, String name) {
    if (query == null) return null;
    int from = 0;
    while (from <= query.length()) {
      int end = query.indexOf('&', from);
      if (end < 0) end = query.length();
      if (query.startsWith(name, from) && from + name.length() < end && query.charAt(from + name.length()) == '=') {
        return query.substring(from + name.length() + 1, end);
      }
      from = end + 1;
    }
    return null;
  }

  private Query() {}
}
