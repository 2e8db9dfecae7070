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
 * <p>Everything is compiled once, here; {@link #matches} compiles and allocates nothing.
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

  /**
   * Per thread: the part of a URL with upper case where a match that ignores case may lie, in ASCII
   * lower case, so that every needle is found with the JDK's {@code indexOf} intrinsic, which a
   * StringBuilder shares with String. Reused: matching allocates nothing.
   */
  private static final ThreadLocal<StringBuilder> FOLDED = ThreadLocal.withInitial(() -> new StringBuilder(256));
  /** Longer parts are searched in place (and the buffer never grows beyond this). */
  private static final int FOLD_LIMIT = 1024;

  private final boolean matchesAll;
  /** Substring targets, lower case (ASCII). */
  private final Needle[] literals;
  private final RegexTarget[] regexes;
  /** The longest needle: literals and required literals. */
  private final int longestNeedle;
  /** One matcher per regex per thread, reset for each URL: matching allocates nothing. */
  private final ThreadLocal<Matcher[]> matchers;

  private PropagationTargets(boolean matchesAll, Needle[] literals, RegexTarget[] regexes) {
    this.matchesAll = matchesAll;
    this.literals = literals;
    this.regexes = regexes;
    int longest = 0;
    for (Needle n : literals) longest = Math.max(longest, n.lower.length());
    for (RegexTarget r : regexes) if (r.requiredLiteral != null) longest = Math.max(longest, r.requiredLiteral.lower.length());
    this.longestNeedle = longest;
    this.matchers =
        ThreadLocal.withInitial(
            () -> {
              // [i]: the regex as configured; [n + i]: its case-sensitive twin, when it has one.
              int n = regexes.length;
              Matcher[] m = new Matcher[2 * n];
              for (int i = 0; i < n; i++) {
                m[i] = regexes[i].pattern.matcher("");
                if (regexes[i].caseSensitive != null) m[n + i] = regexes[i].caseSensitive.matcher("");
              }
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
        Pattern p = (Pattern) target;
        regexes.add(RegexTarget.find(p));
      } else if (target instanceof String) {
        String s = (String) target;
        if (s.equals(".*") || s.equals("^.*$") || s.isEmpty()) {
          matchesAll = true;
          continue;
        }
        literals.add(new Needle(Strings.lowerAscii(s)));
        // Without metacharacters the whole-URL regex is plain equality, which containment covers.
        if (!RegexLiterals.hasMetacharacters(s)) continue;
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

  /** Whether trace headers go to {@code url}. Null never matches. Allocates nothing. */
  public boolean matches(CharSequence url) {
    if (matchesAll) return true;
    if (url == null) return false;
    // Most URLs have no upper case (OkHttp lower-cases hosts): then ignoring case is a plain
    // String.contains of the lower-case needle, a JDK intrinsic. Try that first.
    String s = url instanceof String ? (String) url : null;
    if (s != null) {
      for (Needle literal : literals) {
        if (s.contains(literal.lower)) return true;
      }
    }
    // Where contains() missed, a match that ignores case must cover an upper-case char: the
    // search starts near the first one (often deep in the query), or not at all. From there on,
    // the URL is lower-cased once and every needle looked up in it with the intrinsic.
    int firstUpper = s == null ? 0 : firstUpperCase(s);
    StringBuilder folded = null;
    if (firstUpper >= 0 && longestNeedle > 0) {
      int from = Math.max(0, firstUpper - longestNeedle + 1);
      if (s != null && s.length() - from <= FOLD_LIMIT) {
        folded = fold(s, from, firstUpper);
        for (Needle literal : literals) {
          if (folded.indexOf(literal.lower) >= 0) return true;
        }
      } else {
        for (Needle literal : literals) {
          if (literal.isIn(url, firstUpper)) return true;
        }
      }
    }
    if (regexes.length == 0) return false;
    Matcher[] m = null;
    int length = url.length();
    for (int i = 0; i < regexes.length; i++) {
      RegexTarget regex = regexes[i];
      if (regex.fixedLength >= 0 && length != regex.fixedLength && !hasCodePoints(url, regex.fixedLength)) continue;
      Needle required = regex.requiredLiteral;
      if (required != null
          && !(s != null && s.contains(required.lower))
          && !(firstUpper >= 0
              && (folded != null ? folded.indexOf(required.lower) >= 0 : required.isIn(url, firstUpper)))) {
        continue;
      }
      if (m == null) m = matchers.get();
      boolean caseSensitive = firstUpper < 0 && regex.caseSensitive != null;
      Matcher matcher = (caseSensitive ? m[regexes.length + i] : m[i]).reset(url);
      boolean found;
      switch (regex.run) {
        case TAIL:
          found = matcher.find() && !hasLineTerminator(url, 0, matcher.start());
          break;
        case HEAD:
          // The rest after this match is what .* must cover; otherwise the regex itself decides.
          found = matcher.lookingAt()
              && (!hasLineTerminator(url, matcher.end(), length) || regex.matchesAsConfigured(url));
          break;
        case INFIX:
          found = matcher.find()
              && (!(hasLineTerminator(url, 0, matcher.start()) || hasLineTerminator(url, matcher.end(), length))
                  || regex.matchesAsConfigured(url));
          break;
        case MATCH:
          found = matcher.matches();
          break;
        default:
          found = matcher.find();
      }
      matcher.reset(""); // do not keep the URL reachable from this thread
      if (found) return true;
    }
    return false;
  }

  /**
   * {@code s} from {@code from} on, ASCII lower case, in this thread's buffer: copied in bulk, then
   * the upper-case chars (none before {@code firstUpper}) replaced.
   */
  private static StringBuilder fold(String s, int from, int firstUpper) {
    StringBuilder b = FOLDED.get();
    b.setLength(0);
    b.append(s, from, s.length());
    for (int i = Math.max(firstUpper, from), n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') b.setCharAt(i - from, (char) (c + ('a' - 'A')));
    }
    return b;
  }

  /** The index of the first ASCII upper-case char, or -1. */
  private static int firstUpperCase(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') return i;
    }
    return -1;
  }

  private static final char[] LINE_TERMINATORS = {'\n', '\r', '\u0085', '\u2028', '\u2029'};

  /** Whether {@code s[from, to)} has a char {@code .} does not match (one vectorised sweep per kind). */
  private static boolean hasLineTerminator(CharSequence s, int from, int to) {
    if (from >= to) return false;
    if (s instanceof String) {
      String str = (String) s;
      for (char t : LINE_TERMINATORS) {
        int i = str.indexOf(t, from);
        if (i >= 0 && i < to) return true;
      }
      return false;
    }
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') return true;
    }
    return false;
  }

  /**
   * Whether {@code url} has exactly {@code codePoints} code points although its length in chars
   * differs (surrogate pairs). A String counts them without a scan when it has none.
   */
  private static boolean hasCodePoints(CharSequence url, int codePoints) {
    int length = url.length();
    if (length < codePoints || length > 2 * codePoints) return false;
    return url instanceof String
        ? ((String) url).codePointCount(0, length) == codePoints
        : Character.codePointCount(url, 0, length) == codePoints;
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
