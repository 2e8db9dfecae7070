package io.sentrytrace.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentry.util.PropagationTargetsUtils;
import io.sentrytrace.PropagationTargets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MatchBenchmarkTest {
  private final MatchBenchmark benchmark = new MatchBenchmark();

  @Test
  void oursAgreesWithSentryJavaOnEveryUrl() {
    for (List<String> targets : List.of(Inputs.LITERAL_TARGETS, Inputs.ALL_TARGETS, Inputs.MIXED_TARGETS)) {
      PropagationTargets ours = PropagationTargets.of(targets);
      for (String[] urls : List.of(Inputs.LITERAL_URLS, Inputs.MIXED_URLS)) {
        for (String url : urls) {
          assertThat(ours.matches(url))
              .as("%s on %s", targets, url)
              .isEqualTo(PropagationTargetsUtils.contain(targets, url));
        }
      }
    }
  }

  @Test
  void halfOfTheUrlsMatchTheirTargets() {
    assertThat(benchmark.matchLiteral_ours()).isEqualTo(Inputs.MATCHING_URLS);
    assertThat(benchmark.matchLiteral_sentryJava()).isEqualTo(Inputs.MATCHING_URLS);
    assertThat(benchmark.matchLiteral_floor()).isEqualTo(Inputs.MATCHING_URLS);
    assertThat(benchmark.matchLiteral_floorIgnoringCase()).isEqualTo(Inputs.MATCHING_URLS);
    assertThat(benchmark.matchMixed_ours()).isEqualTo(Inputs.MATCHING_URLS);
    assertThat(benchmark.matchMixed_sentryJava()).isEqualTo(Inputs.MATCHING_URLS);
  }

  @Test
  void theLowerBoundFindsTheHitsAndTheMissesWithUpperCase() {
    assertThat(benchmark.matchLiteral_floorAndCaseCheck()).isEqualTo(Inputs.MATCHING_URLS);
    // google-analytics (tid=G-...), fonts (family=Inter), slack (T0000/B0000/XXXXXXXX)
    assertThat(benchmark.upperCaseMisses).isEqualTo(3);
  }

  @Test
  void ignoringCaseMatchesUpperCaseUrlsThatTheCaseSensitiveFloorMisses() {
    benchmark.literalUrls = new String[] {"HTTPS://API.EXAMPLE.COM/v1", "http://LocalHost:8080/", "https://example.org/API"};

    assertThat(benchmark.matchLiteral_ours()).isEqualTo(2);
    assertThat(benchmark.matchLiteral_floorIgnoringCase()).isEqualTo(2);
    assertThat(benchmark.matchLiteral_floor()).isZero();
  }

  @Test
  void theDefaultTargetMatchesEveryUrlTakingTheNextOneEachCall() {
    for (int i = 0; i < Inputs.MIXED_URLS.length; i++) {
      assertThat(benchmark.nextUrl).isEqualTo(i);
      assertThat(benchmark.matchAll_ours()).as("ours on %s", Inputs.MIXED_URLS[i]).isTrue();
    }
    assertThat(benchmark.nextUrl).as("back to the first URL").isZero();
    for (String url : Inputs.MIXED_URLS) {
      assertThat(benchmark.matchAll_sentryJava()).as("sentry-java on %s", url).isTrue();
    }
  }

  @Test
  void mixedUrlsMatchThroughLiteralsAndThroughRegexes() {
    PropagationTargets literalsOnly = PropagationTargets.of(Inputs.MIXED_TARGETS.subList(0, 4));
    int byLiteral = 0;
    for (String url : Inputs.MIXED_URLS) if (literalsOnly.matches(url)) byLiteral++;
    assertThat(byLiteral).isEqualTo(4);
  }
}
