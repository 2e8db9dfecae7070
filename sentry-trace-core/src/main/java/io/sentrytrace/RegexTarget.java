package io.sentrytrace;

import io.sentrytrace.internal.regex.RegexDfa;
import java.util.regex.Pattern;

/**
 * A regex target: its DFA when {@link RegexDfa} takes it, else the {@code Pattern} itself, run by
 * {@code java.util.regex} as compiled (nothing rewritten).
 */
final class RegexTarget {
  /** The regex as it runs: for a {@code Pattern} target, the user's own or a case-insensitive copy. */
  final Pattern pattern;
  /** {@code matches()} (a {@code String} target) or {@code find()} (a {@code Pattern} target). */
  final boolean fullMatch;
  /** Null when the DFA does not take the regex. */
  final RegexDfa dfa;
  /** Text every match contains, to rule a URL out before the DFA runs; null when none. */
  final Needle requiredLiteral;
  /** Why the DFA does not take the regex (the construct); null when it does. */
  final String unsupported;
  /** The code points of every URL it matches as a whole, when that is one number; else -1. */
  final int fixedLength;

  private RegexTarget(Pattern pattern, boolean fullMatch) {
    this.pattern = pattern;
    this.fullMatch = fullMatch;
    RegexDfa dfa = null;
    String unsupported = null;
    if (hasInlineFlags(pattern.pattern(), pattern.flags())) {
      unsupported = "inline flags"; // before the DFA looks at flags(), which has them mixed in
    } else {
      try {
        dfa = RegexDfa.compile(pattern, fullMatch);
      } catch (RegexDfa.Unsupported e) {
        unsupported = e.getMessage();
      }
    }
    this.dfa = dfa;
    this.unsupported = unsupported;
    this.fixedLength = dfa == null ? -1 : dfa.fixedLength();
    this.requiredLiteral = dfa == null || dfa.requiredLiteral().isEmpty() ? null : new Needle(dfa.requiredLiteral());
  }

  /** A {@code String} target compiled case-insensitively: matches the URL as a whole. */
  static RegexTarget fullMatch(Pattern p) {
    return new RegexTarget(p, true);
  }

  /**
   * A {@code Pattern} target: found anywhere in the URL, ignoring case. A pattern with inline flags
   * runs as the user compiled it: its flags cannot be told from the ones it was compiled with
   * ({@code Pattern.flags()} includes inline ones), so it is not recompiled.
   */
  static RegexTarget find(Pattern p) {
    boolean asCompiled = hasInlineFlags(p.pattern(), p.flags()) || (p.flags() & Pattern.CASE_INSENSITIVE) != 0;
    return new RegexTarget(asCompiled ? p : Pattern.compile(p.pattern(), p.flags() | Pattern.CASE_INSENSITIVE), false);
  }

  /** Whether {@code re} has an inline flag group ({@code (?i)}, {@code (?-s:…)}, …) outside classes and quotes. */
  static boolean hasInlineFlags(String re, int flags) {
    if ((flags & Pattern.LITERAL) != 0) return false;
    int n = re.length();
    int classDepth = 0;
    for (int i = 0; i < n; i++) {
      char c = re.charAt(i);
      if (c == '\\') {
        if (i + 1 < n && re.charAt(i + 1) == 'Q') {
          int end = re.indexOf("\\E", i + 2);
          if (end < 0) return false;
          i = end + 1;
        } else {
          i++;
        }
      } else if (c == '[') {
        classDepth++;
        // A ] right after [ or [^ is a member, as java.util.regex reads it.
        if (i + 1 < n && re.charAt(i + 1) == '^') i++;
        if (i + 1 < n && re.charAt(i + 1) == ']') i++;
      } else if (classDepth > 0) {
        if (c == ']') classDepth--;
      } else if (c == '(' && i + 2 < n && re.charAt(i + 1) == '?' && "idmsuxU-".indexOf(re.charAt(i + 2)) >= 0) {
        return true;
      }
    }
    return false;
  }
}
