package io.sentrytrace;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which outgoing URLs get trace headers ({@code tracePropagationTargets}).
 *
 * <p>A {@code String} target matches a URL that contains it, or, when it is a valid regex, a URL it
 * matches as a whole (the sentry-java rule, so existing configurations carry over). A {@code
 * Pattern} target matches when {@link Matcher#find()} does. Matching ignores case. Note the
 * substring rule: {@code "example.com"} also matches {@code https://evil-example.com/}; use a
 * {@code Pattern} such as {@code ^https://api\.example\.com/} to be exact.
 *
 * <p>Everything is compiled once, here; {@link #matches} compiles and allocates nothing.
 *
 * <pre>{@code
 * PropagationTargets targets = PropagationTargets.of(List.of("localhost", Pattern.compile("^https://api\\.example\\.com/")));
 * boolean send = targets.matches("https://api.example.com/v1/users");
 * }</pre>
 */
public final class PropagationTargets {
  private static final System.Logger LOG = System.getLogger(PropagationTargets.class.getName());
  private static final PropagationTargets ALL = new PropagationTargets(true, new String[0], new RegexTarget[0]);
  private static final PropagationTargets NONE = new PropagationTargets(false, new String[0], new RegexTarget[0]);

  private final boolean matchesAll;
  /** Substring targets, lower case (ASCII). */
  private final String[] literals;
  private final RegexTarget[] regexes;
  /** One matcher per regex per thread, reset for each URL: matching allocates nothing. */
  private final ThreadLocal<Matcher[]> matchers;

  private PropagationTargets(boolean matchesAll, String[] literals, RegexTarget[] regexes) {
    this.matchesAll = matchesAll;
    this.literals = literals;
    this.regexes = regexes;
    this.matchers =
        ThreadLocal.withInitial(
            () -> {
              Matcher[] m = new Matcher[regexes.length];
              for (int i = 0; i < m.length; i++) m[i] = regexes[i].pattern.matcher("");
              return m;
            });
  }

  /** Every URL (the default). */
  public static PropagationTargets all() {
    return ALL;
  }

  /** No URL. */
  public static PropagationTargets none() {
    return NONE;
  }

  /**
   * Targets from {@code String}s and {@link Pattern}s. Null means {@link #all()}; an empty list
   * means {@link #none()}. A {@code String} that does not compile as a regex is used as a substring
   * only (and logged once, here).
   *
   * @throws IllegalArgumentException for an element that is null or neither a String nor a Pattern
   */
  public static PropagationTargets of(List<?> targets) {
    if (targets == null) return ALL;
    if (targets.isEmpty()) return NONE;
    List<String> literals = new ArrayList<>();
    List<RegexTarget> regexes = new ArrayList<>();
    boolean matchesAll = false; // still check every element: a bad one is a mistake to report
    for (int i = 0; i < targets.size(); i++) {
      Object target = targets.get(i);
      if (target instanceof Pattern) {
        Pattern p = (Pattern) target;
        regexes.add(RegexTarget.find(p));
      } else if (target instanceof String) {
        String s = (String) target;
        if (s.equals(".*") || s.equals("^.*$") || s.isEmpty()) {
          matchesAll = true;
          continue;
        }
        literals.add(lowerAscii(s));
        try {
          regexes.add(RegexTarget.fullMatch(Pattern.compile(s, Pattern.CASE_INSENSITIVE)));
        } catch (PatternSyntaxException e) {
          LOG.log(
              System.Logger.Level.INFO,
              "tracePropagationTargets: \"{0}\" is not a valid regex ({1}); it matches as a substring only",
              s,
              e.getDescription());
        }
      } else {
        throw new IllegalArgumentException(
            "tracePropagationTargets[" + i + "] must be a String or a java.util.regex.Pattern, got "
                + (target == null ? "null" : target.getClass().getName()));
      }
    }
    if (matchesAll) return ALL;
    return new PropagationTargets(false, literals.toArray(new String[0]), regexes.toArray(new RegexTarget[0]));
  }

  /** ASCII-only lower case, as {@link #contains} compares: other letters must match as written. */
  static String lowerAscii(String s) {
    char[] chars = s.toCharArray();
    for (int i = 0; i < chars.length; i++) chars[i] = toLower(chars[i]);
    return new String(chars);
  }

  /** Whether trace headers go to {@code url}. Null never matches. */
  public boolean matches(CharSequence url) {
    if (matchesAll) return true;
    if (url == null) return false;
    boolean hasUpper = hasUpperCase(url);
    for (String literal : literals) {
      if (contains(url, literal, hasUpper)) return true;
    }
    if (regexes.length == 0) return false;
    Matcher[] m = null;
    for (int i = 0; i < regexes.length; i++) {
      RegexTarget regex = regexes[i];
      if (regex.requiredLiteral != null && !contains(url, regex.requiredLiteral, hasUpper)) continue;
      if (m == null) m = matchers.get();
      Matcher matcher = m[i].reset(url);
      boolean found = regex.fullMatch ? matcher.matches() : matcher.find();
      matcher.reset(""); // do not keep the URL reachable from this thread
      if (found) return true;
    }
    return false;
  }

  /** Case-insensitive (ASCII) containment of a lower-case needle. */
  private static boolean contains(CharSequence url, String lowerNeedle, boolean urlHasUpper) {
    if (!urlHasUpper && url instanceof String) return ((String) url).contains(lowerNeedle);
    int n = url.length();
    int m = lowerNeedle.length();
    outer:
    for (int i = 0; i <= n - m; i++) {
      for (int j = 0; j < m; j++) {
        if (toLower(url.charAt(i + j)) != lowerNeedle.charAt(j)) continue outer;
      }
      return true;
    }
    return false;
  }

  private static boolean hasUpperCase(CharSequence s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') return true;
    }
    return false;
  }

  private static char toLower(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
  }

  @Override
  public String toString() {
    if (matchesAll) return "PropagationTargets.all()";
    if (literals.length == 0 && regexes.length == 0) return "PropagationTargets.none()";
    StringBuilder b = new StringBuilder("PropagationTargets[");
    for (String l : literals) b.append('"').append(l).append("\" ");
    for (RegexTarget r : regexes) b.append('/').append(r.pattern.pattern()).append("/ ");
    b.setLength(b.length() - 1);
    return b.append(']').toString();
  }

  /** A compiled regex target with the literal every match must contain, if one is known. */
  static final class RegexTarget {
    final Pattern pattern;
    final boolean fullMatch;
    final String requiredLiteral;

    private RegexTarget(Pattern pattern, boolean fullMatch) {
      this.pattern = pattern;
      this.fullMatch = fullMatch;
      this.requiredLiteral = RegexLiterals.required(pattern);
    }

    static RegexTarget fullMatch(Pattern p) {
      return new RegexTarget(p, true);
    }

    static RegexTarget find(Pattern p) {
      return new RegexTarget(Pattern.compile(p.pattern(), p.flags() | Pattern.CASE_INSENSITIVE), false);
    }
  }
}
