package io.sentrytrace.internal.regex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentrytrace.test.Work;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The DFA must give java.util.regex's answer for every input: checked on the target regexes of
 * {@link RegexCases} with their generated URLs, and on random regexes of the syntax it takes
 * against random strings full of what differs between engines (case, ranges that span A-Z, Latin-1
 * and wider letters, line terminators, surrogate pairs and lone surrogates, anchors anywhere). Each
 * regex runs on both engines: the table built ahead of time, and the automaton built as it runs with
 * a cache so small that it is emptied all the time.
 *
 * <p>CI runs a fixed seed; a larger run: {@code mvn -pl sentry-trace-core test
 * -Dtest=RegexDfaTest#answersAsJavaUtilRegexOnRandomRegexes -Dsentrytrace.dfa.regexes=200000
 * -Dsentrytrace.dfa.seed=7}.
 */
class RegexDfaTest {
  private static final int REGEXES = Integer.getInteger("sentrytrace.dfa.regexes", 1_500);
  private static final long SEED = Long.getLong("sentrytrace.dfa.seed", 14);

  /** The two engines of one regex. */
  private static RegexDfa[] engines(Pattern pattern, boolean fullMatch) throws RegexDfa.Unsupported {
    return new RegexDfa[] {RegexDfa.compile(pattern, fullMatch), RegexDfa.compile(pattern, fullMatch, 0, 3)};
  }

  @TestFactory
  Stream<DynamicTest> answersAsJavaUtilRegexOnTheTargetRegexes() {
    return RegexCases.CASES.stream().flatMap(c -> Stream.of(
        DynamicTest.dynamicTest("find /" + c.regex + "/ flags=" + c.flags, () -> check(c, false)),
        DynamicTest.dynamicTest("matches /" + c.regex + "/ flags=" + c.flags, () -> check(c, true))));
  }

  private static void check(RegexCases.Case c, boolean fullMatch) throws Exception {
    Pattern pattern = Pattern.compile(c.regex, c.flags | Pattern.CASE_INSENSITIVE);
    RegexDfa[] engines;
    try {
      engines = engines(pattern, fullMatch);
    } catch (RegexDfa.Unsupported e) {
      return; // java.util.regex answers: nothing to compare
    }
    Random random = new Random(c.regex.hashCode() * 31L + (fullMatch ? 1 : 0));
    int matched = 0;
    for (int n = 0; n < RegexCases.CANDIDATES_PER_REGEX; n++) {
      String url = n < c.seeds.size() ? c.seeds.get(n) : RegexCases.candidate(c, random, n);
      boolean expected = fullMatch ? pattern.matcher(url).matches() : pattern.matcher(url).find();
      for (RegexDfa dfa : engines) {
        assertThat(dfa.matches(url)).as("/%s/ %s on %s", c.regex, fullMatch ? "matches" : "find", url).isEqualTo(expected);
      }
      if (expected) matched++;
    }
    // Not vacuous: as a whole, most of these regexes match only their bare seeds, which the
    // candidates rarely are; find() matched many.
    if (!fullMatch) assertThat(matched).as("matching candidates of /%s/", c.regex).isGreaterThanOrEqualTo(20);
  }

  @Test
  void answersAsJavaUtilRegexOnRandomRegexes() throws Exception {
    Random random = new Random(SEED);
    int compiled = 0;
    int compared = 0;
    int matched = 0;
    for (int r = 0; r < REGEXES; r++) {
      String regex = randomRegex(random);
      for (int flags : new int[] {0, Pattern.CASE_INSENSITIVE}) {
        Pattern pattern;
        try {
          pattern = Pattern.compile(regex, flags);
        } catch (java.util.regex.PatternSyntaxException e) {
          continue; // e.g. a group name drawn twice
        }
        for (boolean fullMatch : new boolean[] {false, true}) {
          RegexDfa[] engines;
          try {
            engines = engines(pattern, fullMatch);
          } catch (RegexDfa.Unsupported e) {
            continue;
          }
          compiled++;
          for (int s = 0; s < 120; s++) {
            String input = randomInput(random);
            boolean expected = fullMatch ? pattern.matcher(input).matches() : pattern.matcher(input).find();
            // The automaton built as it runs (with a cache emptied all the time) on every 4th input.
            for (RegexDfa dfa : s % 4 == 0 ? engines : new RegexDfa[] {engines[0]}) {
              assertThat(dfa.matches(input))
                  .as("/%s/ flags=%d %s on \"%s\" (%s)", regex, flags, fullMatch ? "matches" : "find", escape(input),
                      dfa.buildsAsItRuns() ? "built as it runs" : "table")
                  .isEqualTo(expected);
            }
            compared++;
            if (expected) matched++;
          }
        }
      }
    }
    // Not vacuous: nearly every random regex is in the syntax the DFA takes, and many inputs match.
    assertThat(compiled).isGreaterThan(REGEXES * 3);
    assertThat(compared).isGreaterThan(REGEXES * 300);
    assertThat(matched).isGreaterThan(compared / 10);
  }

  @Test
  void compilesTheShapesOfUrlTargets() throws Exception {
    for (String re : List.of(
        "^https://api\\.example\\.com/v[0-9]+/.*",
        "^https?://([a-z0-9-]+\\.)*shop\\.example\\.net(:[0-9]+)?/.*",
        ".*\\.svc\\.cluster\\.local(:[0-9]+)?/.*",
        "^https://cdn[0-9]*\\.example\\.io/assets/.*",
        "^(http|https)://api\\..*$",
        "(?<host>api|www)\\.example\\.(?:com|org)/v\\d{1,3}/[^/?#]+",
        "localhost:80[0-9]\\d",
        "[\\w.-]+@[\\w-]+\\.\\w{2,}",
        // anchors beside alternation, numeric escapes and quoting: taken since issue 18
        "^https://api\\.example\\.com/|^http://[^.-_]+/",
        "a|^b", "a$|b", "a^b", "a$b", "^$",
        "\\x41pi", "\\x{41}pi", "\\u0041pi", "\\0101pi", "\\056|internal", "\\cJ", "\\Qapi.example.com\\E/v1",
        "^https://api\\.example\\.com/(\\w*/?)*?/v1$")) {
      for (boolean fullMatch : new boolean[] {false, true}) {
        RegexDfa.compile(Pattern.compile(re, Pattern.CASE_INSENSITIVE), fullMatch); // throws if not taken
      }
    }
  }

  @Test
  void namesTheConstructItDoesNotTake() {
    Map<String, String> constructs = Map.ofEntries(
        Map.entry("(a)\\1", "the escape \\1"),
        Map.entry("(?<h>a)\\k<h>", "the escape \\k"),
        Map.entry("a(?=b)", "look-ahead (?="),
        Map.entry("a(?!b)", "look-ahead (?!"),
        Map.entry("(?<=a)b", "look-behind (?<="),
        Map.entry("(?>a+)b", "an atomic group (?>"),
        Map.entry("a++", "a possessive quantifier"),
        Map.entry("(?i)a", "inline flags (?i"),
        Map.entry("x(?-s:.)", "inline flags (?-"),
        Map.entry("\\bapi", "the escape \\b"),
        Map.entry("\\p{L}", "the escape \\p"),
        Map.entry("[a[b]]", "a nested class"),
        Map.entry("[a-z&&[^x]]", "a class intersection &&"),
        Map.entry("\\Aapi", "the escape \\A"),
        Map.entry("\u0100", "a char above U+00FF"),
        Map.entry("\uD83D\uDE00", "a char above U+00FF"),
        Map.entry("\\u0100", "a char above U+00FF"),
        Map.entry("a{65}", "a count over 64"),
        Map.entry("^*a", "a quantified ^"),
        Map.entry("(^a)+", "an anchor in a repeated group"),
        Map.entry("(?:x|$){2}", "an anchor in a repeated group"),
        Map.entry("\\R", "the escape \\R"));
    constructs.forEach((re, construct) ->
        assertThatThrownBy(() -> RegexDfa.compile(Pattern.compile(re, Pattern.CASE_INSENSITIVE), false))
            .as(re)
            .isInstanceOf(RegexDfa.Unsupported.class)
            .hasMessage(construct));
    for (int flags : new int[] {Pattern.UNICODE_CASE | Pattern.CASE_INSENSITIVE, Pattern.DOTALL, Pattern.MULTILINE,
        Pattern.COMMENTS, Pattern.LITERAL, Pattern.UNIX_LINES, Pattern.UNICODE_CHARACTER_CLASS}) {
      assertThatThrownBy(() -> RegexDfa.compile(Pattern.compile("api\\.example", flags), false))
          .as("flags %d", flags)
          .hasMessageStartingWith("the flag ");
    }
  }

  @Test
  void readsASurrogatePairAsOneCodePointAndALoneSurrogateAsItself() throws Exception {
    RegexDfa dot = RegexDfa.compile(Pattern.compile("h.llo"), true);
    assertThat(dot.matches("h\uD83D\uDE00llo")).isTrue();
    assertThat(dot.matches("h\uD83Dllo")).isTrue();
    assertThat(dot.matches("h\uDE00\uD83Dllo")).isFalse(); // low then high: two chars
    assertThat(dot.matches("hällo")).isTrue();
    RegexDfa two = RegexDfa.compile(Pattern.compile("h.{2}llo"), true);
    assertThat(two.matches("h\uD83D\uDE00llo")).isFalse();
    assertThat(two.matches("h\uD83D\uDE00\uD83D\uDE00llo")).isTrue(); // two code points
    assertThat(two.matches("h\uD83D\uDE00xllo")).isTrue();
  }

  @Test
  void dollarInFindAlsoMatchesBeforeALineTerminatorThatEndsTheInput() throws Exception {
    RegexDfa dfa = RegexDfa.compile(Pattern.compile("/v1$"), false);
    assertThat(dfa.matches("https://x/v1")).isTrue();
    assertThat(dfa.matches("https://x/v1\n")).isTrue();
    assertThat(dfa.matches("https://x/v1\r\n")).isTrue();
    assertThat(dfa.matches("https://x/v1\u2029")).isTrue();
    assertThat(dfa.matches("https://x/v1\n\n")).isFalse();
    assertThat(dfa.matches("https://x/v2\n")).isFalse();
    assertThat(dfa.matches("https://x/v1/")).isFalse();
    // matches(): $ before the terminator leaves it to be read by what follows.
    assertThat(RegexDfa.compile(Pattern.compile("a$\\n"), true).matches("a\n")).isTrue();
    assertThat(RegexDfa.compile(Pattern.compile("a$"), true).matches("a\n")).isFalse();
    assertThat(RegexDfa.compile(Pattern.compile("$^"), false).matches("\n")).isTrue();
  }

  @Test
  void anchorsBesideAlternationBindToTheirOwnOption() throws Exception {
    // ^https://api\.example\.com/|^http://[^.-_]+/ : [.-_] spans A-Z, so ignoring case it has every letter.
    RegexDfa dfa = RegexDfa.compile(Pattern.compile("^https://api\\.example\\.com/|^http://[^.-_]+/", Pattern.CASE_INSENSITIVE), false);
    assertThat(dfa.matches("http://evil/v1")).isFalse();
    assertThat(dfa.matches("https://api.example.com/v1")).isTrue();
    assertThat(dfa.matches("x https://api.example.com/v1")).isFalse();
    RegexDfa either = RegexDfa.compile(Pattern.compile("^a|b$"), false);
    assertThat(either.matches("ax")).isTrue();
    assertThat(either.matches("xb")).isTrue();
    assertThat(either.matches("xa")).isFalse();
    assertThat(either.matches("bx")).isFalse();
  }

  @Test
  void aBigAutomatonIsBuiltAsItRunsAndStaysLinear() throws Exception {
    // The 13th char from the end is an a: 8,192 states as a table.
    Pattern pattern = Pattern.compile("(a|b)*a(a|b){12}");
    RegexDfa dfa = RegexDfa.compile(pattern, true);
    assertThat(dfa.buildsAsItRuns()).isTrue();
    Random random = new Random(3);
    for (int i = 0; i < 2_000; i++) {
      StringBuilder b = new StringBuilder();
      for (int k = random.nextInt(40); k > 0; k--) b.append(random.nextBoolean() ? 'a' : 'b');
      assertThat(dfa.matches(b)).as(b.toString()).isEqualTo(pattern.matcher(b).matches());
    }
    String input = "ab".repeat(5_000);
    assertThat(Work.charsRead(input, dfa::matches)).isLessThanOrEqualTo(input.length());
  }

  @Test
  void stopsReadingOnceTheAnswerIsKnown() throws Exception {
    String tail = "x".repeat(10_000);
    // Past the prefix every continuation matches; a wrong scheme cannot match.
    RegexDfa head = RegexDfa.compile(Pattern.compile("^https://api\\.example\\.com/[\\s\\S]*", Pattern.CASE_INSENSITIVE), true);
    assertThat(Work.charsRead("https://API.example.com/" + tail, chars -> assertThat(head.matches(chars)).isTrue()))
        .isEqualTo("https://api.example.com/".length());
    assertThat(Work.charsRead("http://api.example.com/" + tail, chars -> assertThat(head.matches(chars)).isFalse()))
        .isEqualTo("https".length());
    // find() stops at the first match.
    RegexDfa find = RegexDfa.compile(Pattern.compile("\\.svc\\.cluster\\.local/"), false);
    assertThat(Work.charsRead("http://a.svc.cluster.local/" + tail, chars -> assertThat(find.matches(chars)).isTrue()))
        .isEqualTo("http://a.svc.cluster.local/".length());
  }

  @Test
  void aTrailingDotStarOnlyLooksForLineTerminators() throws Exception {
    RegexDfa dotStar = RegexDfa.compile(Pattern.compile("^https://api\\.example\\.com/.*", Pattern.CASE_INSENSITIVE), true);
    assertThat(dotStar.matches("https://api.example.com/" + "x".repeat(100))).isTrue();
    assertThat(dotStar.matches("https://api.example.com/x\ny")).isFalse();
    assertThat(dotStar.matches("https://api.example.com/x\u2028")).isFalse();
    // A terminator the regex allows for: the run goes on through it.
    RegexDfa lines = RegexDfa.compile(Pattern.compile("a/.*(\\n.*)?"), true);
    assertThat(lines.matches("a/xy\nz")).isTrue();
    assertThat(lines.matches("a/xy\nz\n")).isFalse();
  }

  @Test
  void readsEachCharAtMostTwice() throws Exception {
    for (String re : List.of(".*(a|ab)*c\\d{2,5}x", "^https://api\\.example\\.com/(\\w*/?)*?/v1$", "(a|aa)+$", "^(\\w+\\.?)+!$")) {
      for (boolean fullMatch : new boolean[] {false, true}) {
        for (RegexDfa dfa : engines(Pattern.compile(re, Pattern.CASE_INSENSITIVE), fullMatch)) {
          for (String input : List.of("ab".repeat(5_000), "abc1".repeat(3_000), "https://api.example.com/" + "a".repeat(5_000) + "\uD83D\uDE00",
              "a/".repeat(3_000) + "\n", "")) {
            // A trailing .* scans for line terminators before it reads on: at most twice per char.
            assertThat(Work.charsRead(input, dfa::matches)).as("/%s/", re).isLessThanOrEqualTo(2L * input.length());
          }
        }
      }
    }
  }

  @Test
  void requiredLiteralIsTextEveryMatchContains() throws Exception {
    assertThat(literal("^https://api\\.example\\.com/v[0-9]+/.*")).isEqualTo("https://api.example.com/v");
    assertThat(literal("MyApi\\.COM/v[2-4]")).isEqualTo("myapi.com/v");
    assertThat(literal("colou?r")).isEqualTo("colo");
    assertThat(literal("abcd*e")).isEqualTo("abc");
    assertThat(literal("(a|b)c\\.de[f|g]")).isEqualTo("c.de");
    assertThat(literal("\\x41pi\\.example")).isEqualTo("api.example");
    assertThat(literal("\\Qapi.example\\E")).isEqualTo("api.example");
    assertThat(literal("api\\.example\\.com|localhost")).isEmpty();
    assertThat(literal("\\056|internal")).isEmpty();
    assertThat(literal("^[a-z]+$")).isEmpty();
    for (RegexCases.Case c : RegexCases.CASES) {
      Pattern pattern = Pattern.compile(c.regex, c.flags | Pattern.CASE_INSENSITIVE);
      String required;
      try {
        required = RegexDfa.compile(pattern, false).requiredLiteral();
      } catch (RegexDfa.Unsupported e) {
        continue;
      }
      Random random = new Random(c.regex.hashCode());
      for (int n = 0; n < RegexCases.CANDIDATES_PER_REGEX; n++) {
        String url = n < c.seeds.size() ? c.seeds.get(n) : RegexCases.candidate(c, random, n);
        if (pattern.matcher(url).find()) assertThat(RegexCases.lowerAscii(url)).as("/%s/ on %s", c.regex, url).contains(required);
      }
    }
  }

  private static String literal(String re) throws RegexDfa.Unsupported {
    return RegexDfa.compile(Pattern.compile(re, Pattern.CASE_INSENSITIVE), false).requiredLiteral();
  }

  // ---- random regexes of the syntax the DFA takes, and inputs that tell engines apart

  private static final String[] LITERALS = {
    "a", "b", "c", "A", "B", "x", "\\.", "-", "/", "0", "9", "é", "É", "\\n", " ", "_", "k", "\\x41", "\\0141", "\\056",
    "\\u00e9", "\\cJ", "\\Qa.\\E", "\\r", "^", "$"
  };
  private static final String[] CLASS_MEMBERS = {
    "a-c", "A-C", "0-9", "x", ".", "\\d", "\\w", "\\s", "\\-", "é", "\\n", "Z-a", "_", "k", ".-_", "@-_", "0-\\]", "!-~",
    "\\x41-\\x5a", "\\r", "$", "^"
  };
  private static final String[] INPUT_CHARS = {
    "a", "b", "c", "A", "B", "C", "x", "X", ".", "-", "/", "0", "9", "é", "É", "\n", "\r", " ", "_", "ſ", "K", "\u212A",
    "\u2028", "\u2029", "\u0085", "Ā", "\uD83D\uDE00", "\uD83D", "\uDE00", "[", "\\", "`", "k", "\r\n", "@", "^", "~"
  };

  private static String randomRegex(Random random) {
    StringBuilder b = new StringBuilder();
    if (random.nextInt(4) == 0) b.append('^');
    b.append(alternation(random, 0));
    if (random.nextInt(4) == 0) b.append('$');
    return b.toString();
  }

  private static String alternation(Random random, int depth) {
    StringBuilder b = new StringBuilder(sequence(random, depth));
    int more = random.nextInt(5) == 0 ? 1 + random.nextInt(2) : 0;
    for (int i = 0; i < more; i++) b.append('|').append(sequence(random, depth));
    return b.toString();
  }

  private static String sequence(Random random, int depth) {
    StringBuilder b = new StringBuilder();
    int atoms = random.nextInt(5);
    for (int i = 0; i < atoms; i++) {
      String atom = atom(random, depth);
      b.append(atom);
      if (!atom.equals("^") && !atom.equals("$")) b.append(quantifier(random));
    }
    return b.toString();
  }

  private static String atom(Random random, int depth) {
    int pick = random.nextInt(10);
    if (pick < 5) return LITERALS[random.nextInt(LITERALS.length)];
    if (pick == 5) return ".";
    if (pick == 6) return new String[] {"\\d", "\\D", "\\w", "\\W", "\\s", "\\S"}[random.nextInt(6)];
    if (pick == 7 || depth >= 2) {
      StringBuilder b = new StringBuilder("[");
      if (random.nextBoolean()) b.append('^');
      int members = 1 + random.nextInt(3);
      for (int i = 0; i < members; i++) b.append(CLASS_MEMBERS[random.nextInt(CLASS_MEMBERS.length)]);
      return b.append(']').toString();
    }
    String open = new String[] {"(", "(?:", "(?<g" + depth + random.nextInt(1000) + ">"}[random.nextInt(3)];
    return open + alternation(random, depth + 1) + ")";
  }

  private static String quantifier(Random random) {
    String q;
    switch (random.nextInt(9)) {
      case 0:
        q = "?";
        break;
      case 1:
        q = "*";
        break;
      case 2:
        q = "+";
        break;
      case 3:
        q = "{" + random.nextInt(3) + "}";
        break;
      case 4:
        q = "{" + random.nextInt(3) + ",}";
        break;
      case 5:
        {
          int min = random.nextInt(3);
          q = "{" + min + "," + (min + random.nextInt(3)) + "}";
          break;
        }
      default:
        return "";
    }
    return random.nextInt(4) == 0 ? q + "?" : q;
  }

  private static String randomInput(Random random) {
    StringBuilder b = new StringBuilder();
    int length = random.nextInt(9);
    for (int i = 0; i < length; i++) b.append(INPUT_CHARS[random.nextInt(INPUT_CHARS.length)]);
    return b.toString();
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c < 0x20 || c > 0x7e) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.toString();
  }
}
