package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.test.LogRecords;
import io.sentrytrace.test.Work;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The guard against hostile request input: every parser and helper that sees request input does
 * work linear in its size (at 8 times the input, at most about 8 times the work: {@link
 * Work#assertLinear}), counted in chars read or bytes allocated, never timed. Each runs on small
 * inputs and on inputs far past the 8192-char limits, in the shapes that made a search run to the
 * end of the header.
 */
class ScalingTest {
  private static final String TRACE = "0123456789abcdef0123456789abcdef-0123456789abcdef-1";
  /** Below the read limits (8n stays under 8192 chars) and far beyond them. */
  private static final int[] SIZES = {1_000, 60_000};

  @Test
  void sentryTraceParseReadsLinearly() {
    for (int n : SIZES) {
      Work.assertLinear("SentryTrace.parse padded", n, size -> " ".repeat(size) + TRACE + "\t".repeat(size),
          s -> Work.charsRead(s, SentryTrace::parse));
      Work.assertLinear("SentryTrace.parse garbage", n, size -> "-".repeat(size),
          s -> Work.charsRead(s, SentryTrace::parse));
    }
  }

  @Test
  void baggageParseReadsLinearly() {
    for (int n : SIZES) {
      for (String member : new String[] {"sentry-a=b,", "sentry-a,", "sentry-k=%41,", "other=1;p=2,", " , "}) {
        Work.assertLinear("Baggage.parse " + member, n, size -> member.repeat(size / member.length()),
            s -> Work.charsRead(s, Baggage::parse));
      }
      Work.assertLinear("Baggage.parse one long member", n, size -> "sentry-release=" + "r".repeat(size),
          s -> Work.charsRead(s, Baggage::parse));
      Work.assertLinear("Baggage.parse one long escaped member", n, size -> "sentry-release=" + "%41".repeat(size / 3),
          s -> Work.charsRead(s, Baggage::parse));
    }
  }

  @Test
  void baggageMergeReadsLinearly() {
    Baggage ours = Baggage.parse("sentry-trace_id=0123456789abcdef0123456789abcdef,sentry-sample_rand=0.5");
    try (LogRecords dropped = LogRecords.of(Baggage.class)) { // other members dropped: asserted in BaggageTest
      for (int n : SIZES) {
        for (String member : new String[] {"other=1,", "sentry-a=b,", "o", " ,"}) {
          Work.assertLinear("Baggage.merge " + member, n, size -> member.repeat(size / member.length()),
              s -> Work.charsRead(s, chars -> Baggage.mergeFrom(chars, ours)));
        }
        Work.assertLinear("Baggage.merge distinct members", n, ScalingTest::distinctMembers,
            s -> Work.charsRead(s, chars -> Baggage.mergeFrom(chars, ours)));
      }
    }
  }

  @Test
  void baggageMergeKeepsABoundedAmountOfALargeExistingHeader() {
    Baggage ours = Baggage.parse("sentry-trace_id=0123456789abcdef0123456789abcdef,sentry-sample_rand=0.5");
    try (LogRecords dropped = LogRecords.of(Baggage.class)) {
      for (int size : new int[] {60_000, 480_000}) {
        for (String existing : new String[] {"other=1,".repeat(size / 8), distinctMembers(size), "x".repeat(size)}) {
          String merged = Baggage.merge(existing, ours);
          assertThat(merged).hasSizeLessThanOrEqualTo(Baggage.MAX_HEADER_LENGTH).endsWith(ours.toHeader());
          assertThat(merged.split(",")).hasSizeLessThanOrEqualTo(Baggage.MAX_MEMBERS);
          // The header kept and written is at most 8192 chars (16 KB as UTF-16), whatever was read.
          assertThat(Work.allocatedBytes(() -> Baggage.merge(existing, ours)))
              .as("bytes allocated merging %d chars", existing.length()).isLessThanOrEqualTo(64 * 1024);
        }
      }
      assertThat(dropped.records()).isNotEmpty();
    }
  }

  @Test
  void corsAllowHeadersReadsAndAllocatesLinearly() {
    for (int n : SIZES) {
      for (String name : new String[] {"X-A, ", "x-b,", "Content-Type,", "X-" }) {
        Work.assertLinear("Cors.allowHeaders reads " + name, n, size -> name.repeat(size / name.length()),
            s -> Work.charsRead(s, chars -> Cors.allowHeadersOf(chars, true)));
        Work.assertLinear("Cors.allowHeaders allocates " + name, n, size -> name.repeat(size / name.length()),
            s -> Work.allocatedBytes(() -> Cors.allowHeaders(s, true)));
      }
      // Distinct names: the case that made the old list search quadratic.
      Work.assertLinear("Cors.allowHeaders distinct names", n, ScalingTest::distinctNames,
          s -> Work.allocatedBytes(() -> Cors.allowHeaders(s, true)));
    }
  }

  @Test
  void propagationTargetsMatchReadLinearly() {
    PropagationTargets targets = PropagationTargets.of(List.of(
        "localhost", "api.example.org", "^https://api\\.example\\.org/.*", Pattern.compile("internal\\.example\\.net")));
    for (int n : SIZES) {
      Work.assertLinear("PropagationTargets.matches", n, size -> "https://www.example.com/" + "a".repeat(size),
          s -> Work.charsRead(s, targets::matches));
      Work.assertLinear("PropagationTargets.matches upper case", n, size -> "https://WWW.EXAMPLE.COM/" + "Ab/".repeat(size / 3),
          s -> Work.charsRead(s, targets::matches));
    }
  }

  /**
   * Regexes that take exponential time on a backtracking engine, on URLs of ASCII, Latin-1,
   * surrogate pairs and lone surrogates. The CharSequence path counts chars read; the String path
   * every adapter uses runs the same DFA (no target is left to java.util.regex: nothing is logged)
   * and allocates linearly at most; its CPU time at 8n is bounded too, by a margin only a blow-up
   * exceeds.
   */
  @Test
  void propagationTargetsMatchLinearlyOnCatastrophicRegexes() {
    List<Object> catastrophic = List.of(
        Pattern.compile("^https://api\\.example\\.com/(\\w*/?)*?/v1$"),
        Pattern.compile("(a+)+b"),
        Pattern.compile("(a|aa)*c"),
        Pattern.compile("(\\w|\\d|a)+!"),
        "^https://x/(.*a){12}$",
        "^https://x/([a-z]+.?)+\\.example$",
        Pattern.compile("(?:.*[a-z]){10}[0-9]"));
    PropagationTargets targets;
    try (LogRecords log = LogRecords.of(PropagationTargets.class)) {
      targets = PropagationTargets.of(catastrophic);
      assertThat(log.records()).as("every target runs on the DFA").isEmpty();
    }
    String[] ends = {"\uD83D\uDE00", "\uD83D", "\u00e9", "!", "\n"};
    String[] bodies = {"a", "\u00e9a", "a\uD83D\uDE00"};
    for (String body : bodies) {
      for (String end : ends) {
        java.util.function.IntFunction<String> url = size -> "https://api.example.com/" + body.repeat(size / body.length()) + end;
        Work.assertLinear("catastrophic targets read /" + body + "/" + end, 256, url, s -> Work.charsRead(s, targets::matches));
        // The URL is built outside the measured call: only what matching allocates is counted.
        String large8n = url.apply(8 * 256);
        assertThat(Work.allocatedBytes(() -> targets.matches(large8n))).as("bytes allocated matching a String").isZero();
        long small = cpuNanos(targets, url.apply(256));
        long large = cpuNanos(targets, url.apply(8 * 256));
        assertThat(large).as("CPU time on a String at n=256: %d ns, at 8n: %d ns", small, large)
            .isLessThanOrEqualTo(10 * small + 5_000_000L);
      }
    }
  }

  /** The least thread CPU time of 5 runs of 20 matches each, after a warm-up. */
  private static long cpuNanos(PropagationTargets targets, String url) {
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    for (int i = 0; i < 20; i++) targets.matches(url);
    long least = Long.MAX_VALUE;
    for (int run = 0; run < 5; run++) {
      long before = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < 20; i++) targets.matches(url);
      least = Math.min(least, threads.getCurrentThreadCpuTime() - before);
    }
    return least;
  }

  @Test
  void dsnParseAllocatesLinearly() {
    for (int n : SIZES) {
      Work.assertLinear("Dsn.parse long path", n, size -> "https://k@host.example/" + "a/".repeat(size / 2) + "1",
          s -> Work.allocatedBytes(() -> Dsn.parse(s)));
      Work.assertLinear("Dsn.parse trailing slashes", n, size -> "https://k@host.example/1" + "/".repeat(size),
          s -> Work.allocatedBytes(() -> Dsn.parse(s)));
    }
  }

  @Test
  void metaTagsRenderAllocatesLinearly() {
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).build();
    for (int n : SIZES) {
      Work.assertLinear("continueTrace + MetaTags.render", n, size -> "sentry-trace_id=0123456789abcdef0123456789abcdef,sentry-release=" + "\"<".repeat(size / 2),
          s -> Work.allocatedBytes(() -> MetaTags.render(tracer.startTransaction("GET /", "http.server", tracer.continueTrace(TRACE, s)))));
    }
  }

  @Test
  void oneRequestsHeadersKeepABoundedAmount() {
    String huge = "sentry-trace_id=0123456789abcdef0123456789abcdef,sentry-release=" + "r".repeat(384 * 1024);
    Baggage parsed = Baggage.parse(huge);
    assertThat(keptChars(parsed)).isLessThanOrEqualTo(Baggage.MAX_HEADER_LENGTH);
    assertThat(parsed.toHeader().length()).isLessThanOrEqualTo(Baggage.MAX_HEADER_LENGTH);

    String manyMembers = "sentry-k=v,".repeat(384 * 1024 / 11) + "x=" + "y".repeat(1000);
    assertThat(keptChars(Baggage.parse(manyMembers))).isLessThanOrEqualTo(Baggage.MAX_HEADER_LENGTH);
    assertThat(Baggage.merge(manyMembers, parsed).length()).isLessThanOrEqualTo(Baggage.MAX_HEADER_LENGTH);
    try (LogRecords dropped = LogRecords.of(Baggage.class)) {
      String merged = Baggage.merge("x=y,".repeat(96 * 1024), parsed);
      assertThat(merged).hasSizeLessThanOrEqualTo(Baggage.MAX_HEADER_LENGTH).contains("sentry-trace_id=");
      assertThat(merged.split(",")).hasSizeLessThanOrEqualTo(Baggage.MAX_MEMBERS);
      assertThat(dropped.records()).hasSize(1);
    }

    String cors = Cors.allowHeaders(distinctNames(384 * 1024), true);
    assertThat(cors.length()).isLessThanOrEqualTo(Baggage.MAX_HEADER_LENGTH + 64);
  }

  private static int keptChars(Baggage baggage) {
    return baggage.sentryValues().entrySet().stream().mapToInt(e -> e.getKey().length() + e.getValue().length()).sum();
  }

  /** {@code m0=v,m1=v,...} of about {@code size} chars. */
  private static String distinctMembers(int size) {
    StringBuilder b = new StringBuilder(size + 16);
    for (int i = 0; b.length() < size; i++) b.append('m').append(i).append("=v,");
    return b.toString();
  }

  private static String distinctNames(int size) {
    StringBuilder b = new StringBuilder(size + 16);
    for (int i = 0; b.length() < size; i++) b.append("X-H").append(i).append(", ");
    return b.toString();
  }
}
