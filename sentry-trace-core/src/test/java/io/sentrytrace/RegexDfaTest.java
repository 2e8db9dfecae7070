package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The DFA must give java.util.regex's answer wherever it gives one: checked on the target regexes
 * of {@link RegexLiteralsTest} with their generated URLs, and on random regexes of the supported
 * syntax against random strings full of what differs between engines (case, Latin-1 and wider
 * letters, line terminators, surrogate pairs).
 */
class RegexDfaTest {

  @TestFactory
  Stream<DynamicTest> answersAsJavaUtilRegexOnTheTargetRegexes() {
    return RegexLiteralsTest.CASES.stream().flatMap(c -> Stream.of(
        DynamicTest.dynamicTest("find /" + c.regex + "/ flags=" + c.flags, () -> check(c, false)),
        DynamicTest.dynamicTest("matches /" + c.regex + "/ flags=" + c.flags, () -> check(c, true))));
  }

  private static void check(RegexLiteralsTest.Case c, boolean fullMatch) {
    Pattern pattern = Pattern.compile(c.regex, c.flags | Pattern.CASE_INSENSITIVE);
    RegexDfa dfa = RegexDfa.of(pattern, fullMatch);
    if (dfa == null) return; // java.util.regex answers: nothing to compare
    Random random = new Random(c.regex.hashCode() * 31L + (fullMatch ? 1 : 0));
    int matched = 0;
    int answered = 0;
    for (int n = 0; n < RegexLiteralsTest.CANDIDATES_PER_REGEX; n++) {
      String url = n < c.seeds.size() ? c.seeds.get(n) : RegexLiteralsTest.candidate(c, random, n);
      boolean expected = fullMatch ? pattern.matcher(url).matches() : pattern.matcher(url).find();
      int answer = dfa.run(url);
      if (answer == RegexDfa.UNKNOWN) {
        assertThat(mayBeUnknown(url, pattern, fullMatch)).as("/%s/ gave up on %s", c.regex, url).isTrue();
        continue;
      }
      assertThat(answer == RegexDfa.MATCH).as("/%s/ %s on %s", c.regex, fullMatch ? "matches" : "find", url).isEqualTo(expected);
      answered++;
      if (expected) matched++;
    }
    // Not vacuous: the DFA answered nearly every candidate, and find() matched many (as a whole,
    // most of these regexes match only their bare seeds, which the candidates rarely are).
    assertThat(answered).isGreaterThan(RegexLiteralsTest.CANDIDATES_PER_REGEX / 2);
    if (!fullMatch) assertThat(matched).as("matching candidates of /%s/", c.regex).isGreaterThanOrEqualTo(20);
  }

  @Test
  void answersAsJavaUtilRegexOnRandomRegexes() {
    Random random = new Random(14);
    int compiled = 0;
    int compared = 0;
    for (int r = 0; r < 1_500; r++) {
      String regex = randomRegex(random);
      for (int flags : new int[] {0, Pattern.CASE_INSENSITIVE}) {
        Pattern pattern;
        try {
          pattern = Pattern.compile(regex, flags);
        } catch (java.util.regex.PatternSyntaxException e) {
          continue; // e.g. a group name drawn twice
        }
        for (boolean fullMatch : new boolean[] {false, true}) {
          RegexDfa dfa = RegexDfa.of(pattern, fullMatch);
          if (dfa == null) continue;
          compiled++;
          for (int s = 0; s < 120; s++) {
            String input = randomInput(random);
            boolean expected = fullMatch ? pattern.matcher(input).matches() : pattern.matcher(input).find();
            int answer = dfa.run(input);
            if (answer == RegexDfa.UNKNOWN) {
              assertThat(mayBeUnknown(input, pattern, fullMatch)).as("/%s/ gave up on %s", regex, escape(input)).isTrue();
              continue;
            }
            compared++;
            assertThat(answer == RegexDfa.MATCH)
                .as("/%s/ flags=%d %s on \"%s\"", regex, flags, fullMatch ? "matches" : "find", escape(input))
                .isEqualTo(expected);
          }
        }
      }
    }
    // Not vacuous: most random regexes are in the supported syntax (those with ^ or $ next to a
    // top-level | are not).
    assertThat(compiled).isGreaterThan(4_000);
    assertThat(compared).isGreaterThan(400_000);
  }

  /** Only a surrogate, or a final line terminator under a find() ending in $, may leave the DFA unsure. */
  private static boolean mayBeUnknown(String input, Pattern pattern, boolean fullMatch) {
    if (input.chars().anyMatch(ch -> Character.isSurrogate((char) ch))) return true;
    char last = input.isEmpty() ? 'x' : input.charAt(input.length() - 1);
    return !fullMatch && pattern.pattern().endsWith("$") && "\n\r\u0085\u2028\u2029".indexOf(last) >= 0;
  }

  @Test
  void compilesTheShapesOfUrlTargets() {
    for (String re : List.of(
        "^https://api\\.example\\.com/v[0-9]+/.*",
        "^https?://([a-z0-9-]+\\.)*shop\\.example\\.net(:[0-9]+)?/.*",
        ".*\\.svc\\.cluster\\.local(:[0-9]+)?/.*",
        "^https://cdn[0-9]*\\.example\\.io/assets/.*",
        "^(http|https)://api\\..*$",
        "(?<host>api|www)\\.example\\.(?:com|org)/v\\d{1,3}/[^/?#]+",
        "localhost:80[0-9]\\d",
        "[\\w.-]+@[\\w-]+\\.\\w{2,}")) {
      for (boolean fullMatch : new boolean[] {false, true}) {
        assertThat(RegexDfa.of(Pattern.compile(re, Pattern.CASE_INSENSITIVE), fullMatch)).as(re).isNotNull();
      }
    }
  }

  @Test
  void leavesOtherConstructsToJavaUtilRegex() {
    for (String re : List.of(
        "(a)\\1", "(?<h>a)\\k<h>", "a(?=b)", "a(?!b)", "(?<=a)b", "(?>a+)b", "a++", "a*+b", "(?i)a", "\\bapi",
        "\\x41", "\\u0041", "\\0101", "\\cJ", "\\p{L}", "\\Qa.b\\E", "[a[b]]", "[a-z&&[^x]]", "\\Aapi", "api\\z",
        "a|^b", "a$|b", "a^b", "a$b", "\u0100", "[\u0100-\u0200]", "\uD83D\uDE00", "\\h", "\\R")) {
      assertThat(RegexDfa.of(Pattern.compile(re, Pattern.CASE_INSENSITIVE), true)).as(re).isNull();
    }
    for (int flags : new int[] {Pattern.UNICODE_CASE | Pattern.CASE_INSENSITIVE, Pattern.DOTALL, Pattern.MULTILINE,
        Pattern.COMMENTS, Pattern.LITERAL, Pattern.UNIX_LINES, Pattern.UNICODE_CHARACTER_CLASS}) {
      assertThat(RegexDfa.of(Pattern.compile("api\\.example", flags), false)).as("flags %d", flags).isNull();
    }
  }

  @Test
  void givesUpOnSurrogatePairs() {
    // java.util.regex reads the pair as one code point: '.' takes both chars.
    RegexDfa dfa = RegexDfa.of(Pattern.compile("h.llo"), true);
    assertThat(dfa.run("h\uD83D\uDE00llo")).isEqualTo(RegexDfa.UNKNOWN);
    assertThat(dfa.run("hällo")).isEqualTo(RegexDfa.MATCH);
  }

  @Test
  void givesUpOnALineTerminatorThatEndsTheInputUnderAFindEndingInDollar() {
    RegexDfa dfa = RegexDfa.of(Pattern.compile("/v1$"), false);
    assertThat(dfa.run("https://x/v1")).isEqualTo(RegexDfa.MATCH);
    assertThat(dfa.run("https://x/v1\n")).isEqualTo(RegexDfa.UNKNOWN); // java.util.regex: true
    assertThat(dfa.run("https://x/v2\n")).isEqualTo(RegexDfa.UNKNOWN);
    assertThat(dfa.run("https://x/v1/")).isEqualTo(RegexDfa.NO_MATCH);
  }

  @Test
  void stopsReadingOnceTheAnswerIsKnown() {
    String tail = "x".repeat(10_000);
    // Past the prefix every continuation matches; a wrong scheme cannot match.
    RegexDfa head = RegexDfa.of(Pattern.compile("^https://api\\.example\\.com/[\\s\\S]*", Pattern.CASE_INSENSITIVE), true);
    assertThat(Work.charsRead("https://API.example.com/" + tail, chars -> assertThat(head.run(chars)).isEqualTo(RegexDfa.MATCH)))
        .isEqualTo("https://api.example.com/".length());
    assertThat(Work.charsRead("http://api.example.com/" + tail, chars -> assertThat(head.run(chars)).isEqualTo(RegexDfa.NO_MATCH)))
        .isEqualTo("https".length());
    // find() stops at the first match.
    RegexDfa find = RegexDfa.of(Pattern.compile("\\.svc\\.cluster\\.local/"), false);
    assertThat(Work.charsRead("http://a.svc.cluster.local/" + tail, chars -> assertThat(find.run(chars)).isEqualTo(RegexDfa.MATCH)))
        .isEqualTo("http://a.svc.cluster.local/".length());
  }

  @Test
  void aTrailingDotStarOnlyLooksForLineTerminators() {
    RegexDfa dotStar = RegexDfa.of(Pattern.compile("^https://api\\.example\\.com/.*", Pattern.CASE_INSENSITIVE), true);
    assertThat(dotStar.run("https://api.example.com/" + "x".repeat(100))).isEqualTo(RegexDfa.MATCH);
    assertThat(dotStar.run("https://api.example.com/x\ny")).isEqualTo(RegexDfa.NO_MATCH);
    assertThat(dotStar.run("https://api.example.com/x\u2028")).isEqualTo(RegexDfa.NO_MATCH);
    // A terminator the regex allows for: the run goes on through it.
    RegexDfa lines = RegexDfa.of(Pattern.compile("a/.*(\\n.*)?"), true);
    assertThat(lines.run("a/xy\nz")).isEqualTo(RegexDfa.MATCH);
    assertThat(lines.run("a/xy\nz\n")).isEqualTo(RegexDfa.NO_MATCH);
  }

  @Test
  void readsEachCharAtMostOnce() {
    RegexDfa dfa = RegexDfa.of(Pattern.compile(".*(a|ab)*c\\d{2,5}x", Pattern.CASE_INSENSITIVE), false);
    for (String input : List.of("ab".repeat(5_000), "abc1".repeat(3_000), "")) {
      assertThat(Work.charsRead(input, dfa::run)).isLessThanOrEqualTo(input.length());
    }
  }

  // ---- random regexes of the supported syntax, and inputs that tell engines apart

  private static final String[] LITERALS = {"a", "b", "c", "A", "B", "x", "\\.", "-", "/", "0", "9", "é", "É", "\\n", " ", "_", "k"};
  private static final String[] CLASS_MEMBERS = {"a-c", "A-C", "0-9", "x", ".", "\\d", "\\w", "\\s", "\\-", "é", "\\n", "Z-a", "_", "k"};
  private static final String[] INPUT_CHARS = {
    "a", "b", "c", "A", "B", "C", "x", "X", ".", "-", "/", "0", "9", "é", "É", "\n", "\r", " ", "_", "ſ", "K", "\u212A",
    "\u2028", "\u0085", "Ā", "\uD83D\uDE00", "[", "\\", "`", "k"
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
    for (int i = 0; i < atoms; i++) b.append(atom(random, depth)).append(quantifier(random));
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

  private static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c < 0x20 || c > 0x7e) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.toString();
  }
}
