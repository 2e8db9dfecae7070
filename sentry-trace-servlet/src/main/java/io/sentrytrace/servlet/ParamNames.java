package io.sentrytrace.servlet;

import java.util.Collection;
import java.util.Locale;

/** Finds the known parameter name a misspelt one was meant to be, for the message that reports it. */
final class ParamNames {
  /** Names longer than this are not compared (a web.xml value, not ours): the answer is the first known name. */
  private static final int MAX_COMPARED = 200;

  private ParamNames() {}

  /**
   * The known name closest to {@code name}: the fewest single-character edits once case, {@code -},
   * {@code _} and {@code .} are ignored (so {@code tracesSampleRate} finds {@code
   * traces-sample-rate}).
   */
  static String closest(String name, Collection<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    String n = normalized(name);
    for (String candidate : known) {
      int d = n.length() > MAX_COMPARED ? 0 : distance(n, normalized(candidate));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best;
  }

  private static String normalized(String name) {
    StringBuilder s = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c != '-' && c != '_' && c != '.') s.append(c);
    }
    return s.toString().toLowerCase(Locale.ROOT);
  }

  /** Levenshtein distance, in two rows. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) previous[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] t = previous;
      previous = current;
      current = t;
    }
    return previous[b.length()];
  }
}
