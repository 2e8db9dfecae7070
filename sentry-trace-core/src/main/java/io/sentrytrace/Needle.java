package io.sentrytrace;

/**
 * A lower-case text to find in URLs, ignoring ASCII case. The search jumps with {@link
 * String#indexOf(int, int)} (vectorised by the JDK) to its rarest char in URLs, preferring one
 * without case so that a single sweep finds every candidate, then compares the rest.
 */
final class Needle {
  /** URL chars from most to least common; chars not listed are rarer still. */
  private static final String COMMON = "/tp.s:he-acoirlmndug0w1b2fy=?v3k_j&x4q5z6789";

  final String lower;
  /** Bit {@code l}: the needle has the letter {@code 'a' + l}. */
  final int letters;
  private final int anchor;
  private final char anchorLower;
  private final char anchorUpper;

  Needle(String lower) {
    this.lower = lower;
    int letters = 0;
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      if (c >= 'a' && c <= 'z') letters |= 1 << (c - 'a');
    }
    this.letters = letters;
    int best = 0;
    int bestScore = Integer.MAX_VALUE;
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      int rank = COMMON.indexOf(c);
      int score = (rank < 0 ? 0 : COMMON.length() - rank) + (c >= 'a' && c <= 'z' ? 100 : 0);
      if (score < bestScore) {
        best = i;
        bestScore = score;
      }
    }
    this.anchor = best;
    this.anchorLower = lower.isEmpty() ? 0 : lower.charAt(best);
    this.anchorUpper = anchorLower >= 'a' && anchorLower <= 'z' ? (char) (anchorLower - ('a' - 'A')) : anchorLower;
  }

  boolean isIn(CharSequence url) {
    return isIn(url, 0);
  }

  /** Whether the needle occurs, ignoring ASCII case, ending at or after {@code covering}. */
  boolean isIn(CharSequence url, int covering) {
    int m = lower.length();
    int n = url.length();
    if (m == 0) return true;
    if (m > n) return false;
    if (!(url instanceof String)) return scan(url);
    String s = (String) url;
    int from = Math.max(0, covering - m + 1) + anchor; // the first place the anchor may stand
    int last = n - m + anchor; // the last place the anchor char can stand
    int lo = s.indexOf(anchorLower, from);
    int up = anchorUpper == anchorLower ? -1 : s.indexOf(anchorUpper, from);
    while (true) {
      int p = lo < 0 ? up : up < 0 ? lo : Math.min(lo, up);
      if (p < 0 || p > last) return false;
      if (regionMatches(s, p - anchor)) return true;
      if (p == lo) lo = s.indexOf(anchorLower, p + 1);
      else up = s.indexOf(anchorUpper, p + 1);
    }
  }

  private boolean scan(CharSequence url) {
    for (int i = 0, end = url.length() - lower.length(); i <= end; i++) {
      if (regionMatches(url, i)) return true;
    }
    return false;
  }

  private boolean regionMatches(CharSequence url, int start) {
    for (int j = 0, m = lower.length(); j < m; j++) {
      if (Strings.toLowerAscii(url.charAt(start + j)) != lower.charAt(j)) return false;
    }
    return true;
  }
}
