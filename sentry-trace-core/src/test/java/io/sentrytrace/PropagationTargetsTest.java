package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentrytrace.test.LogRecords;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

class PropagationTargetsTest {
  /** What building targets logs: each test that provokes a line asserts it; none is printed. */
  private LogRecords log;

  @BeforeEach
  void captureLog() {
    log = LogRecords.of(PropagationTargets.class);
  }

  @AfterEach
  void releaseLog() {
    log.close();
  }

  private List<String> logged(Level level) {
    java.util.logging.SimpleFormatter f = new java.util.logging.SimpleFormatter();
    return log.records().stream().filter(r -> r.getLevel().equals(level)).map(f::formatMessage).toList();
  }

  // ---- issue 18: every input answered as documented, in time linear in the URL

  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void aSurrogateInTheUrlDoesNotSendTheRegexToABacktrackingEngine() {
    // Exponential on java.util.regex: 28 chars took 5 s there, each 2 more chars 4 times as long.
    PropagationTargets targets = PropagationTargets.of(List.of(Pattern.compile("^https://api\\.example\\.com/(\\w*/?)*?/v1$")));
    for (String end : List.of("\uD83D\uDE00", "\uD83D", "\uDE00", "\u00e9", "!")) {
      String url = "https://api.example.com/" + "a".repeat(40) + end;
      assertThat(targets.matches(url)).as(end).isFalse();
      assertThat(targets.matches(new StringBuilder(url))).as(end).isFalse();
    }
    assertThat(targets.matches("https://api.example.com/a/b\uD83D\uDE00/v1")).isFalse(); // \\w is ASCII
    assertThat(targets.matches("https://api.example.com/a/b//v1")).isTrue();
    assertThat(logged(Level.WARNING)).isEmpty();
  }

  @Test
  void aRangeThatSpansUpperCaseLettersIgnoresCaseAsDocumented() {
    // [.-_] spans A-Z without naming a letter: ignoring case, it has every ASCII letter.
    PropagationTargets excluding = PropagationTargets.of(List.of(Pattern.compile("^https://api\\.example\\.com/|^http://[^.-_]+/")));
    assertThat(excluding.matches("http://evil/v1")).isFalse();
    assertThat(excluding.matches("https://api.example.com/v1")).isTrue();
    PropagationTargets including = PropagationTargets.of(List.of(Pattern.compile("^https://api\\.example\\.com/|^http://[0-9.-_]+:8080/")));
    assertThat(including.matches("http://svc:8080/v1")).isTrue();
    assertThat(including.matches("http://svc:8081/v1")).isFalse();
  }

  @Test
  void aPatternWithInlineFlagsRunsAsTheUserCompiledIt() {
    // Pattern.flags() includes inline flags, so the flags it was compiled with cannot be told: it is not recompiled.
    assertThat(PropagationTargets.of(List.of(Pattern.compile("x.*(?d)y"))).matches("http://h/x\u2028y")).isFalse();
    assertThat(PropagationTargets.of(List.of(Pattern.compile("http://h/x.*(?s)y"))).matches("http://h/x\ny")).isFalse();
    assertThat(PropagationTargets.of(List.of(Pattern.compile("http://h/x.*(?s)y"))).matches("http://h/xzy")).isTrue();
    PropagationTargets caseSensitive = PropagationTargets.of(List.of(Pattern.compile("api\\.example(?-i)")));
    assertThat(caseSensitive.matches("https://api.example/")).isTrue();
    assertThat(caseSensitive.matches("https://API.example/")).isFalse();
    PropagationTargets ignoringCase = PropagationTargets.of(List.of(Pattern.compile("api\\.example(?-i)", Pattern.CASE_INSENSITIVE)));
    assertThat(ignoringCase.matches("https://API.EXAMPLE/")).isTrue();
    // Without inline flags a Pattern is recompiled to ignore case, as documented.
    assertThat(PropagationTargets.of(List.of(Pattern.compile("api\\.example"))).matches("https://API.EXAMPLE/")).isTrue();
    assertThat(logged(Level.WARNING)).hasSize(5).allMatch(m -> m.contains("inline flags"));
  }

  @Test
  void octalAndOtherNumericEscapesAreReadAsJavaUtilRegexReadsThem() {
    assertThat(PropagationTargets.of(List.of(Pattern.compile("\\056|internal"))).matches("https://api.example.com/")).isTrue();
    assertThat(PropagationTargets.of(List.of(Pattern.compile("\\0560|internal"))).matches("https://api.example.com/")).isFalse();
    assertThat(PropagationTargets.of(List.of(Pattern.compile("\\0560|internal"))).matches("https://x/.0")).isTrue();
    assertThat(PropagationTargets.of(List.of(Pattern.compile("api\\x2eexample"))).matches("https://API.example/")).isTrue();
    assertThat(PropagationTargets.of(List.of(Pattern.compile("\\Qapi.example\\E"))).matches("https://apiXexample/")).isFalse();
    assertThat(logged(Level.WARNING)).isEmpty();
  }

  @Test
  void anchorsBesideAlternationAreAnsweredByTheDfa() {
    PropagationTargets targets = PropagationTargets.of(List.of(Pattern.compile("^https://a\\.example/|/v1$")));
    assertThat(targets.matches("https://a.example/x")).isTrue();
    assertThat(targets.matches("https://b.example/v1")).isTrue();
    assertThat(targets.matches("https://b.example/v1/x")).isFalse();
    assertThat(targets.matches("x https://a.example/")).isFalse();
    assertThat(logged(Level.WARNING)).isEmpty();
  }

  @Test
  void aTargetTheDfaDoesNotTakeIsReportedOnceWhenBuilt() {
    PropagationTargets targets = PropagationTargets.of(List.of(Pattern.compile("(api)\\.\\1"), "^https://(?=x)x\\.example/.*", "localhost"));
    assertThat(logged(Level.WARNING))
        .containsExactly(
            "tracePropagationTargets: /(api)\\.\\1/ has the escape \\1, which the linear-time matcher does not take; it runs"
                + " on java.util.regex, whose time on a URL an attacker shapes can grow exponentially with its length. Write it"
                + " without that construct (see the README, \"Which URLs get the headers\")",
            "tracePropagationTargets: /^https://(?=x)x\\.example/.*/ has look-ahead (?=, which the linear-time matcher does not"
                + " take; it runs on java.util.regex, whose time on a URL an attacker shapes can grow exponentially with its"
                + " length. Write it without that construct (see the README, \"Which URLs get the headers\")");
    assertThat(targets.matches("https://api.api/")).isTrue();
    assertThat(targets.matches("https://x.example/v1")).isTrue();
    assertThat(logged(Level.WARNING)).hasSize(2); // matching reports nothing more
  }

  @TestFactory
  Stream<DynamicTest> matchesEveryConformanceVector() {
    return Vectors.cases("targets.json").stream()
        .map(v -> DynamicTest.dynamicTest(
            v.get("url") + " vs " + v.get("targets") + (v.get("note") == null ? "" : "  (" + v.get("note") + ")"),
            () -> {
              PropagationTargets targets = PropagationTargets.of(targets(v.get("targets")));
              String url = (String) v.get("url");
              assertThat(targets.matches(url)).isEqualTo(v.get("matches"));
              // The same answer for another CharSequence and through the tracer.
              assertThat(targets.matches(new StringBuilder(url))).isEqualTo(v.get("matches"));
              Tracer tracer = Tracer.builder().tracePropagationTargets(targets(v.get("targets"))).build();
              assertThat(tracer.shouldPropagate(url)).isEqualTo(v.get("matches"));
            }));
  }

  /** Vector targets: strings stay strings, {"pattern": ...} becomes a Pattern. */
  private static List<Object> targets(Object json) {
    if (json == null) return null;
    List<Object> out = new ArrayList<>();
    for (Object t : Vectors.list(json)) {
      out.add(t instanceof String ? t : Pattern.compile((String) Vectors.map(t).get("pattern")));
    }
    return out;
  }

  @Test
  void rejectsAnElementThatIsNeitherStringNorPatternNamingItsIndex() {
    assertThatThrownBy(() -> PropagationTargets.of(List.of("localhost", 42)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tracePropagationTargets[1]")
        .hasMessageContaining("java.lang.Integer");
    assertThatThrownBy(() -> PropagationTargets.of(Arrays.asList("localhost", "api", null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tracePropagationTargets[2]")
        .hasMessageContaining("null");
  }

  @Test
  void rejectsABadElementEvenAfterAMatchAllTarget() {
    assertThatThrownBy(() -> PropagationTargets.of(List.of(".*", 42)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tracePropagationTargets[1]");
  }

  @Test
  void builderRejectsABadElementAtBuilderTime() {
    assertThatThrownBy(() -> Tracer.builder().tracePropagationTargets(List.of(new StringBuilder("x"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tracePropagationTargets[0]");
  }

  @Test
  void nullListMatchesEverything() {
    PropagationTargets targets = PropagationTargets.of(null);
    assertThat(targets.matches("https://anything/")).isTrue();
    assertThat(targets.matches("")).isTrue();
    assertThat(targets).isSameAs(PropagationTargets.all());
  }

  @Test
  void emptyListMatchesNothing() {
    PropagationTargets targets = PropagationTargets.of(List.of());
    assertThat(targets.matches("http://localhost/")).isFalse();
    assertThat(targets.matches("")).isFalse();
    assertThat(targets).isSameAs(PropagationTargets.none());
  }

  @Test
  void defaultTracerPropagatesEverywhere() {
    assertThat(Tracer.builder().build().shouldPropagate("https://third-party.example/x")).isTrue();
  }

  @Test
  void nullUrlNeverMatchesUnlessAll() {
    assertThat(PropagationTargets.of(List.of("localhost", Pattern.compile(".*"))).matches(null)).isFalse();
    assertThat(PropagationTargets.all().matches(null)).isTrue();
  }

  @Test
  void invalidRegexIsASubstringOnly() {
    PropagationTargets targets = PropagationTargets.of(List.of("api[v1"));
    assertThat(targets.matches("https://x/api[v1/users")).isTrue();
    assertThat(targets.matches("https://x/apiv1/users")).isFalse();
    assertThat(logged(Level.INFO)).containsExactly(
        "tracePropagationTargets: \"api[v1\" is not a valid regex (Unclosed character class); it matches as a substring only");
  }

  @Test
  void stringTargetsIgnoreCase() {
    PropagationTargets targets = PropagationTargets.of(List.of("API.Example.COM", "^HTTPS://regex\\.example/.*$"));
    assertThat(targets.matches("https://api.example.com/")).isTrue();
    assertThat(targets.matches("HTTPS://API.EXAMPLE.COM/")).isTrue();
    assertThat(targets.matches("https://REGEX.example/x")).isTrue();
    assertThat(targets.matches("https://other.example/")).isFalse();
  }

  @Test
  void patternTargetsIgnoreCaseToo() {
    PropagationTargets targets = PropagationTargets.of(List.of(Pattern.compile("^https://api\\.example\\.com/v[0-9]+/")));
    assertThat(targets.matches("HTTPS://API.EXAMPLE.COM/V2/users")).isTrue();
    assertThat(targets.matches("https://api.example.com/users")).isFalse();
  }

  @Test
  void nonAsciiSubstringTargetMatchesTheSameText() {
    PropagationTargets targets = PropagationTargets.of(List.of("Ärger.example"));
    assertThat(targets.matches("https://Ärger.example/x")).isTrue();
    assertThat(targets.matches("https://ÄRGER.EXAMPLE/x")).isTrue();
  }

  @Test
  void thePreFilterNeverHidesAMatch() {
    // Each regex matches its URL; the required-literal pre-filter must not skip it.
    assertThat(PropagationTargets.of(List.of(Pattern.compile("ask\\.example", Pattern.UNICODE_CASE))).matches("https://aſk.example/"))
        .isTrue();
    assertThat(PropagationTargets.of(List.of(Pattern.compile("\\x41pi\\.example"))).matches("https://api.example/")).isTrue();
    assertThat(PropagationTargets.of(List.of(".*\\u0041pi\\.example/.*")).matches("https://API.example/x")).isTrue();
    assertThat(PropagationTargets.of(List.of(Pattern.compile("(?<h>svc)\\.\\k<h>"))).matches("http://svc.svc/")).isTrue();
    assertThat(logged(Level.WARNING)).hasSize(2).anyMatch(m -> m.contains("UNICODE_CASE")).anyMatch(m -> m.contains("\\k"));
  }

  @Test
  void patternFlagsAreKept() {
    PropagationTargets targets = PropagationTargets.of(List.of(Pattern.compile("api . example", Pattern.COMMENTS)));
    assertThat(targets.matches("https://apiXexample/")).isTrue();
    assertThat(targets.matches("https://api x example/")).isFalse();
    assertThat(logged(Level.WARNING)).singleElement().asString().contains("the flag COMMENTS");
  }

  @Test
  void groupsInLiteralAndCommentedPatternsKeepTheirMeaning() {
    PropagationTargets literal = PropagationTargets.of(List.of(Pattern.compile("/(v1)/", Pattern.LITERAL)));
    assertThat(literal.matches("https://x/(v1)/a")).isTrue();
    assertThat(literal.matches("https://x/v1/a")).isFalse();
    PropagationTargets commented = PropagationTargets.of(List.of(Pattern.compile("( ?<n> api )\\. x", Pattern.COMMENTS)));
    assertThat(commented.matches("https://api.x/")).isTrue();
    assertThat(commented.matches("https://apl.x/")).isFalse();
    assertThat(logged(Level.WARNING)).hasSize(2).anyMatch(m -> m.contains("the flag LITERAL")).anyMatch(m -> m.contains("the flag COMMENTS"));
  }

  @Test
  void matchesFromManyThreads() throws Exception {
    PropagationTargets targets = PropagationTargets.of(List.of(Pattern.compile("^https://api\\.example\\.com/v[2-4]"), "localhost"));
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < 4; t++) {
      Thread thread = new Thread(() -> {
        try {
          for (int i = 0; i < 20_000; i++) {
            assertThat(targets.matches("https://api.example.com/v" + (i % 6) + "/x")).isEqualTo(i % 6 >= 2 && i % 6 <= 4);
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) thread.join(10_000);
    assertThat(failures).isEmpty();
  }

  @Test
  void describesItself() {
    assertThat(PropagationTargets.all()).hasToString("PropagationTargets.all()");
    assertThat(PropagationTargets.none()).hasToString("PropagationTargets.none()");
    assertThat(PropagationTargets.of(List.of("Local", Pattern.compile("^/")))).hasToString(
        "PropagationTargets[\"local\" /^//]");
  }

  @Test
  void builderAcceptsPropagationTargetsDirectly() {
    Tracer tracer = Tracer.builder().tracePropagationTargets(PropagationTargets.none()).build();
    assertThat(tracer.shouldPropagate("http://localhost/")).isFalse();
    assertThat(tracer.propagationTargets()).isSameAs(PropagationTargets.none());
    assertThatThrownBy(() -> Tracer.builder().tracePropagationTargets((PropagationTargets) null))
        .isInstanceOf(NullPointerException.class);
  }


  @Test
  void dottedHostStillMatchesAsAWholeUrlRegex() {
    // "api.example.com" is also a regex: '.' matches any char, and only a URL of 15 chars can match.
    PropagationTargets targets = PropagationTargets.of(List.of("api.example.com"));
    assertThat(targets.matches("apiXexample.com")).isTrue();
    assertThat(targets.matches("APIXEXAMPLE.COM")).isTrue();
    assertThat(targets.matches("https://apiXexample.com/")).isFalse();
  }

  @Test
  void urlWithSurrogatePairsIsNotJudgedByLengthInChars() {
    // 15 code points, 16 chars.
    PropagationTargets targets = PropagationTargets.of(List.of("api.example.co."));
    assertThat(targets.matches("api.example.co\uD83D\uDE00")).isTrue();
  }

  @Test
  void regexIgnoresCaseWhetherOrNotTheUrlHasUpperCase() {
    PropagationTargets targets = PropagationTargets.of(List.of("^https://api\\.example\\.com/v[0-9]+/.*"));
    assertThat(targets.matches("https://api.example.com/v1/users")).isTrue();
    assertThat(targets.matches("https://API.example.com/V1/users")).isTrue();
    assertThat(targets.matches("https://api.example.com/x/users")).isFalse();
    PropagationTargets upper = PropagationTargets.of(List.of(Pattern.compile("API\\.EXAMPLE\\.COM/V[0-9]")));
    assertThat(upper.matches("https://api.example.com/v1/users")).isTrue();
  }

  @Test
  void hintsOnceWhenAStringTargetReadsLikeAPrefixRegex() {
    PropagationTargets targets = PropagationTargets.of(List.of("^https://api\\.example\\.com/", "localhost", "^https://b\\.example\\.com/v1"));
    assertThat(targets.matches("https://api.example.com/v1/users")).isFalse(); // the trap the hint names
    assertThat(log.levels()).containsExactly(Level.WARNING);
    assertThat(logged(Level.WARNING).get(0)).contains("^https://api\\.example\\.com/", "^https://b\\.example\\.com/v1", ".*", "Pattern");

    try (LogRecords none = LogRecords.of(PropagationTargets.class)) {
      PropagationTargets.of(List.of("^https://api\\.example\\.com/.*", "^https://api\\.example\\.com/$", "api.example.com",
          Pattern.compile("^https://api\\.example\\.com/")));
      assertThat(none.records()).isEmpty();
    }
  }

  // ---- the fast paths give the rule's answer

  @Test
  void aLiteralMatchesWhereTheUrlHasItInUpperCase() {
    PropagationTargets targets = PropagationTargets.of(List.of("localhost", "api.example.com"));
    assertThat(targets.matches("http://LOCALHOST:8080/")).isTrue();
    assertThat(targets.matches("http://LocalHosT/")).isTrue(); // the match starts before the first upper case
    assertThat(targets.matches("https://X.example/API.Example.COM/v1")).isTrue(); // and after it
    assertThat(targets.matches("https://X.example/localhost")).isTrue(); // as written, behind upper case
    assertThat(targets.matches("http://LOCALHOSX/")).isFalse();
    assertThat(targets.matches("https://API.EXAMPLE.CO/")).isFalse();
  }

  @Test
  void upperCaseLettersTheTargetDoesNotHaveChangeNothing() {
    PropagationTargets targets = PropagationTargets.of(List.of("localhost", "127.0.0.1"));
    assertThat(targets.matches("http://localhost/?token=QWERTYZ")).isTrue();
    assertThat(targets.matches("http://127.0.0.1:9000/QWERTY")).isTrue();
    assertThat(targets.matches("HTTP://127.0.0.2/")).isFalse();
    assertThat(targets.matches("http://localhos/?q=T")).isFalse();
  }

  @Test
  void aTargetLongerThanTheUrlNeverMatches() {
    PropagationTargets targets = PropagationTargets.of(List.of("payments.internal.example.com", Pattern.compile("^https://api\\.example\\.com/")));
    assertThat(targets.matches("http://a/")).isFalse();
    assertThat(targets.matches("HTTP://A/")).isFalse();
    assertThat(targets.matches("")).isFalse();
    assertThat(targets.matches("PAYMENTS.internal")).isFalse();
  }

  @Test
  void aTargetThatIsTheStartOfTheUrlMatches() {
    PropagationTargets literal = PropagationTargets.of(List.of("https://api.example.com"));
    assertThat(literal.matches("https://api.example.com/v1")).isTrue();
    assertThat(literal.matches("HTTPS://API.EXAMPLE.COM/v1")).isTrue();
    assertThat(literal.matches("https://api.example.co")).isFalse();
    // A whole-URL regex that starts with a fixed text: the DFA compares that text first.
    PropagationTargets regex = PropagationTargets.of(List.of("^https://api\\.example\\.com/.*"));
    assertThat(regex.matches("HTTPS://API.example.com/x")).isTrue();
    assertThat(regex.matches("https://api.example.com/")).isTrue();
    assertThat(regex.matches("https://api.example.com")).isFalse();
    assertThat(regex.matches("https://api.example.co")).isFalse();
    assertThat(regex.matches("https://api.example.com/x\ny")).isFalse(); // . does not match a line terminator
    assertThat(regex.matches("https://api.example.com/" + "x".repeat(100) + "\u2028")).isFalse();
  }

  @Test
  void aTargetWithRegexCharsMatchesAsWrittenOnlyInAUrlThatHasThem() {
    // Such a String is also its own substring target; [\]^ in the URL decide whether it is looked for.
    PropagationTargets targets = PropagationTargets.of(List.of("^https://api\\.example\\.com/v[0-9]+/.*", "a[b"));
    assertThat(targets.matches("https://x/?re=^https://api\\.example\\.com/v[0-9]+/.*")).isTrue();
    assertThat(targets.matches("https://X/?re=^HTTPS://API\\.example\\.com/V[0-9]+/.*")).isTrue();
    assertThat(targets.matches("https://x/A[B")).isTrue(); // upper case first, then the gate char
    assertThat(targets.matches("https://x/a[c")).isFalse();
    assertThat(targets.matches("https://x/ab")).isFalse();
  }

  @Test
  void nonAsciiLettersKeepTheirCaseInRegexTargets() {
    // Matching ignores ASCII case only, as java.util.regex without UNICODE_CASE.
    PropagationTargets targets = PropagationTargets.of(List.of(".*caf\u00e9\\.example/.*"));
    assertThat(targets.matches("https://CAF\u00e9.example/")).isTrue();
    assertThat(targets.matches("https://caf\u00c9.example/")).isFalse();
  }

  @Test
  void aSurrogatePairIsOneCharToARegex() {
    // java.util.regex reads code points, and so does the DFA.
    PropagationTargets targets = PropagationTargets.of(List.of(".*/h.llo", Pattern.compile("^x.y$")));
    assertThat(targets.matches("https://x/h\uD83D\uDE00llo")).isTrue();
    assertThat(targets.matches("x\uD83D\uDE00y")).isTrue();
    assertThat(targets.matches("https://x/h\uD83D\uDE00\uD83D\uDE00llo")).isFalse();
  }

  @Test
  void answersAsTheRuleOnGeneratedUrls() {
    // The rule, written plainly: a String by substring (ASCII case ignored) or as a whole-URL
    // regex, a Pattern by find(), both ignoring case. Targets and URLs exercise every path:
    // plain and gated literals, dotted hosts, DFA and java.util.regex regexes, upper case, line
    // terminators, non-ASCII and surrogates.
    List<Object> targetList = List.of(
        "localhost", "api.example.com", "127.0.0.1", "a[b", "^https://api\\.example\\.com/v[0-9]+/.*",
        ".*\\.svc\\.cluster\\.local(:[0-9]+)?/.*", "^https?://([a-z0-9-]+\\.)*shop\\.example\\.net(:[0-9]+)?/.*",
        "(a)\\1b", Pattern.compile("cdn[0-9]*\\.example\\.io/a"), Pattern.compile("/v1$"), Pattern.compile("(?=x)xyz"));
    PropagationTargets targets = PropagationTargets.of(targetList);
    String[] parts = {
      "https://", "http://", "api", "API", ".", "example", "com", "/", "v", "1", "2", ":", "8080", "local", "host",
      "LOCAL", "HoSt", "127.0.0.1", "svc", "cluster", "SVC", "shop", "net", "eu.", "cdn", "3", "io", "a", "b", "[", "A",
      "B", "\\", "^", "x", "y", "z", "X", "\n", "\r", "\u0085", "\u2028", "\u00e9", "\u00c9", "\uD83D\uDE00", "Ā",
      "aab", "?q=", "&"
    };
    Random random = new Random(14);
    int matched = 0;
    for (int n = 0; n < 20_000; n++) {
      StringBuilder url = new StringBuilder();
      int count = 1 + random.nextInt(10);
      for (int i = 0; i < count; i++) url.append(parts[random.nextInt(parts.length)]);
      String u = url.toString();
      boolean expected = byTheRule(targetList, u);
      assertThat(targets.matches(u)).as("%s", u).isEqualTo(expected);
      assertThat(targets.matches(new StringBuilder(u))).as("%s as a StringBuilder", u).isEqualTo(expected);
      if (expected) matched++;
    }
    assertThat(matched).isGreaterThan(2_000);
    assertThat(logged(Level.WARNING)).hasSize(2); // (a)\\1b and (?=x)xyz run on java.util.regex
  }

  private static boolean byTheRule(List<Object> targets, String url) {
    String lower = lowerAscii(url);
    for (Object t : targets) {
      if (t instanceof Pattern) {
        Pattern p = (Pattern) t;
        if (Pattern.compile(p.pattern(), p.flags() | Pattern.CASE_INSENSITIVE).matcher(url).find()) return true;
      } else {
        String s = (String) t;
        if (lower.contains(lowerAscii(s))) return true;
        try {
          if (Pattern.compile(s, Pattern.CASE_INSENSITIVE).matcher(url).matches()) return true;
        } catch (java.util.regex.PatternSyntaxException e) {
          // a substring only
        }
      }
    }
    return false;
  }

  /** ASCII lower case, written out here rather than taken from the code under test. */
  private static String lowerAscii(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      b.append(ch >= 'A' && ch <= 'Z' ? (char) (ch + 32) : ch);
    }
    return b.toString();
  }
}
