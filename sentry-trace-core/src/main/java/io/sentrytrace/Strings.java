package io.sentrytrace;

/** Small string helpers shared by the parsers. */
final class Strings {
  private Strings() {}

  /** A short, single-line preview of untrusted input for error and log messages. */
  static String preview(CharSequence s) {
    if (s == null) return "null";
    int n = Math.min(s.length(), 64);
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
}
