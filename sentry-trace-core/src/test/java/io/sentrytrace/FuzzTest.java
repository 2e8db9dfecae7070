package io.sentrytrace;

import static io.sentrytrace.test.Hostile.VALID_TRACE;
import static io.sentrytrace.test.Hostile.VALID_TRACEPARENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.sentrytrace.internal.regex.RegexDfa;
import io.sentrytrace.test.Hostile;
import io.sentrytrace.test.LogRecords;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Property and robustness tests over seeded random input: round trips hold, and hostile input never
 * makes the parsers, the tracer or the meta tags throw or leak markup.
 */
class FuzzTest {
  private static final long SEED = 0x5EED_7ACEL;
  private static final int ROUND_TRIPS = 5_000;
  private static final int HOSTILE_INPUTS = 100_000;

  private static final Pattern SENTRY_TRACE_FORM = Pattern.compile("[0-9a-f]{32}-[0-9a-f]{16}(-[01])?");
  /** Percent-encoded baggage: unreserved chars, escapes and the two separators. */
  private static final Pattern BAGGAGE_CHARS = Pattern.compile("[A-Za-z0-9._~%=,-]*");

  private final Random random = new Random(SEED);
  private final Hostile hostile = Hostile.from(random, 70_000);

  // ---- round trips ----

  @Test
  void idsRoundTripThroughHex() {
    for (int i = 0; i < ROUND_TRIPS; i++) {
      String trace = randomHex(32);
      String span = randomHex(16);
      if (!trace.matches("0+")) assertThat(TraceId.fromHex(trace).toString()).isEqualTo(trace.toLowerCase());
      if (!span.matches("0+")) assertThat(SpanId.fromHex(span).toString()).isEqualTo(span.toLowerCase());
    }
  }

  @Test
  void sentryTraceHeadersRoundTrip() {
    for (int i = 0; i < ROUND_TRIPS; i++) {
      TraceId trace = TraceId.fromHex(nonZeroHex(32));
      SpanId span = SpanId.fromHex(nonZeroHex(16));
      Boolean sampled = random.nextInt(3) == 0 ? null : random.nextBoolean();
      SentryTrace header = SentryTrace.of(trace, span, sampled);
      assertThat(SentryTrace.parse(header.toString())).contains(header);
      assertThat(SentryTrace.parse(withRandomCase(" " + header + "\t"))).contains(header);
    }
  }

  @Test
  void baggageMapsRoundTripThroughHeaderAndMerge() {
    for (int i = 0; i < ROUND_TRIPS; i++) {
      Map<String, String> values = new LinkedHashMap<>();
      int n = 1 + random.nextInt(8);
      for (int k = 0; k < n; k++) values.put(randomText(1 + random.nextInt(12)), randomText(1 + random.nextInt(40)));
      Baggage baggage = Baggage.of(values);
      String header = baggage.toHeader();

      assertMatches(header, BAGGAGE_CHARS);
      assertThat(Baggage.parse(header).sentryValues()).as(header).isEqualTo(values);

      String others = "vendor" + i + "=a%20b;prop, other=1";
      String merged = Baggage.merge(others, baggage);
      assertThat(merged).startsWith("vendor" + i + "=a%20b;prop,other=1,");
      assertThat(Baggage.parse(merged).sentryValues()).isEqualTo(values);
      assertThat(Baggage.merge(merged, baggage)).isEqualTo(merged);
    }
  }

  // ---- hostile input ----

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS) // bounds a hang only: a loaded 2-core machine took over 60 s
  void hostileInputNeverBreaksAnything() {
    Tracer tracer = Tracer.builder().tracesSampleRate(0.5).release("r").orgId("1").build();
    Tracer w3c = Tracer.builder().continueFromTraceparent(true).build();
    PropagationTargets targets;
    try (LogRecords log = LogRecords.of(PropagationTargets.class)) {
      targets = PropagationTargets.of(List.of(
          "localhost", "api[", "^https://api\\.example\\.com/.*", Pattern.compile("^/"), Pattern.compile("example\\.(com|org)/v[2-4]")));
      assertThat(log.levels()).containsExactly(java.util.logging.Level.INFO); // "api[" is a substring only
    }
    Baggage ours = Baggage.of(Map.of("trace_id", "0123456789abcdef0123456789abcdef", "release", "r"));

    for (int i = 0; i < HOSTILE_INPUTS; i++) {
      String s = hostile.input(i);
      try {
        Optional<SentryTrace> trace = SentryTrace.parse(s);
        trace.ifPresent(t -> assertMatches(t.toString(), SENTRY_TRACE_FORM));

        Baggage baggage = Baggage.parse(s);
        String header = baggage.toHeader();
        assertThat(header.length()).isLessThanOrEqualTo(Baggage.MAX_HEADER_LENGTH);
        assertThat(baggage.sentryValues().size()).isLessThanOrEqualTo(Baggage.MAX_MEMBERS);
        assertMatches(header, BAGGAGE_CHARS);

        String merged = Baggage.merge(s, ours);
        assertThat(Baggage.merge(merged, ours)).isEqualTo(merged);
        // Incoming sentry- members never survive; ours are all there unless the other vendors
        // already fill the header's limits.
        Map<String, String> sent = Baggage.parse(merged).sentryValues();
        assertThat(ours.sentryValues()).containsAllEntriesOf(sent);
        if (s.length() < 100) assertThat(sent).isEqualTo(ours.sentryValues());

        targets.matches(s);
        if (i % 5 == 0) dfaOf(s); // compiling random regexes is slow: a sample is enough

        try {
          Dsn.parse(s);
        } catch (IllegalArgumentException expected) {
          assertThat(expected.getMessage()).isNotBlank();
        }

        String otherHostile = hostile.input(random.nextInt(HOSTILE_INPUTS));
        String sentryTrace = random.nextInt(3) == 0 ? s : random.nextBoolean() ? VALID_TRACE : hostile.mutate(VALID_TRACE);
        PropagationContext ctx = tracer.continueTrace(sentryTrace, random.nextBoolean() ? otherHostile : "sentry-release=" + otherHostile + "," + s);
        assertThat(ctx).isNotNull();
        Span span = tracer.startTransaction(s, "http.server", ctx);
        checkMetaTags(MetaTags.render(span), span);
        assertThat(ServerTiming.header(span)).doesNotContain("\r", "\n");

        Map<String, String> carrier = new HashMap<>();
        carrier.put("sentry-trace", random.nextBoolean() ? s : null);
        carrier.put("traceparent", random.nextBoolean() ? hostile.mutate(VALID_TRACEPARENT) : s);
        carrier.put("baggage", otherHostile);
        assertThat(w3c.extract(carrier, Map::get)).isNotNull();
      } catch (AssertionError | RuntimeException e) {
        fail("input #" + i + " \"" + escape(s) + "\" (" + s.length() + " chars)", e);
      }
    }
  }

  /** The two tag templates, and between them only escaped, attribute-safe text. */
  private static void checkMetaTags(String html, Span span) {
    String traceOpen = "<meta name=\"sentry-trace\" content=\"";
    String baggageOpen = "\n<meta name=\"baggage\" content=\"";
    String close = "\"/>";
    assertThat(html).startsWith(traceOpen);
    String rest = html.substring(traceOpen.length());
    int end = rest.indexOf('"');
    assertThat(rest.substring(0, end)).isEqualTo(span.toSentryTrace());
    assertThat(rest.substring(end)).startsWith(close);
    rest = rest.substring(end + close.length());
    if (rest.isEmpty()) return;
    assertThat(rest).startsWith(baggageOpen);
    rest = rest.substring(baggageOpen.length());
    end = rest.indexOf('"');
    String content = rest.substring(0, end);
    assertThat(rest.substring(end)).isEqualTo(close);
    assertMatches(content, BAGGAGE_CHARS); // no < > " ' & left to escape, no whitespace
  }

  /** A precompiled check: AssertJ's matches(String) compiles the regex on every call. */
  private static void assertMatches(String s, Pattern pattern) {
    if (!pattern.matcher(s).matches()) assertThat(s).matches(pattern);
  }

  /** A hostile string as a regex: the DFA takes it or says why, and runs on it without throwing. */
  private static void dfaOf(String s) {
    Pattern p;
    try {
      p = Pattern.compile(s, Pattern.CASE_INSENSITIVE);
    } catch (IllegalArgumentException notARegex) { // PatternSyntaxException included
      return;
    }
    RegexDfa dfa;
    try {
      dfa = RegexDfa.compile(p, false);
    } catch (RegexDfa.Unsupported e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    dfa.matches(s);
    assertThat(dfa.requiredLiteral()).isNotNull();
  }

  // ---- generators ----

  private String randomHex(int length) {
    char[] chars = new char[length];
    for (int i = 0; i < length; i++) chars[i] = "0123456789abcdefABCDEF".charAt(random.nextInt(22));
    return new String(chars);
  }

  private String nonZeroHex(int length) {
    String hex;
    do {
      hex = randomHex(length);
    } while (hex.matches("0+"));
    return hex;
  }

  private String withRandomCase(String s) {
    StringBuilder b = new StringBuilder(s);
    for (int i = 0; i < b.length(); i++) if (random.nextBoolean()) b.setCharAt(i, Character.toUpperCase(b.charAt(i)));
    return b.toString();
  }

  /** Valid Unicode text rich in the characters that matter to baggage. */
  private String randomText(int length) {
    String special = ",=;%\"' \t+&<>/:@é😀\u00a0\u3042";
    StringBuilder b = new StringBuilder();
    while (b.length() < length) {
      switch (random.nextInt(4)) {
        case 0:
          b.appendCodePoint(special.codePointAt(special.offsetByCodePoints(0, random.nextInt(special.codePointCount(0, special.length())))));
          break;
        case 1:
          int cp = random.nextInt(0x2FFFF);
          if (cp < 0xD800 || cp > 0xDFFF) b.appendCodePoint(cp);
          break;
        default:
          b.append((char) ('a' + random.nextInt(26)));
      }
    }
    return b.toString();
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < Math.min(s.length(), 300); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return s.length() > 300 ? b + "..." : b.toString();
  }
}
