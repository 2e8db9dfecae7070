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
 * {@code Pattern} such as {@code ^https://api\.example\.com/} to be exact. A {@code String} written
 * like that must match the whole URL, so it matches only {@code https://api.example.com/} itself:
 * {@link #of} logs a hint (once per list) for such targets.
 *
 * <p>Everything is compiled once, here. A regex runs in time linear in the URL, whatever its chars,
 * when a linear-time matcher takes its syntax (listed in the README, "Which URLs get the headers",
 * and in {@code io.sentrytrace.internal.regex.RegexDfa}); one it does not take runs on {@code
 * java.util.regex} as compiled, and {@link #of} logs a WARNING naming it and the construct.
 * {@link #matches} compiles nothing and allocates nothing, except while the automaton of a large
 * regex is built as it runs.
 *
 * <pre>{@code
 * PropagationTargets targets = PropagationTargets.of(List.of("localhost", Pattern.compile("^https://api\\.example\\.com/")));
 * boolean send = targets.matches("https://api.example.com/v1/users");
 * }</pre>
 */
public final class PropagationTargets {
  private static final System.Logger LOG = System.getLogger(PropagationTargets.class.getName());
  private static final PropagationTargets ALL = new PropagationTargets(true, new Needle[0], new RegexTarget[0]);
  private static final PropagationTargets NONE = new PropagationTargets(false, new Needle[0], new RegexTarget[0]);

  private final boolean matchesAll;
  /** Substring targets, lower case (ASCII), in the order given. */
  private final Needle[] literals;
  /** Those without any of the chars {@code [\]^}. */
  private final Needle[] plain;
  /**
   * Substring targets with one of those chars, which regex sources mostly have and URLs hardly
   * ever do: only looked for in a URL that has one.
   */
  private final Needle[] gated;
  /** The text of {@link #plain}, for the first search of every URL. */
  private final String[] plainText;
  private final RegexTarget[] regexes;
  /** One matcher per regex the DFA does not take, per thread, reset for each URL. */
  private final ThreadLocal<Matcher[]> matchers;

  private PropagationTargets(boolean matchesAll, Needle[] literals, RegexTarget[] regexes) {
    this.matchesAll = matchesAll;
    this.literals = literals;
    List<Needle> plain = new ArrayList<>();
    List<Needle> gated = new ArrayList<>();
    for (Needle n : literals) (firstInRange(n.lower, 0, '[', '^') < 0 ? plain : gated).add(n);
    this.plain = plain.toArray(new Needle[0]);
    this.plainText = plain.stream().map(n -> n.lower).toArray(String[]::new);
    this.gated = gated.toArray(new Needle[0]);
    this.regexes = regexes;
    this.matchers =
        ThreadLocal.withInitial(
            () -> {
              Matcher[] m = new Matcher[regexes.length];
              for (int i = 0; i < regexes.length; i++) if (regexes[i].dfa == null) m[i] = regexes[i].pattern.matcher("");
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
    List<Needle> literals = new ArrayList<>();
    List<RegexTarget> regexes = new ArrayList<>();
    boolean matchesAll = false; // still check every element: a bad one is a mistake to report
    List<String> prefixLike = null;
    for (int i = 0; i < targets.size(); i++) {
      Object target = targets.get(i);
      if (target instanceof Pattern) {
        regexes.add(RegexTarget.find((Pattern) target));
      } else if (target instanceof String) {
        String s = (String) target;
        if (s.equals(".*") || s.equals("^.*$") || s.isEmpty()) {
          matchesAll = true;
          continue;
        }
        literals.add(new Needle(Strings.lowerAscii(s)));
        // Without metacharacters the whole-URL regex is plain equality, which containment covers.
        if (!hasMetacharacters(s)) continue;
        try {
          regexes.add(RegexTarget.fullMatch(Pattern.compile(s, Pattern.CASE_INSENSITIVE)));
          if (readsLikeAPrefix(s)) {
            if (prefixLike == null) prefixLike = new ArrayList<>();
            prefixLike.add(s);
          }
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
    if (prefixLike != null) {
      LOG.log(
          System.Logger.Level.WARNING,
          "tracePropagationTargets: {0} must match a URL as a whole, so each matches only the one URL it spells."
              + " To match every URL that starts with it, append \".*\" or pass a java.util.regex.Pattern (matched with find())",
          prefixLike);
    }
    for (RegexTarget regex : regexes) {
      if (regex.unsupported == null) continue;
      LOG.log(
          System.Logger.Level.WARNING,
          "tracePropagationTargets: /{0}/ has {1}, which the linear-time matcher does not take; it runs on java.util.regex,"
              + " whose time on a URL an attacker shapes can grow exponentially with its length. Write it without that construct"
              + " (see the README, \"Which URLs get the headers\")",
          regex.pattern.pattern(),
          regex.unsupported);
    }
    if (matchesAll) return ALL;
    return new PropagationTargets(false, literals.toArray(new Needle[0]), regexes.toArray(new RegexTarget[0]));
  }


  /**
   * Whether a String target looks written for {@code find()}: anchored at the start ({@code
   * ^https://api\\.example\\.com/}) but open at the end, which as a whole-URL regex matches only
   * that exact URL.
   */
  private static boolean readsLikeAPrefix(String s) {
    return s.startsWith("^") && !s.endsWith(".*") && !s.endsWith("$");
  }

  /** Whether trace headers go to {@code url}. Null never matches. */
  public boolean matches(CharSequence url) {
    if (matchesAll) return true;
    if (url instanceof String) return matchesString((String) url);
    return url != null && matchesSequence(url);
  }

  /** {@link #matches} for a String: the JDK's intrinsics search it. */
  private boolean matchesString(String s) {
    // Most URLs have no upper case (OkHttp lower-cases hosts): then ignoring case is a plain
    // String.contains of the lower-case needle, a JDK intrinsic. Try that first.
    for (String literal : plainText) {
      if (s.contains(literal)) return true;
    }
    // One pass finds the first char in A..^ (upper case, and [\]^ for the gated literals): most
    // URLs have none, and are done with the literals.
    int special = firstInRange(s, 0, 'A', '^');
    int firstUpper = -1;
    int letters = 0;
    if (special >= 0) {
      boolean upper = s.charAt(special) <= 'Z';
      firstUpper = upper ? special : firstInRange(s, special + 1, 'A', 'Z');
      boolean gate = gated.length > 0 && (!upper || firstInRange(s, special + 1, '[', '^') >= 0);
      if (gate && containsGated(s)) return true;
      if (firstUpper >= 0) {
        letters = upperLetters(s, firstUpper);
        if (containsIgnoringCase(s, letters, firstUpper, gate)) return true;
      }
    }
    // The regexes whose required literal the URL has, as written or ignoring case.
    for (int i = 0; i < regexes.length; i++) {
      if (!fitsLength(regexes[i], s)) continue;
      Needle required = regexes[i].requiredLiteral;
      if (required != null && !s.contains(required.lower) && !isInIgnoringCase(required, s, letters, firstUpper)) continue;
      if (matchesRegex(i, s)) return true;
    }
    return false;
  }

  /** Whether {@code s} has a gated literal as written (it has one of their chars {@code [\]^}). */
  private boolean containsGated(String s) {
    for (Needle literal : gated) {
      if (s.contains(literal.lower)) return true;
    }
    return false;
  }

  /**
   * Where contains() missed, a match that ignores case covers an upper-case letter of the URL, from
   * the first one on, and the needle has that letter: only such needles are searched, from there on.
   */
  private boolean containsIgnoringCase(String s, int letters, int firstUpper, boolean gate) {
    for (Needle literal : plain) {
      if (isInIgnoringCase(literal, s, letters, firstUpper)) return true;
    }
    if (gate) {
      for (Needle literal : gated) {
        if (isInIgnoringCase(literal, s, letters, firstUpper)) return true;
      }
    }
    return false;
  }

  /** {@link #matches} for a CharSequence other than String: no intrinsics; every search ignores case. */
  private boolean matchesSequence(CharSequence url) {
    for (Needle literal : literals) {
      if (literal.isIn(url, 0)) return true;
    }
    for (int i = 0; i < regexes.length; i++) {
      if (!fitsLength(regexes[i], url)) continue;
      if (regexes[i].requiredLiteral != null && !regexes[i].requiredLiteral.isIn(url, 0)) continue;
      if (matchesRegex(i, url)) return true;
    }
    return false;
  }

  /**
   * Whether {@code needle} is in {@code s} ignoring case, where contains() did not find it: over an
   * upper-case letter (bits {@code letters}; none before {@code firstUpper}).
   */
  private static boolean isInIgnoringCase(Needle needle, String s, int letters, int firstUpper) {
    return (needle.letters & letters) != 0 && needle.isIn(s, firstUpper);
  }

  /** Whether {@code url} has a length {@code regex} may match: a fixed-length regex skips all others. */
  private static boolean fitsLength(RegexTarget regex, CharSequence url) {
    int fixed = regex.fixedLength;
    if (fixed < 0 || url.length() == fixed) return true;
    // A surrogate pair is one code point: count them only when the length in chars allows it.
    int length = url.length();
    if (length < fixed || length > 2 * fixed) return false;
    return url instanceof String ? ((String) url).codePointCount(0, length) == fixed : Character.codePointCount(url, 0, length) == fixed;
  }

  /** Regex {@code i} on {@code url}: its DFA, else java.util.regex as compiled. */
  private boolean matchesRegex(int i, CharSequence url) {
    RegexTarget regex = regexes[i];
    if (regex.dfa != null) return regex.dfa.matches(url);
    Matcher matcher = matchers.get()[i].reset(url);
    boolean found = regex.fullMatch ? matcher.matches() : matcher.find();
    matcher.reset(""); // do not keep the URL reachable from this thread
    return found;
  }

  /** Bit {@code l}: {@code s} has {@code 'A' + l} from {@code from} on. */
  private static int upperLetters(String s, int from) {
    int letters = 0;
    for (int i = from, n = s.length(); i < n; i++) {
      int d = s.charAt(i) - 'A';
      if (d >= 0 && d < 26) letters |= 1 << d;
    }
    return letters;
  }

  /** The index of the first char in {@code lo..hi} from {@code from} on, or -1. */
  private static int firstInRange(String s, int from, char lo, char hi) {
    for (int i = from, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c >= lo && c <= hi) return i;
    }
    return -1;
  }

  /** Whether a String target has regex metacharacters: without any, it is a substring only. */
  private static boolean hasMetacharacters(String s) {
    for (int i = 0; i < s.length(); i++) {
      if ("\\^$.|?*+()[]{}".indexOf(s.charAt(i)) >= 0) return true;
    }
    return false;
  }

  /**
   * The first target that matches {@code url}, as the decision log names it ({@code "api.example.com"
   * (substring)}, {@code /^https://api\.example\.com/.+/ (whole URL)}, {@code /.../ (find)}, {@code all URLs}), or
   * null. Slower than {@link #matches}: only for the decision log.
   */
  String matchingTarget(CharSequence url) {
    if (matchesAll) return "all URLs";
    if (url == null) return null;
    for (Needle literal : literals) {
      if (literal.isIn(url)) return '"' + literal.lower + "\" (substring)";
    }
    for (int i = 0; i < regexes.length; i++) {
      if (fitsLength(regexes[i], url) && matchesRegex(i, url)) {
        return '/' + regexes[i].pattern.pattern() + '/' + (regexes[i].fullMatch ? " (whole URL)" : " (find)");
      }
    }
    return null;
  }

  /**
   * The targets as the decision log lists them: {@code [all URLs]}, {@code []}, or each String once
   * as given (lower case) and each Pattern as {@code /regex/}.
   */
  String describe() {
    if (matchesAll) return "[all URLs]";
    StringBuilder b = new StringBuilder("[");
    for (Needle l : literals) b.append(b.length() > 1 ? ", " : "").append('"').append(l.lower).append('"');
    for (RegexTarget r : regexes) {
      if (!r.fullMatch) b.append(b.length() > 1 ? ", " : "").append('/').append(r.pattern.pattern()).append('/');
    }
    return b.append(']').toString();
  }

  @Override
  public String toString() {
    if (matchesAll) return "PropagationTargets.all()";
    if (literals.length == 0 && regexes.length == 0) return "PropagationTargets.none()";
    StringBuilder b = new StringBuilder("PropagationTargets[");
    for (Needle l : literals) b.append('"').append(l.lower).append("\" ");
    for (RegexTarget r : regexes) b.append('/').append(r.pattern.pattern()).append("/ ");
    b.setLength(b.length() - 1);
    return b.append(']').toString();
  }
}
