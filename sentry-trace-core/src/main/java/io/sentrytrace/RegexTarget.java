package io.sentrytrace;

import java.util.regex.Pattern;

/** A compiled regex target with the literal every match must contain, if one is known. */
final class RegexTarget {
  final Pattern pattern;
  final boolean fullMatch;
  final Needle requiredLiteral;
  /** The length of every URL a whole-URL regex can match; -1 when it varies. */
  final int fixedLength;
  /**
   * True when {@link #pattern} is {@code R\\z} for a whole-URL regex {@code .*R}: {@code find()}
   * then answers without backtracking through {@code .*}, given no line terminator before the
   * match (which {@code .} would not have crossed).
   */
  final boolean tail;
  /**
   * The same regex without CASE_INSENSITIVE, for URLs without upper case: when neither the regex
   * source nor the URL has an ASCII upper-case letter, ignoring ASCII case changes nothing, and
   * the case-sensitive engine is about twice as fast. Null when that does not hold.
   */
  final Pattern caseSensitive;

  private RegexTarget(Pattern configured, boolean fullMatch) {
    Pattern tailPattern = fullMatch ? RegexLiterals.tailOfLeadingDotStar(configured) : null;
    Pattern pattern = tailPattern != null ? tailPattern : configured;
    this.tail = tailPattern != null;
    this.pattern = pattern;
    this.fullMatch = fullMatch;
    String required = RegexLiterals.required(configured);
    this.requiredLiteral = required == null ? null : new Needle(required);
    this.fixedLength = fullMatch ? RegexLiterals.fixedLength(configured) : -1;
    this.caseSensitive =
        (pattern.flags() & Pattern.UNICODE_CASE) == 0 && RegexLiterals.isCaseFree(pattern.pattern())
            ? Pattern.compile(pattern.pattern(), pattern.flags() & ~Pattern.CASE_INSENSITIVE)
            : null;
  }

  static RegexTarget fullMatch(Pattern p) {
    return new RegexTarget(p, true);
  }

  static RegexTarget find(Pattern p) {
    return new RegexTarget(Pattern.compile(p.pattern(), p.flags() | Pattern.CASE_INSENSITIVE), false);
  }
}
