package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The pre-filter of {@link PropagationTargets}: a URL without a regex's required literal skips the
 * regex, so the literal must be in every URL the regex matches, or a target would silently stop
 * matching.
 */
class RegexLiteralsTest {
  static final int CANDIDATES_PER_REGEX = 3_000;

  /** A regex with URLs it matches, to mutate into many more (some matching, some not). */
  static final class Case {
    final String regex;
    final int flags;
    final List<String> seeds;

    Case(String regex, int flags, String... seeds) {
      this.regex = regex;
      this.flags = flags;
      this.seeds = List.of(seeds);
    }
  }

  static final List<Case> CASES = List.of(
      new Case("^https://api\\.example\\.com/v[0-9]+/.*", 0, "https://api.example.com/v1/users", "HTTPS://API.EXAMPLE.COM/V22/"),
      new Case("api\\.example\\.com", 0, "https://api.example.com/v1", "http://x/API.EXAMPLE.COM"),
      new Case("^(http|https)://api\\..*$", 0, "http://api.foo.bar:8080/foo", "https://api.x"),
      new Case("myApi.com/v[2-4]", 0, "myApi.com/v2/projects", "https://myapiXcom/v4"),
      new Case("^/", 0, "/api/envelopes"),
      new Case("https?://local(host)?:80[0-9]{2}/", 0, "http://localhost:8080/", "https://local:8099/x"),
      new Case("colou?r\\.example", 0, "https://color.example/", "https://colour.example/"),
      new Case("ab+c\\.io", 0, "https://abc.io", "https://abbbbc.io/x"),
      new Case("x{2}yz\\.net", 0, "https://xxyz.net"),
      new Case("[a-z]+\\.example\\.org/(a|b)/", 0, "https://www.example.org/a/", "https://q.example.org/b/x"),
      new Case("\\d+-\\w+\\.svc\\b", 0, "http://12-abc.svc/", "http://9-q.svc"),
      new Case("api(?=\\.)\\.internal", 0, "https://api.internal/"),
      new Case("(?<host>svc)\\.\\k<host>\\.local", 0, "http://svc.svc.local/"),
      new Case("\\x41pi\\.example", 0, "https://Api.example/", "https://api.example/"),
      new Case("\\u0041pi\\.example", 0, "https://Api.example/"),
      new Case("\\0101pi\\.example", 0, "https://Api.example/"),
      new Case("\\p{L}pi\\.example", 0, "https://api.example/", "https://épi.example/"),
      new Case("\\pLpi\\.example", 0, "https://api.example/", "https://épi.example/"),
      new Case("\\cJapi\\.example", 0, "https://\napi.example/"),
      new Case("\\x{41}pi\\.example", 0, "https://Api.example/"),
      new Case("a\\.?b\\.c[.]d", 0, "https://ab.c.d/", "https://a.b.c.d/"),
      new Case("café\\.example", 0, "https://café.example/"),
      new Case("ask\\.example", Pattern.UNICODE_CASE, "https://ask.example/", "https://aſk.example/", "https://asK.example/"),
      new Case("api . example", Pattern.COMMENTS, "https://api.example/", "https://apiXexample/"),
      new Case("foo|bar\\.example", 0, "https://foo/", "https://bar.example/"),
      new Case("(?i)api\\.example", 0, "https://API.example/"),
      new Case("\\Qapi.example\\E/v1", 0, "https://api.example/v1"),
      new Case("a.*?b\\*\\+c", 0, "https://aXb*+c", "https://ab*+c"),
      new Case("api.example.com", 0, "api.example.com", "apiXexample.com"),
      new Case("localhost:80[0-9]\\d", 0, "localhost:8080", "LOCALHOST:8099"),
      new Case("^[a-z]pi\\.ex\\wmple\\.com$", 0, "api.example.com", "xpi.ex_mple.com"),
      new Case("h.llo\\.\\S", 0, "h😀llo.x", "hello.x"),
      new Case(".*\\.svc\\.cluster\\.local(:[0-9]+)?/.*", 0, "http://orders.svc.cluster.local:8080/v1", "x\n.svc.cluster.local/"),
      new Case(".*a|b", 0, "xa", "b", "xb"),
      new Case("^https?://[a-z]+\\.shop\\.net(:[0-9]+)?/.*", 0, "https://eu.shop.net/cart", "http://x.shop.net:81/\n"),
      new Case("a\\n?b.*", 0, "a\nbc", "abx", "a\nb\nc"),
      new Case(".*x\\r?y.*", 0, "wx\ryz", "xy", "q\nxy"),
      new Case(".*(ab)\\1c", 0, "zzababc", "ababc"));

  /** Pieces to build and mutate URLs from: URL syntax, case and Unicode look-alikes, noise. */
  private static final String[] TOKENS = {
    "https://", "http://", "api", "API", ".", "example", "com", "/", "v", "1", "2", "9", "x", "-", ":",
    "8080", "local", "host", "a", "b", "c", "ab", "u", "colo", "r", "svc", "ſ", "K", "é", "\n", " ",
    "*", "+", "?", "%2F", "internal", "net", "org", "www", "xx", "yz", "io", "A", "Api", "épi"
  };

  @TestFactory
  Stream<DynamicTest> requiredLiteralIsInEveryUrlTheRegexMatches() {
    return CASES.stream().flatMap(c -> Stream.of(
        DynamicTest.dynamicTest("find /" + c.regex + "/ flags=" + c.flags, () -> check(c, false)),
        DynamicTest.dynamicTest("matches /" + c.regex + "/ flags=" + c.flags, () -> check(c, true))));
  }

  private static void check(Case c, boolean fullMatch) {
    // The flags PropagationTargets compiles with.
    Pattern pattern = Pattern.compile(c.regex, c.flags | Pattern.CASE_INSENSITIVE);
    String required = RegexLiterals.required(pattern);
    Random random = new Random(c.regex.hashCode() * 31L + (fullMatch ? 1 : 0));
    int matched = 0;
    int matchingSeeds = 0;
    Pattern twin =
        (pattern.flags() & Pattern.UNICODE_CASE) == 0 && RegexLiterals.isCaseFree(c.regex)
            ? Pattern.compile(c.regex, pattern.flags() & ~Pattern.CASE_INSENSITIVE)
            : null;
    for (int n = 0; n < CANDIDATES_PER_REGEX; n++) {
      String url = n < c.seeds.size() ? c.seeds.get(n) : candidate(c, random, n);
      boolean matches = fullMatch ? pattern.matcher(url).matches() : pattern.matcher(url).find();
      Pattern tail = fullMatch ? RegexLiterals.tailOfLeadingDotStar(pattern) : null;
      if (tail != null) {
        java.util.regex.Matcher t = tail.matcher(url);
        boolean tailMatches = t.find() && url.substring(0, t.start()).chars().noneMatch(ch -> "\n\r\u0085\u2028\u2029".indexOf(ch) >= 0);
        assertThat(tailMatches).as("tail of /%s/ on %s", c.regex, url).isEqualTo(matches);
      }
      Pattern plain = Pattern.compile(RegexLiterals.withoutCaptures(c.regex), pattern.flags());
      boolean plainMatches = fullMatch ? plain.matcher(url).matches() : plain.matcher(url).find();
      assertThat(plainMatches).as("/%s/ without captures on %s", plain, url).isEqualTo(matches);
      RegexLiterals.DotStarCore core = fullMatch ? RegexLiterals.dotStarCore(pattern) : null;
      if (core != null) {
        java.util.regex.Matcher m = core.core.matcher(url);
        boolean coreFound = core.anywhere ? m.find() : m.lookingAt();
        boolean noTerminator = url.chars().noneMatch(ch -> "\n\r\u0085\u2028\u2029".indexOf(ch) >= 0);
        // The shortcut's answer: the core decides, unless a line terminator sends it back to the regex.
        boolean shortcut = coreFound && (noTerminator || matches);
        assertThat(shortcut).as("core of /%s/ on %s", c.regex, url).isEqualTo(matches);
        if (noTerminator) assertThat(coreFound).as("core of /%s/ alone on %s", c.regex, url).isEqualTo(matches);
      }
      if (twin != null && lowerAscii(url).equals(url)) {
        boolean twinMatches = fullMatch ? twin.matcher(url).matches() : twin.matcher(url).find();
        assertThat(twinMatches).as("case-sensitive twin of /%s/ on %s", c.regex, url).isEqualTo(matches);
      }
      if (!matches) continue;
      matched++;
      if (n < c.seeds.size()) matchingSeeds++;
      if (required != null) {
        assertThat(lowerAscii(url)).as("/%s/ matches %s", c.regex, url).contains(required);
      }
      int fixedLength = RegexLiterals.fixedLength(pattern);
      if (fullMatch && fixedLength >= 0) {
        assertThat(url.codePointCount(0, url.length())).as("/%s/ matches %s", c.regex, url).isEqualTo(fixedLength);
      }
    }
    // Not vacuous: the seeds and their mutations hit the regex many times.
    if (!fullMatch) assertThat(matchingSeeds).as("seeds found").isEqualTo(c.seeds.size());
    if (matchingSeeds > 0) assertThat(matched).as("matching candidates").isGreaterThanOrEqualTo(20);
  }

  /** URL {@code n} for {@code c}: tokens strung together, or a seed with a few edits. */
  static String candidate(Case c, Random random, int n) {
    if (n % 3 == 0) {
      StringBuilder b = new StringBuilder();
      int parts = 1 + random.nextInt(8);
      for (int i = 0; i < parts; i++) b.append(TOKENS[random.nextInt(TOKENS.length)]);
      return b.toString();
    }
    StringBuilder b = new StringBuilder(c.seeds.get(random.nextInt(c.seeds.size())));
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int at = random.nextInt(b.length() + 1);
      switch (random.nextInt(5)) {
        case 0: // flip the case of one char
          if (at < b.length()) {
            char ch = b.charAt(at);
            b.setCharAt(at, Character.isUpperCase(ch) ? Character.toLowerCase(ch) : Character.toUpperCase(ch));
          }
          break;
        case 1:
          b.insert(at, TOKENS[random.nextInt(TOKENS.length)]);
          break;
        case 2:
          if (at < b.length()) b.deleteCharAt(at);
          break;
        case 3: // prefix or suffix noise: find() still matches
          if (random.nextBoolean()) b.insert(0, TOKENS[random.nextInt(TOKENS.length)]);
          else b.append(TOKENS[random.nextInt(TOKENS.length)]);
          break;
        default:
          if (at < b.length()) b.setCharAt(at, TOKENS[random.nextInt(TOKENS.length)].charAt(0));
      }
    }
    return b.toString();
  }

  /** ASCII lower case, written out here rather than taken from the code under test. */
  static String lowerAscii(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      b.append(ch >= 'A' && ch <= 'Z' ? (char) (ch + 32) : ch);
    }
    return b.toString();
  }

  // ---- known answers ----

  @Test
  void fixedLengthCountsSingleCharAtomsAndIgnoresAnchors() {
    assertThat(RegexLiterals.fixedLength(Pattern.compile("api.example.com"))).isEqualTo(15);
    assertThat(RegexLiterals.fixedLength(Pattern.compile("^localhost:80[0-9]\\d$"))).isEqualTo(14);
    assertThat(RegexLiterals.fixedLength(Pattern.compile("a\\.b[xyz]\\s"))).isEqualTo(5);
  }

  @Test
  void fixedLengthIsUnknownForQuantifiersGroupsAndLetterEscapes() {
    for (String re : List.of("api\\.example\\.com/.*", "a?b", "a+", "x{2}", "(ab)", "a|b", "\\x41", "\\Qa.b\\E", "\\p{L}", "\\bapi")) {
      assertThat(RegexLiterals.fixedLength(Pattern.compile(re))).as(re).isEqualTo(-1);
    }
    assertThat(RegexLiterals.fixedLength(Pattern.compile("a.b", Pattern.COMMENTS))).isEqualTo(-1);
  }

  @Test
  void aTrailingDotStarLeavesItsCoreToLookAtOrFind() {
    RegexLiterals.DotStarCore head = RegexLiterals.dotStarCore(Pattern.compile("^https://api\\.example\\.com/v[0-9]+/.*"));
    assertThat(head.core.pattern()).isEqualTo("^https://api\\.example\\.com/v[0-9]+/");
    assertThat(head.anywhere).isFalse();
    RegexLiterals.DotStarCore infix = RegexLiterals.dotStarCore(Pattern.compile(".*\\.svc\\.cluster\\.local(:[0-9]+)?/.*"));
    assertThat(infix.core.pattern()).isEqualTo("\\.svc\\.cluster\\.local(:[0-9]+)?/");
    assertThat(infix.anywhere).isTrue();
    for (String re : List.of(".*", ".*.*", "a\\.*", "a.*?", "a.*+", "a|b.*", "\\Qa.*", "a.*b", ".*?a.*")) {
      assertThat(RegexLiterals.dotStarCore(Pattern.compile(re))).as(re).isNull();
    }
    assertThat(RegexLiterals.dotStarCore(Pattern.compile("a.*", Pattern.DOTALL))).isNull();
    assertThat(RegexLiterals.dotStarCore(Pattern.compile("a.*", Pattern.MULTILINE))).isNull();
  }

  @Test
  void capturingGroupsBecomeNonCapturingUnlessReferredTo() {
    assertThat(RegexLiterals.withoutCaptures("^https?://([a-z0-9-]+\\.)*shop(:[0-9]+)?/"))
        .isEqualTo("^https?://(?:[a-z0-9-]+\\.)*shop(?::[0-9]+)?/");
    assertThat(RegexLiterals.withoutCaptures("(?<host>api)\\.x[(]\\(y(?=z)(?<=a)(?<!b)"))
        .isEqualTo("(?:api)\\.x[(]\\(y(?=z)(?<=a)(?<!b)");
    for (String re : List.of("(a)\\1", "(?<h>a)\\k<h>", "\\Q(a)\\E", "no groups")) {
      assertThat(RegexLiterals.withoutCaptures(re)).as(re).isEqualTo(re);
    }
  }

  @Test
  void onlyAGreedyLeadingDotStarWithoutAlternationHasATail() {
    assertThat(RegexLiterals.tailOfLeadingDotStar(Pattern.compile(".*\\.svc/.*")).pattern()).isEqualTo("(?:\\.svc/.*)\\z");
    for (String re : List.of(".*", ".*?x", ".*+x", "a.*x", ".*a|b")) {
      assertThat(RegexLiterals.tailOfLeadingDotStar(Pattern.compile(re))).as(re).isNull();
    }
    assertThat(RegexLiterals.tailOfLeadingDotStar(Pattern.compile(".*x", Pattern.DOTALL))).isNull();
  }

  @Test
  void caseFreeSourcesNameNoUpperCaseLetter() {
    assertThat(RegexLiterals.isCaseFree("^https://api\\.example\\.com/v[0-9]+/.*")).isTrue();
    for (String re : List.of("API", "[A-Z]", "\\x41pi", "\\u0041", "\\0101", "\\cJ", "\\p{Lu}", "\\N{LATIN CAPITAL LETTER A}")) {
      assertThat(RegexLiterals.isCaseFree(re)).as(re).isFalse();
    }
  }

  @Test
  void plainHostsHaveNoMetacharacters() {
    assertThat(RegexLiterals.hasMetacharacters("localhost")).isFalse();
    assertThat(RegexLiterals.hasMetacharacters("my-api/v1")).isFalse();
    assertThat(RegexLiterals.hasMetacharacters("api.example.com")).isTrue();
    assertThat(RegexLiterals.hasMetacharacters("^/")).isTrue();
  }

  @Test
  void findsTheLongestLiteralOfAnAnchoredUrlRegex() {
    assertThat(RegexLiterals.required(Pattern.compile("^https://api\\.example\\.com/v[0-9]+/.*")))
        .isEqualTo("https://api.example.com/v");
  }

  @Test
  void lowerCasesTheLiteral() {
    assertThat(RegexLiterals.required(Pattern.compile("MyApi\\.COM/v[2-4]"))).isEqualTo("myapi.com/v");
    assertThat(RegexLiterals.required(Pattern.compile("API\\.Example"))).isEqualTo("api.example");
  }

  @Test
  void dropsAnOptionalOrRepeatedAtom() {
    assertThat(RegexLiterals.required(Pattern.compile("colou?r"))).isEqualTo("colo");
    assertThat(RegexLiterals.required(Pattern.compile("abcd*e"))).isEqualTo("abc");
    assertThat(RegexLiterals.required(Pattern.compile("abcd{0,2}e"))).isEqualTo("abc");
    assertThat(RegexLiterals.required(Pattern.compile("abcd+e"))).isEqualTo("abcd");
  }

  @Test
  void findsNothingForAlternation() {
    assertThat(RegexLiterals.required(Pattern.compile("api\\.example\\.com|localhost"))).isNull();
  }

  @Test
  void findsNothingForInlineFlagsQuotesOrUnusualFlags() {
    assertThat(RegexLiterals.required(Pattern.compile("(?i)api\\.example"))).isNull();
    assertThat(RegexLiterals.required(Pattern.compile("\\Qapi.example\\E"))).isNull();
    assertThat(RegexLiterals.required(Pattern.compile("api.example", Pattern.LITERAL))).isNull();
    assertThat(RegexLiterals.required(Pattern.compile("api . example", Pattern.COMMENTS))).isNull();
    assertThat(RegexLiterals.required(Pattern.compile("ask", Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE))).isNull();
  }

  @Test
  void findsNothingWhenThereIsNoLiteral() {
    assertThat(RegexLiterals.required(Pattern.compile(".*"))).isNull();
    assertThat(RegexLiterals.required(Pattern.compile("^[a-z]+$"))).isNull();
    assertThat(RegexLiterals.required(Pattern.compile("\\d\\w\\s"))).isNull();
  }

  @Test
  void skipsWholeEscapesAndGroups() {
    assertThat(RegexLiterals.required(Pattern.compile("\\x41pi\\.example"))).isEqualTo("pi.example");
    assertThat(RegexLiterals.required(Pattern.compile("(?<h>svc)\\.\\k<h>\\.local"))).isEqualTo(".local");
    assertThat(RegexLiterals.required(Pattern.compile("(a|b)c\\.de[f|g]"))).isEqualTo("c.de");
  }
}
