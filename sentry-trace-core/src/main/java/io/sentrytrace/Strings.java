package io.sentrytrace;

/**
 * Small string helpers shared by the parsers. Every search is bounded by the caller's end index:
 * a search that ran to the end of the input for each member would make a header's cost quadratic
 * in its length.
 */
final class Strings {
  private Strings() {}

  /** A short, single-line preview of untrusted input for error and log messages. */
  static String preview(CharSequence s) {
    return preview(s, 64);
  }

  /** {@link #preview(CharSequence)} of at most {@code max} chars (then {@code ...}). */
  static String preview(CharSequence s, int max) {
    if (s == null) return "null";
    int n = Math.min(s.length(), max);
    StringBuilder b = new StringBuilder(n + 3);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    if (s.length() > n) b.append("...");
    return b.toString();
  }

  static boolean isOws(char c) {
    return c == ' ' || c == '\t';
  }

  /** The index of {@code c} in {@code s[from, to)}, or {@code to}; reads nothing past {@code to}. */
  static int indexOf(CharSequence s, char c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == c) return i;
    }
    return to;
  }

  /**
   * The index of the first {@code c} at or after {@code from}, or {@code limit} when there is none
   * before {@code limit}. For a {@code String} this is the JDK's vectorised search, which may read
   * past {@code limit}: callers keep the result and search again only once they have passed it, so
   * that every char is read at most once per searched char (linear in the input, never quadratic).
   */
  static int next(CharSequence s, char c, int from, int limit) {
    if (s instanceof String) {
      int i = ((String) s).indexOf(c, from);
      return i < 0 || i > limit ? limit : i;
    }
    return indexOf(s, c, from, limit);
  }

  static int skipOws(CharSequence s, int from, int to) {
    while (from < to && isOws(s.charAt(from))) from++;
    return from;
  }

  static int trimOws(CharSequence s, int from, int to) {
    while (to > from && isOws(s.charAt(to - 1))) to--;
    return to;
  }

  /** Whether {@code s} has {@code text} at {@code from} (the caller checked there is room). */
  static boolean regionMatches(CharSequence s, int from, String text) {
    for (int i = 0; i < text.length(); i++) {
      if (s.charAt(from + i) != text.charAt(i)) return false;
    }
    return true;
  }

  /** Whether {@code s[from, to)} starts with {@code prefix}. */
  static boolean startsWith(CharSequence s, int from, int to, String prefix) {
    return to - from >= prefix.length() && regionMatches(s, from, prefix);
  }

  /** A char allowed in an HTTP token such as a header name (RFC 9110 {@code tchar}). */
  static boolean isTokenChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }

  static char toLowerAscii(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
  }

  /** ASCII-only lower case: other letters must match as written. */
  static String lowerAscii(String s) {
    char[] chars = s.toCharArray();
    for (int i = 0; i < chars.length; i++) chars[i] = toLowerAscii(chars[i]);
    return new String(chars);
  }

  private static final char[] LINE_TERMINATORS = {'\n', '\r', '\u0085', '\u2028', '\u2029'};

  /**
   * Whether {@code s[from, to)} has a char {@code .} does not match: a line terminator. A long part
   * of a String is swept once per kind, vectorised; a short one (the rest of a URL after the host,
   * mostly) is read once.
   */
  static boolean hasLineTerminator(CharSequence s, int from, int to) {
    if (s instanceof String && to - from > 64) {
      String str = (String) s;
      for (char t : LINE_TERMINATORS) {
        int i = str.indexOf(t, from);
        if (i >= 0 && i < to) return true;
      }
      return false;
    }
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      // One range check for the common chars: the terminators are below 0x0E or from 0x85 on.
      if ((char) (c - 0x0E) >= 0x85 - 0x0E && isLineTerminator(c)) return true;
    }
    return false;
  }

  static boolean isLineTerminator(char c) {
    return c == '\n' || c == '\r' || c == '\u0085' || (c | 1) == '\u2029';
  }
}
