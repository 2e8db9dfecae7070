package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class PropagationTargetsTest {

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
  }

  @Test
  void patternFlagsAreKept() {
    PropagationTargets targets = PropagationTargets.of(List.of(Pattern.compile("api . example", Pattern.COMMENTS)));
    assertThat(targets.matches("https://apiXexample/")).isTrue();
    assertThat(targets.matches("https://api x example/")).isFalse();
  }

  @Test
  void groupsInLiteralAndCommentedPatternsKeepTheirMeaning() {
    PropagationTargets literal = PropagationTargets.of(List.of(Pattern.compile("/(v1)/", Pattern.LITERAL)));
    assertThat(literal.matches("https://x/(v1)/a")).isTrue();
    assertThat(literal.matches("https://x/v1/a")).isFalse();
    PropagationTargets commented = PropagationTargets.of(List.of(Pattern.compile("( ?<n> api )\\. x", Pattern.COMMENTS)));
    assertThat(commented.matches("https://api.x/")).isTrue();
    assertThat(commented.matches("https://apl.x/")).isFalse();
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
  void dottedHostStillMatchesAsAWholeUrlRegexOfItsLength() {
    // "api.example.com" is also a regex: '.' matches any char, and only a URL of 15 chars can match.
    PropagationTargets targets = PropagationTargets.of(List.of("api.example.com"));
    assertThat(targets.matches("apiXexample.com")).isTrue();
    assertThat(targets.matches("APIXEXAMPLE.COM")).isTrue();
    assertThat(targets.matches("https://apiXexample.com/")).isFalse();
  }

  @Test
  void urlWithSurrogatePairsIsNotJudgedByLengthInChars() {
    // 15 code points, 16 chars: the length shortcut must not reject it.
    PropagationTargets targets = PropagationTargets.of(List.of("api.example.co."));
    assertThat(targets.matches("api.example.co\uD83D\uDE00")).isTrue();
  }

  @Test
  void regexIgnoresCaseWhetherOrNotTheUrlHasUpperCase() {
    // Lower-case regex: URLs without upper case take its case-sensitive twin, others the original.
    PropagationTargets targets = PropagationTargets.of(List.of("^https://api\\.example\\.com/v[0-9]+/.*"));
    assertThat(targets.matches("https://api.example.com/v1/users")).isTrue();
    assertThat(targets.matches("https://API.example.com/V1/users")).isTrue();
    assertThat(targets.matches("https://api.example.com/x/users")).isFalse();
    // Upper case in the regex source: no twin, and lower-case URLs still match.
    PropagationTargets upper = PropagationTargets.of(List.of(Pattern.compile("API\\.EXAMPLE\\.COM/V[0-9]")));
    assertThat(upper.matches("https://api.example.com/v1/users")).isTrue();
  }

  @Test
  void hintsOnceWhenAStringTargetReadsLikeAPrefixRegex() {
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger(PropagationTargets.class.getName());
    List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Handler handler = new java.util.logging.Handler() {
      @Override public void publish(java.util.logging.LogRecord r) { records.add(r); }
      @Override public void flush() {}
      @Override public void close() {}
    };
    logger.addHandler(handler);
    try {
      PropagationTargets targets = PropagationTargets.of(List.of("^https://api\\.example\\.com/", "localhost", "^https://b\\.example\\.com/v1"));
      assertThat(targets.matches("https://api.example.com/v1/users")).isFalse(); // the trap the hint names
      assertThat(records).hasSize(1);
      String message = new java.util.logging.SimpleFormatter().formatMessage(records.get(0));
      assertThat(message).contains("^https://api\\.example\\.com/", "^https://b\\.example\\.com/v1", ".*", "Pattern");
      assertThat(records.get(0).getLevel()).isEqualTo(java.util.logging.Level.WARNING);

      records.clear();
      PropagationTargets.of(List.of("^https://api\\.example\\.com/.*", "^https://api\\.example\\.com/$", "api.example.com",
          Pattern.compile("^https://api\\.example\\.com/")));
      assertThat(records).isEmpty();
    } finally {
      logger.removeHandler(handler);
    }
  }
}
