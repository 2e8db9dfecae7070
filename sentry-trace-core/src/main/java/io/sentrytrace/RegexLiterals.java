package io.sentrytrace;

import java.util.regex.Pattern;

/**
 * Finds a literal that every match of a regex must contain, so that a URL without it skips the
 * regex entirely. Conservative: when in doubt (alternation, inline flags, unusual flags) it finds
 * nothing and the regex always runs.
 */
final class RegexLiterals {
  /**
   * UNICODE_CASE is not safe: it lets ASCII letters match non-ASCII ones ({@code s} matches {@code
   * ſ}, {@code k} the Kelvin sign), which an ASCII-case-insensitive literal check would miss.
   */
  private static final int SAFE_FLAGS = Pattern.CASE_INSENSITIVE;

  private RegexLiterals() {}

  /** The longest required literal, lower case; null when none is known. */
  static String required(Pattern pattern) {
    if ((pattern.flags() & ~SAFE_FLAGS) != 0) return null;
    String re = pattern.pattern();
    StringBuilder run = new StringBuilder();
    String best = "";
    int i = 0;
    int n = re.length();
    while (i < n) {
      char c = re.charAt(i);
      switch (c) {
        case '|':
          return null; // top-level alternation: no single required literal
        case '\\':
          {
            if (i + 1 >= n) return null;
            char e = re.charAt(i + 1);
            if (Character.isLetterOrDigit(e) || e > 0x7f) {
              if (e == 'Q' || e == 'E') return null;
              best = longer(best, run);
              run.setLength(0);
              i = skipEscape(re, i);
            } else {
              run.append(e);
              i += 2;
            }
            break;
          }
        case '[':
          best = longer(best, run);
          run.setLength(0);
          i = skipClass(re, i);
          if (i < 0) return null;
          break;
        case '(':
          if (i + 1 < n && re.charAt(i + 1) == '?' && i + 2 < n) {
            char f = re.charAt(i + 2);
            if (Character.isLetter(f) || f == '-') return null; // inline flags may change meaning
          }
          best = longer(best, run);
          run.setLength(0);
          i = skipGroup(re, i);
          if (i < 0) return null;
          break;
        case '?':
        case '*':
        case '{':
          // The previous atom is optional: drop it from the run.
          if (run.length() > 0) run.setLength(run.length() - 1);
          best = longer(best, run);
          run.setLength(0);
          i = c == '{' ? re.indexOf('}', i) + 1 : i + 1;
          if (i <= 0) return null;
          i = skipQuantifierModifier(re, i);
          break;
        case '+':
          // The previous atom is required but may repeat: it ends the run.
          best = longer(best, run);
          run.setLength(0);
          i = skipQuantifierModifier(re, i + 1);
          break;
        case '.':
        case '^':
        case '$':
        case ')':
          best = longer(best, run);
          run.setLength(0);
          i++;
          break;
        default:
          if (c > 0x7f) {
            best = longer(best, run);
            run.setLength(0);
          } else {
            run.append(c);
          }
          i++;
      }
    }
    best = longer(best, run);
    return best.isEmpty() ? null : Strings.lowerAscii(best);
  }

  /**
   * The number of chars every match of {@code pattern} has, when the pattern is a plain sequence
   * of single-char atoms (literals, {@code .}, escapes such as {@code \.} or {@code \d}, classes)
   * and anchors; -1 otherwise. A URL of any other length cannot match the pattern as a whole.
   * Counted in code points: valid for URLs without surrogate pairs.
   */
  static int fixedLength(Pattern pattern) {
    if ((pattern.flags() & ~SAFE_FLAGS) != 0) return -1;
    String re = pattern.pattern();
    int length = 0;
    int i = 0;
    int n = re.length();
    while (i < n) {
      char c = re.charAt(i);
      switch (c) {
        case '\\':
          {
            if (i + 1 >= n) return -1;
            char e = re.charAt(i + 1);
            boolean charClass = e == 'd' || e == 'D' || e == 'w' || e == 'W' || e == 's' || e == 'S';
            if (!charClass && (Character.isLetterOrDigit(e) || e > 0x7f)) return -1;
            length++;
            i += 2;
            break;
          }
        case '[':
          i = skipClass(re, i);
          if (i < 0) return -1;
          length++;
          break;
        case '^':
        case '$':
          i++;
          break;
        case '(': case ')': case '|': case '?': case '*': case '+': case '{':
          return -1;
        default:
          if (Character.isSurrogate(c)) return -1;
          length++;
          i++;
      }
    }
    return length;
  }

  /**
   * For a whole-URL regex {@code .*R} (greedy, without DOTALL, MULTILINE or COMMENTS), the regex
   * {@code (?:R)\\z} to {@code find()} instead; null for any other regex. Equivalent when no line
   * terminator precedes the match: the leftmost {@code R} that reaches the end is where {@code .*}
   * would have stopped.
   */
  static Pattern tailOfLeadingDotStar(Pattern pattern) {
    String re = pattern.pattern();
    if (!re.startsWith(".*") || re.length() == 2) return null;
    char next = re.charAt(2);
    if (next == '?' || next == '+') return null; // lazy or possessive: leave as written
    if (re.indexOf('|') >= 0) return null; // ".*a|b" is (.*a)|(b): not a tail; keep it simple
    if ((pattern.flags() & (Pattern.DOTALL | Pattern.MULTILINE | Pattern.COMMENTS | Pattern.LITERAL)) != 0) return null;
    try {
      return Pattern.compile("(?:" + re.substring(2) + ")\\z", pattern.flags());
    } catch (java.util.regex.PatternSyntaxException e) {
      return null;
    }
  }

  /**
   * For a whole-URL regex {@code X.*} or {@code .*X.*} (greedy trailing {@code .*}, without DOTALL,
   * MULTILINE, COMMENTS or LITERAL, no alternation, no quoting), {@code X} compiled alone, to
   * {@code lookingAt()} (after {@code X.*}) or {@code find()} (after {@code .*X.*}) instead; null for
   * any other regex. Equivalent on a URL without line terminators: any match of {@code X} at the
   * start (anywhere) lets the {@code .*}s take the rest. It stops where {@code X} ends instead of
   * running {@code .*} to the end of the URL.
   */
  static DotStarCore dotStarCore(Pattern pattern) {
    String re = pattern.pattern();
    if ((pattern.flags() & (Pattern.DOTALL | Pattern.MULTILINE | Pattern.COMMENTS | Pattern.LITERAL)) != 0) return null;
    if (re.indexOf('|') >= 0 || re.contains("\\Q") || !re.endsWith(".*")) return null;
    int backslashes = 0;
    for (int i = re.length() - 3; i >= 0 && re.charAt(i) == '\\'; i--) backslashes++;
    if (backslashes % 2 != 0) return null; // "\\.*": a literal dot, repeated
    String core = re.substring(0, re.length() - 2);
    boolean leading = core.startsWith(".*");
    if (leading) core = core.substring(2);
    if (core.isEmpty() || "?+*{".indexOf(core.charAt(0)) >= 0) return null; // ".*" alone, or lazy/possessive
    try {
      return new DotStarCore(Pattern.compile(core, pattern.flags()), leading);
    } catch (java.util.regex.PatternSyntaxException e) {
      return null;
    }
  }

  /**
   * {@code source} with its capturing groups made non-capturing ({@code (x)} and {@code (?<n>x)}
   * become {@code (?:x)}): only whether it matches is asked, and java.util.regex repeats a group
   * faster when it need not save what it captured. The source itself when it refers back to a
   * group ({@code \\1}, {@code \\k<n>}), uses quoting ({@code \\Q}), or cannot be read.
   */
  static String withoutCaptures(String source) {
    int n = source.length();
    StringBuilder out = null;
    for (int i = 0; i < n; i++) {
      char c = source.charAt(i);
      if (c == '\\') {
        if (i + 1 >= n) return source;
        char e = source.charAt(i + 1);
        if ((e >= '1' && e <= '9') || e == 'k' || e == 'Q') return source;
        if (out != null) out.append(c).append(e);
        i++;
        continue;
      }
      if (c == '[') {
        int end = skipClass(source, i);
        if (end < 0) return source;
        if (out != null) out.append(source, i, end);
        i = end - 1;
        continue;
      }
      if (c == '(') {
        boolean plain = i + 1 < n && source.charAt(i + 1) != '?';
        boolean named = i + 2 < n && source.charAt(i + 1) == '?' && source.charAt(i + 2) == '<'
            && i + 3 < n && source.charAt(i + 3) != '=' && source.charAt(i + 3) != '!';
        if (plain || named) {
          if (out == null) out = new StringBuilder(n + 16).append(source, 0, i);
          out.append("(?:");
          if (named) {
            int close = source.indexOf('>', i);
            if (close < 0) return source;
            i = close;
          }
          continue;
        }
      }
      if (out != null) out.append(c);
    }
    return out == null ? source : out.toString();
  }

  /** {@code core} of {@code .*core.*} ({@code anywhere}: find it) or of {@code core.*} (look at the start). */
  static final class DotStarCore {
    final Pattern core;
    final boolean anywhere;

    DotStarCore(Pattern core, boolean anywhere) {
      this.core = core;
      this.anywhere = anywhere;
    }
  }

  /**
   * Whether a regex source names no upper-case letter: none written, and none by code or property
   * ({@code \\x41}, {@code \\u0041}, {@code \\0101}, {@code \\cJ}, {@code \\N{..}}, {@code \\p{..}}).
   * Then, on a URL without upper case, ignoring ASCII case changes nothing.
   */
  static boolean isCaseFree(String source) {
    for (int i = 0; i < source.length(); i++) {
      char c = source.charAt(i);
      if (c >= 'A' && c <= 'Z') return false;
      if (c == '\\' && i + 1 < source.length() && "xu0cNpP".indexOf(source.charAt(i + 1)) >= 0) return false;
    }
    return true;
  }

  /** Whether {@code s} has any char with a meaning in a regex (else it matches only itself). */
  static boolean hasMetacharacters(String s) {
    for (int i = 0; i < s.length(); i++) {
      if ("\\^$.|?*+()[]{}".indexOf(s.charAt(i)) >= 0) return true;
    }
    return false;
  }

  private static String longer(String best, StringBuilder run) {
    return run.length() > best.length() ? run.toString() : best;
  }

  private static int skipQuantifierModifier(String re, int i) {
    return i < re.length() && (re.charAt(i) == '?' || re.charAt(i) == '+') ? i + 1 : i;
  }

  /**
   * Index after the escape at {@code i}, including its operand (hex, octal, control char, one-letter
   * property, named back reference, {@code {...}} forms, the four digits of a Unicode escape): an
   * operand read as literal text would be required although the URL does not contain it. Skipping
   * too much is safe; it only shortens the literal.
   */
  private static int skipEscape(String re, int i) {
    int n = re.length();
    char e = re.charAt(i + 1);
    int j = i + 2;
    if ((e == 'p' || e == 'P' || e == 'x' || e == 'k' || e == 'N') && j < n && re.charAt(j) == '{') {
      int close = re.indexOf('}', j);
      return close < 0 ? n : close + 1;
    }
    switch (e) {
      case 'k':
        if (j < n && re.charAt(j) == '<') {
          int close = re.indexOf('>', j);
          return close < 0 ? n : close + 1;
        }
        return j;
      case 'x':
        return Math.min(n, j + 2);
      case 'u':
        return Math.min(n, j + 4);
      case 'c':
      case 'p':
      case 'P':
        return Math.min(n, j + 1);
      case '0':
        return Math.min(n, j + 3);
      default:
        return j;
    }
  }

  /** Index after the class that starts at {@code i}, or -1. */
  private static int skipClass(String re, int i) {
    int depth = 0;
    int n = re.length();
    int j = i;
    while (j < n) {
      char c = re.charAt(j);
      if (c == '\\') {
        j += 2;
        continue;
      }
      if (c == '[') {
        depth++;
        if (j + 1 < n && re.charAt(j + 1) == '^') j++;
        if (j + 1 < n && re.charAt(j + 1) == ']') j++; // a leading ']' is literal
      } else if (c == ']') {
        depth--;
        if (depth == 0) return j + 1;
      }
      j++;
    }
    return -1;
  }

  /** Index after the group that starts at {@code i}, or -1. */
  private static int skipGroup(String re, int i) {
    int depth = 0;
    int n = re.length();
    int j = i;
    while (j < n) {
      char c = re.charAt(j);
      if (c == '\\') {
        j += 2;
        continue;
      }
      if (c == '[') {
        j = skipClass(re, j);
        if (j < 0) return -1;
        continue;
      }
      if (c == '(') depth++;
      else if (c == ')') {
        depth--;
        if (depth == 0) return j + 1;
      }
      j++;
    }
    return -1;
  }
}
