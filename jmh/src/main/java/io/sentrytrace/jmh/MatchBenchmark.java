package io.sentrytrace.jmh;

import io.sentry.util.PropagationTargetsUtils;
import io.sentrytrace.PropagationTargets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Does an outgoing URL get trace headers ({@code tracePropagationTargets})? {@link
 * PropagationTargets#matches} against sentry-java's {@code PropagationTargetsUtils.contain}, which
 * runs {@code String.contains} and {@code String.matches} (a regex compile) per target and URL.
 * Each operation is one URL; an invocation walks all 16 URLs, half of them matching, but for the
 * default targets (matchAll), which take one URL per invocation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(Defaults.FORKS)
@Warmup(iterations = Defaults.WARMUP_ITERATIONS, time = Defaults.SECONDS)
@Measurement(iterations = Defaults.MEASUREMENT_ITERATIONS, time = Defaults.SECONDS)
@OperationsPerInvocation(16)
public class MatchBenchmark {
  // Not final: JMH must not constant-fold the inputs.
  String[] literalUrls = Inputs.LITERAL_URLS.clone();
  String[] mixedUrls = Inputs.MIXED_URLS.clone();
  String[] literalHosts = Inputs.LITERAL_TARGETS.toArray(new String[0]);
  List<String> literalTargets = Inputs.LITERAL_TARGETS;
  List<String> allTargets = Inputs.ALL_TARGETS;
  List<String> mixedTargets = Inputs.MIXED_TARGETS;
  PropagationTargets literal = PropagationTargets.of(Inputs.LITERAL_TARGETS);
  PropagationTargets all = PropagationTargets.of(Inputs.ALL_TARGETS);
  PropagationTargets mixed = PropagationTargets.of(Inputs.MIXED_TARGETS);

  @Benchmark
  public int matchLiteral_ours() {
    int n = 0;
    for (String url : literalUrls) if (literal.matches(url)) n++;
    return n;
  }

  @Benchmark
  public int matchLiteral_sentryJava() {
    int n = 0;
    for (String url : literalUrls) if (PropagationTargetsUtils.contain(literalTargets, url)) n++;
    return n;
  }

  /** The floor: the cheapest test that gives the same answer for literal hosts. */
  @Benchmark
  public int matchLiteral_floor() {
    int n = 0;
    for (String url : literalUrls) {
      for (String host : literalHosts) {
        if (url.contains(host)) {
          n++;
          break;
        }
      }
    }
    return n;
  }

  /**
   * The floor when case is ignored, as the JDK offers it: the URL lower-cased ({@code toLowerCase}
   * returns the same String when there is nothing to change, and allocates a copy when there is),
   * then contains.
   */
  @Benchmark
  public int matchLiteral_floorIgnoringCase() {
    int n = 0;
    for (String url : literalUrls) {
      String lower = url.toLowerCase(Locale.ROOT);
      for (String host : literalHosts) {
        if (lower.contains(host)) {
          n++;
          break;
        }
      }
    }
    return n;
  }

  /** URLs that {@link #matchLiteral_floorAndCaseCheck} found to have upper case: the test reads it. */
  int upperCaseMisses;

  /**
   * Not a matcher, a lower bound on one: the floor, plus, for a URL it misses, the one pass that
   * tells whether the URL has upper case (without which a miss ignoring case is a miss). Any
   * case-insensitive matcher that starts with {@code contains} pays at least this; it does not yet
   * search the URLs that have upper case.
   */
  @Benchmark
  public int matchLiteral_floorAndCaseCheck() {
    int n = 0;
    int upper = 0;
    for (String url : literalUrls) {
      boolean found = false;
      for (String host : literalHosts) {
        if (url.contains(host)) {
          found = true;
          break;
        }
      }
      if (found) {
        n++;
      } else {
        for (int i = 0, length = url.length(); i < length; i++) {
          char c = url.charAt(i);
          if (c >= 'A' && c <= 'Z') {
            upper++;
            break;
          }
        }
      }
    }
    upperCaseMisses = upper;
    return n;
  }

  /** The next URL of {@link #mixedUrls} for the matchAll pair: a field, so each call takes another. */
  int nextUrl;

  private String nextUrl() {
    int i = nextUrl;
    nextUrl = i + 1 == mixedUrls.length ? 0 : i + 1;
    return mixedUrls[i];
  }

  /**
   * The default, every URL. Every answer is true, so a loop over the URLs that counts them is a
   * constant the JIT can hoist out of the loop: each call takes one URL, the next one, and returns
   * its answer to JMH.
   */
  @Benchmark
  @OperationsPerInvocation(1)
  public boolean matchAll_ours() {
    return all.matches(nextUrl());
  }

  /** {@link #matchAll_ours} for sentry-java: one URL per call, in the same rotation. */
  @Benchmark
  @OperationsPerInvocation(1)
  public boolean matchAll_sentryJava() {
    return PropagationTargetsUtils.contain(allTargets, nextUrl());
  }

  @Benchmark
  public int matchMixed_ours() {
    int n = 0;
    for (String url : mixedUrls) if (mixed.matches(url)) n++;
    return n;
  }

  @Benchmark
  public int matchMixed_sentryJava() {
    int n = 0;
    for (String url : mixedUrls) if (PropagationTargetsUtils.contain(mixedTargets, url)) n++;
    return n;
  }
}
