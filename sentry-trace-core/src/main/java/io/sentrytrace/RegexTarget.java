package io.sentrytrace;

import java.util.regex.Pattern;

/** A compiled regex target with the literal every match must contain, if one is known. */
final class RegexTarget {
  /** How {@link #pattern} answers for the target; see {@link PropagationTargets#matches}. */
  enum Run {
    /** A {@code Pattern} target: {@code find()}. */
    FIND,
    /** A whole-URL target: {@code matches()}. */
    MATCH,
    /**
     * {@code .*R} as {@code find(R\\z)}, without backtracking through {@code .*}, given no line
     * terminator before the match (which {@code .} would not have crossed).
     */
    TAIL,
    /** {@code X.*} as {@code lookingAt(X)}, given no line terminator in the URL. */
    HEAD,
    /** {@code .*X.*} as {@code find(X)}, given no line terminator in the URL. */
    INFIX
  }

  /** The regex as configured (with CASE_INSENSITIVE): the answer for URLs the shortcuts do not cover. */
  final Pattern configured;
  /** What runs: the configured regex or its shortcut, without capturing groups. */
  final Pattern pattern;
  final Run run;
  final boolean fullMatch;
  final Needle requiredLiteral;
  /** The length of every URL a whole-URL regex can match; -1 when it varies. */
  final int fixedLength;
  /**
   * The same regex without CASE_INSENSITIVE, for URLs without upper case: when neither the regex
   * source nor the URL has an ASCII upper-case letter, ignoring ASCII case changes nothing, and
   * the case-sensitive engine is about twice as fast. Null when that does not hold.
   */
  final Pattern caseSensitive;
  /** The regex as a DFA, which answers most URLs without java.util.regex; null when not supported. */
  final RegexDfa dfa;

  private RegexTarget(Pattern configured, boolean fullMatch) {
    this.configured = configured;
    this.fullMatch = fullMatch;
    RegexLiterals.DotStarCore core = fullMatch ? RegexLiterals.dotStarCore(configured) : null;
    Pattern tailPattern = fullMatch && core == null ? RegexLiterals.tailOfLeadingDotStar(configured) : null;
    Pattern chosen;
    if (core != null) {
      chosen = core.core;
      this.run = core.anywhere ? Run.INFIX : Run.HEAD;
    } else if (tailPattern != null) {
      chosen = tailPattern;
      this.run = Run.TAIL;
    } else {
      chosen = configured;
      this.run = fullMatch ? Run.MATCH : Run.FIND;
    }
    this.pattern = withoutCaptures(chosen);
    String required = RegexLiterals.required(configured);
    this.requiredLiteral = required == null ? null : new Needle(required);
    this.fixedLength = fullMatch ? RegexLiterals.fixedLength(configured) : -1;
    this.dfa = RegexDfa.of(configured, fullMatch);
    this.caseSensitive =
        (pattern.flags() & Pattern.UNICODE_CASE) == 0 && RegexLiterals.isCaseFree(pattern.pattern())
            ? Pattern.compile(pattern.pattern(), pattern.flags() & ~Pattern.CASE_INSENSITIVE)
            : null;
  }

  /**
   * {@code p} compiled without capturing groups; {@code p} itself where its text is not plain regex
   * syntax (LITERAL, or COMMENTS, where whitespace may sit inside a group's opening) or the result
   * does not compile.
   */
  private static Pattern withoutCaptures(Pattern p) {
    if ((p.flags() & (Pattern.LITERAL | Pattern.COMMENTS)) != 0) return p;
    String plain = RegexLiterals.withoutCaptures(p.pattern());
    if (plain.equals(p.pattern())) return p;
    try {
      return Pattern.compile(plain, p.flags());
    } catch (java.util.regex.PatternSyntaxException e) {
      return p;
    }
  }

  /**
   * The configured regex's own answer, for a URL with a line terminator where a {@link Run#HEAD}
   * or {@link Run#INFIX} shortcut matched. Allocates a matcher: such URLs are not well-formed.
   */
  boolean matchesAsConfigured(CharSequence url) {
    return configured.matcher(url).matches();
  }

  static RegexTarget fullMatch(Pattern p) {
    return new RegexTarget(p, true);
  }

  static RegexTarget find(Pattern p) {
    return new RegexTarget(Pattern.compile(p.pattern(), p.flags() | Pattern.CASE_INSENSITIVE), false);
  }
}
