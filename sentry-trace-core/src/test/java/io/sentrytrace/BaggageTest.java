package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentrytrace.test.LogRecords;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class BaggageTest {

  // ---- conformance vectors ----

  @TestFactory
  Stream<DynamicTest> parsesEveryConformanceVector() {
    return Vectors.cases("baggage-parse.json").stream()
        .map(v -> DynamicTest.dynamicTest(Vectors.name(v.get("input"), v), () -> {
          Baggage baggage = Baggage.parse((String) v.get("input"));
          assertThat(baggage.sentryValues()).isEqualTo(Vectors.strings(v.get("sentry")));
          assertThat(baggage.isEmpty()).isEqualTo(Vectors.strings(v.get("sentry")).isEmpty());
        }));
  }

  @TestFactory
  Stream<DynamicTest> serialisesEveryConformanceVector() {
    return Vectors.cases("baggage-serialise.json").stream()
        .map(v -> DynamicTest.dynamicTest(Vectors.name(v.get("sentry"), v), () -> {
          Map<String, String> sentry = Vectors.strings(v.get("sentry"));
          String header = Baggage.of(sentry).toHeader();
          if (v.containsKey("header")) assertThat(header).isEqualTo(v.get("header"));
          if (v.containsKey("headerContainsAll")) {
            List<String> members = Arrays.asList(header.split(",", -1));
            assertThat(members).containsExactlyInAnyOrderElementsOf(
                Vectors.list(v.get("headerContainsAll")).stream().map(String.class::cast).collect(Collectors.toList()));
          }
          assertThat(header).doesNotContain(" ", "+");
          assertThat(Baggage.parse(header).sentryValues()).isEqualTo(sentry);
        }));
  }

  @TestFactory
  Stream<DynamicTest> mergesEveryConformanceVector() {
    return Vectors.cases("baggage-merge.json").stream()
        .map(v -> DynamicTest.dynamicTest(Vectors.name(v.get("existing"), v), () -> {
          String existing = (String) v.get("existing");
          Baggage sentry = Baggage.parse((String) v.get("sentry"));
          String merged = Baggage.merge(existing, sentry);
          assertThat(merged).isEqualTo(v.get("result"));
          assertThat(Baggage.merge(merged, sentry)).as("merging again").isEqualTo(merged);
        }));
  }

  // ---- parse ----

  @Test
  void nullParsesToEmpty() {
    assertThat(Baggage.parse(null).isEmpty()).isTrue();
    assertThat(Baggage.parse(null)).isEqualTo(Baggage.empty());
  }

  @Test
  void plusIsNotASpace() {
    assertThat(Baggage.parse("sentry-transaction=a+b").get("transaction")).isEqualTo("a+b");
  }

  @Test
  void decodesPercentEncodedKeys() {
    assertThat(Baggage.parse("sentry-us%65r_id=1").sentryValues()).isEqualTo(Map.of("user_id", "1"));
  }

  @Test
  void dropsTruncatedAndInvalidEscapes() {
    assertThat(Baggage.parse("sentry-a=%,sentry-b=%4,sentry-c=%zz,sentry-d=%C3,sentry-e=ok").sentryValues())
        .isEqualTo(Map.of("e", "ok"));
  }

  @Test
  void decodesRawNonAsciiMixedWithEscapes() {
    // Raw non-ASCII is not valid baggage, but must never make the parser throw.
    assertThat(Baggage.parse("sentry-release=%41ééé" + "a".repeat(10)).get("release")).isEqualTo("Aééé" + "a".repeat(10));
    assertThat(Baggage.parse("sentry-release=%41" + "\uD83D\uDE00".repeat(5) + "xyz").get("release")).startsWith("A").endsWith("xyz");
  }

  @Test
  void ignoresEmptyKeysAfterThePrefix() {
    assertThat(Baggage.parse("sentry-=x,sentry- =y").isEmpty()).isTrue();
  }

  @Test
  void keepsAtMost64SentryValues() {
    String header = java.util.stream.IntStream.range(0, 100).mapToObj(i -> "sentry-k" + i + "=" + i).collect(Collectors.joining(","));
    Baggage baggage = Baggage.parse(header);
    assertThat(baggage.sentryValues()).hasSize(Baggage.MAX_MEMBERS).containsEntry("k0", "0").containsEntry("k63", "63");
    assertThat(baggage.get("k64")).isNull();
  }

  @Test
  void aDuplicateOfAKeptKeyStillWinsWhenFull() {
    String header = java.util.stream.IntStream.range(0, 70).mapToObj(i -> "sentry-k" + i + "=" + i).collect(Collectors.joining(","))
        + ",sentry-k5=last";
    assertThat(Baggage.parse(header).get("k5")).isEqualTo("last");
  }

  // ---- hostile input: what is read and kept is bounded ----

  private static final String TRACE_ID = "0123456789abcdef0123456789abcdef";
  private static final String SENTRY_TRACE = TRACE_ID + "-0123456789abcdef-1";

  @Test
  void readsOnlyTheFirst8192Chars() {
    String header = "sentry-trace_id=" + TRACE_ID + ",sentry-release=" + "r".repeat(300 * 1024) + ",sentry-environment=prod";
    // The release is cut by the limit, so it is dropped; the environment lies beyond it.
    assertThat(Baggage.parse(header).sentryValues()).isEqualTo(Map.of("trace_id", TRACE_ID));
    assertThat(Baggage.parse(new StringBuilder(header)).sentryValues()).isEqualTo(Map.of("trace_id", TRACE_ID));
  }

  @Test
  void aMemberEndingExactlyAtTheReadLimitIsKept() {
    String prefix = "sentry-release=";
    String value = "r".repeat(Baggage.MAX_HEADER_LENGTH - prefix.length());
    assertThat(Baggage.parse(prefix + value + ",sentry-environment=prod").sentryValues()).isEqualTo(Map.of("release", value));
    assertThat(Baggage.parse(prefix + value + "r").isEmpty()).isTrue();
  }

  @Test
  void aHugeReleaseIsNotContinuedNorSentDownstream() {
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).build();
    String release = "r".repeat(300 * 1024);
    Span span = tracer.startTransaction("GET /", "http.server",
        tracer.continueTrace(SENTRY_TRACE, "sentry-trace_id=" + TRACE_ID + ",sentry-release=" + release));
    assertThat(span.toBaggage()).contains("sentry-trace_id=" + TRACE_ID).doesNotContain("rrrr");
    assertThat(span.dynamicSamplingContext().get("release")).isNull();
  }

  @Test
  void knownDscKeysWinOverUnknownSentryMembers() {
    String junk = java.util.stream.IntStream.range(0, 70).mapToObj(i -> "sentry-k" + i + "=x").collect(Collectors.joining(","));
    Baggage baggage = Baggage.parse(junk + ",sentry-trace_id=" + TRACE_ID + ",sentry-sample_rate=0.5");
    assertThat(baggage.sentryValues()).hasSize(Baggage.MAX_MEMBERS)
        .containsEntry("trace_id", TRACE_ID).containsEntry("sample_rate", "0.5").containsEntry("k0", "x");
    assertThat(baggage.toHeader()).contains("sentry-trace_id=" + TRACE_ID, "sentry-sample_rate=0.5");
  }

  @Test
  void withAKnownKeyAlwaysFitsAFullDsc() {
    String junk = java.util.stream.IntStream.range(0, 64).mapToObj(i -> "sentry-k" + i + "=x").collect(Collectors.joining(","));
    Baggage full = Baggage.parse(junk);
    assertThat(full.sentryValues()).hasSize(Baggage.MAX_MEMBERS);
    Baggage backfilled = full.with("sample_rand", "0.25");
    assertThat(backfilled.sentryValues()).hasSize(Baggage.MAX_MEMBERS).containsEntry("sample_rand", "0.25");
    assertThat(backfilled.toHeader()).contains("sentry-sample_rand=0.25");
    assertThat(Baggage.merge("other=1", backfilled)).startsWith("other=1,").contains("sentry-sample_rand=0.25");
  }

  @Test
  void aBackfilledSampleRandIsSentWhenTheIncomingDscIsFull() {
    String junk = java.util.stream.IntStream.range(0, 62).mapToObj(i -> "sentry-k" + i + "=x").collect(Collectors.joining(","));
    String longRelease = "sentry-trace_id=" + TRACE_ID + ",sentry-release=";
    longRelease += "r".repeat(Baggage.MAX_HEADER_LENGTH - longRelease.length());
    for (String incoming : new String[] {junk + ",sentry-trace_id=" + TRACE_ID + ",sentry-sample_rate=0.5", longRelease}) {
      Tracer tracer = Tracer.builder().tracesSampleRate(1.0).build();
      PropagationContext context = tracer.continueTrace(SENTRY_TRACE, incoming);
      Span span = tracer.startTransaction("GET /", "http.server", context);
      String sampleRand = "sentry-sample_rand=" + span.dynamicSamplingContext().get("sample_rand");
      assertThat(span.toBaggage()).hasSizeLessThanOrEqualTo(Baggage.MAX_HEADER_LENGTH)
          .contains("sentry-trace_id=" + TRACE_ID, sampleRand);

      Map<String, String> carrier = new HashMap<>();
      tracer.inject(span, carrier, Map::get, Map::put);
      assertThat(carrier.get("baggage")).contains("sentry-trace_id=" + TRACE_ID, sampleRand);
    }
  }

  @Test
  void knownKeysAreWrittenFirstWhenNotAllFit() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("junk", "j".repeat(6000));
    values.put("release", "r".repeat(3000));
    values.put("trace_id", TRACE_ID);
    values.put("sample_rand", "0.5");
    String header = Baggage.of(values).toHeader();
    // The release takes the room the junk would have needed; the order is kept.
    assertThat(header).isEqualTo("sentry-release=" + "r".repeat(3000) + ",sentry-trace_id=" + TRACE_ID + ",sentry-sample_rand=0.5");
  }

  // ---- of / toHeader ----

  @Test
  void ofLeavesOutNullAndEmptyKeysAndValues() {
    Map<String, String> values = new HashMap<>();
    values.put(null, "x");
    values.put("", "x");
    values.put("a", null);
    values.put("b", "");
    values.put("c", "kept");
    assertThat(Baggage.of(values).sentryValues()).isEqualTo(Map.of("c", "kept"));
    assertThat(Baggage.of(Map.of()).toHeader()).isEmpty();
  }

  @Test
  void ofCopiesItsInput() {
    Map<String, String> values = new LinkedHashMap<>(Map.of("release", "1"));
    Baggage baggage = Baggage.of(values);
    values.put("release", "2");
    assertThat(baggage.get("release")).isEqualTo("1");
    assertThatThrownBy(() -> baggage.sentryValues().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void encodesSpaceAsPercent20NeverPlus() {
    assertThat(Baggage.of(Map.of("transaction", "GET /a b+c")).toHeader())
        .isEqualTo("sentry-transaction=GET%20%2Fa%20b%2Bc");
  }

  @Test
  void encodesNonAsciiAsUtf8() {
    assertThat(Baggage.of(Map.of("user", "é😀")).toHeader()).isEqualTo("sentry-user=%C3%A9%F0%9F%98%80");
  }

  @Test
  void joinsMembersWithCommaInInsertionOrder() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("trace_id", "t");
    values.put("release", "r");
    values.put("environment", "e");
    assertThat(Baggage.of(values).toHeader()).isEqualTo("sentry-trace_id=t,sentry-release=r,sentry-environment=e");
  }

  @Test
  void headerIsAtMost8192CharsAndAMemberThatWouldExceedIsLeftOut() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("a", "x".repeat(5000));
    values.put("big", "y".repeat(5000)); // would exceed: left out
    values.put("c", "z".repeat(100)); // still fits after it
    String header = Baggage.of(values).toHeader();

    assertThat(header.length()).isLessThanOrEqualTo(Baggage.MAX_HEADER_LENGTH);
    assertThat(Baggage.parse(header).sentryValues()).containsOnlyKeys("a", "c");
  }

  @Test
  void aMemberThatFitsExactlyIsKept() {
    String value = "v".repeat(Baggage.MAX_HEADER_LENGTH - "sentry-k=".length());
    assertThat(Baggage.of(Map.of("k", value)).toHeader()).hasSize(Baggage.MAX_HEADER_LENGTH);
    assertThat(Baggage.of(Map.of("k", value + "v")).toHeader()).isEmpty();
  }

  @Test
  void aNonAsciiMemberThatFitsExactlyIsKept() {
    // "é" encodes to 6 chars; the ASCII after it to one char each.
    String value = "é" + "a".repeat(Baggage.MAX_HEADER_LENGTH - "sentry-k=".length() - 6);
    assertThat(Baggage.of(Map.of("k", value)).toHeader()).hasSize(Baggage.MAX_HEADER_LENGTH);
    assertThat(Baggage.of(Map.of("k", value + "a")).toHeader()).isEmpty();
  }

  @Test
  void headerHasAtMost64Members() {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < 100; i++) values.put("k" + i, "v");
    String header = Baggage.of(values).toHeader();
    assertThat(header.split(",")).hasSize(Baggage.MAX_MEMBERS);
  }

  @Test
  void mergeCountsOtherVendorsTowardsTheLimits() {
    String existing = java.util.stream.IntStream.range(0, 10).mapToObj(i -> "v" + i + "=x").collect(Collectors.joining(","));
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < 100; i++) values.put("k" + i, "v");
    String merged = Baggage.merge(existing, Baggage.of(values));
    assertThat(merged.split(",")).hasSize(Baggage.MAX_MEMBERS);
    assertThat(merged).startsWith(existing + ",");

    // Sentry's DSC members come first within the limits (issue 19 §3): the release takes the room
    // the other vendor's member would have needed; an unknown sentry- member still fits after it.
    String longExisting = "other=" + "o".repeat(8000);
    Baggage sentry = Baggage.of(Map.of("release", "r".repeat(300), "env", "e"));
    String mergedLong = Baggage.merge(longExisting, sentry);
    assertThat(mergedLong).isEqualTo(sentry.toHeader()).contains("sentry-env=e");
    String shorterExisting = "other=" + "o".repeat(7000);
    assertThat(Baggage.merge(shorterExisting, sentry)).isEqualTo(shorterExisting + "," + sentry.toHeader());
  }

  // ---- merge within the W3C limits, Sentry's DSC first (issue 19 §3) ----

  /** Eight members, all of them DSC keys. */
  private static final Baggage DSC = Baggage.parse("sentry-trace_id=" + TRACE_ID
      + ",sentry-sample_rand=0.5,sentry-sample_rate=1,sentry-sampled=true,sentry-public_key=k,sentry-org_id=1"
      + ",sentry-environment=prod,sentry-release=shop%401.0");

  /** {@code m0=v0,m1=v1,...}: n other vendors' members. */
  private static String others(int n) {
    return java.util.stream.IntStream.range(0, n).mapToObj(i -> "m" + i + "=v" + i).collect(Collectors.joining(","));
  }

  private static void assertWithinTheLimitsWithSentrysDsc(String merged) {
    assertThat(merged.split(",", -1)).hasSizeLessThanOrEqualTo(Baggage.MAX_MEMBERS);
    assertThat(merged).hasSizeLessThanOrEqualTo(Baggage.MAX_HEADER_LENGTH).endsWith(DSC.toHeader());
    assertThat(Baggage.parse(merged)).isEqualTo(DSC);
  }

  @Test
  void mergeKeepsSentrysDscAndAsManyOtherMembersAsTheMemberLimitLeaves() {
    int room = Baggage.MAX_MEMBERS - DSC.sentryValues().size(); // 56
    for (int n : new int[] {0, 1, room - 1, room, room + 1, 63, 64, 65, 10_000}) {
      String merged = Baggage.merge(others(n), DSC);
      assertWithinTheLimitsWithSentrysDsc(merged);
      // The first members that fit, in their order, then Sentry's.
      int kept = Math.min(n, room);
      assertThat(merged).as("%d existing members", n).isEqualTo(kept == 0 ? DSC.toHeader() : others(kept) + "," + DSC.toHeader());
    }
  }

  @Test
  void mergeKeepsSentrysDscAndAsManyOtherMembersAsTheLengthLimitLeaves() {
    String member = "m=" + "v".repeat(998); // 1000 chars
    String existing = String.join(",", java.util.Collections.nCopies(10, member));
    String merged = Baggage.merge(existing, DSC);
    assertWithinTheLimitsWithSentrysDsc(merged);
    int fit = (Baggage.MAX_HEADER_LENGTH - DSC.toHeader().length()) / (member.length() + 1);
    assertThat(fit).isEqualTo(7);
    assertThat(merged).isEqualTo(String.join(",", java.util.Collections.nCopies(fit, member)) + "," + DSC.toHeader());
  }

  @Test
  void anOtherMemberTooLongToFitIsDroppedAndTheNextOnesStillFit() {
    String merged = Baggage.merge("big=" + "x".repeat(Baggage.MAX_HEADER_LENGTH) + ",small=1", DSC);
    assertThat(merged).isEqualTo("small=1," + DSC.toHeader());
  }

  @Test
  void mergeGivesOtherVendorsPrecedenceOverUnknownSentryMembers() {
    // Unknown sentry- members come from whoever started the trace: they must not push out the
    // application's own members, which are kept before them; Sentry's own order is kept.
    Map<String, String> values = new LinkedHashMap<>();
    values.put("trace_id", TRACE_ID);
    for (int i = 0; i < 10; i++) values.put("k" + i, "x");
    String merged = Baggage.merge(others(60), Baggage.of(values));
    assertThat(merged).isEqualTo(others(60) + ",sentry-trace_id=" + TRACE_ID + ",sentry-k0=x,sentry-k1=x,sentry-k2=x");
  }

  @Test
  void mergeLogsHowManyOtherMembersItDroppedOncePerMergeThatDrops() {
    Baggage.DROPPED.reset();
    try (LogRecords log = LogRecords.of(Baggage.class)) {
      Baggage.merge(others(10_000), DSC); // 56 kept
      Baggage.merge(others(56), DSC); // all kept: nothing logged
      Baggage.merge(others(100), DSC);
      Baggage.merge("big=" + "x".repeat(Baggage.MAX_HEADER_LENGTH), Baggage.empty());
      assertThat(log.levels()).containsExactly(
          java.util.logging.Level.WARNING, java.util.logging.Level.FINE, java.util.logging.Level.FINE);
      List<String> messages = log.records().stream().map(java.util.logging.LogRecord::getMessage).toList();
      assertThat(messages.get(0)).contains("9944 ", "64 members", "8192 chars");
      assertThat(messages.get(1)).contains("44 ");
      assertThat(messages.get(2)).contains("1 ");
      assertThat(log.records()).allSatisfy(r -> assertThat(r.getThrown()).isNull());
    }
  }

  // ---- merge ----

  @Test
  void mergeWithNothingToSendIsEmpty() {
    assertThat(Baggage.merge(null, Baggage.empty())).isEmpty();
    assertThat(Baggage.merge("", Baggage.empty())).isEmpty();
    assertThat(Baggage.merge("sentry-release=old", Baggage.empty())).isEmpty();
    assertThat(Baggage.merge(" , ,", Baggage.empty())).isEmpty();
  }

  @Test
  void mergeKeepsOtherVendorsTrimmedAndDropsEmptyMembers() {
    assertThat(Baggage.merge(" a=1 ,, b=2;p ,sentry-x=old", Baggage.of(Map.of("release", "1"))))
        .isEqualTo("a=1,b=2;p,sentry-release=1");
  }

  @Test
  void mergeTwiceDoesNotGrow() {
    Baggage sentry = Baggage.of(Map.of("trace_id", "0123456789abcdef0123456789abcdef", "release", "r 1"));
    String once = Baggage.merge("vendor=1, sentry-release=stale,other=2", sentry);
    String twice = Baggage.merge(once, sentry);
    String thrice = Baggage.merge(twice, sentry);
    assertThat(twice).isEqualTo(once);
    assertThat(thrice).isEqualTo(once);
  }

  @Test
  void mergeRequiresSentryBaggage() {
    assertThatThrownBy(() -> Baggage.merge("a=1", null)).isInstanceOf(NullPointerException.class).hasMessageContaining("sentry");
  }

  // ---- other vendors ----

  @Test
  void otherVendorsAreNeverCopiedFromIncomingToOutgoing() {
    String incoming = "vendor=secret,sentry-release=1.0,other=x;prop";
    assertThat(Baggage.parse(incoming).toHeader()).isEqualTo("sentry-release=1.0");

    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).build();
    Span span = tracer.startTransaction("tx", "op",
        tracer.continueTrace("0123456789abcdef0123456789abcdef-0123456789abcdef-1", incoming));
    assertThat(span.toBaggage()).doesNotContain("vendor", "secret", "other").contains("sentry-release=1.0");

    Map<String, String> carrier = new HashMap<>();
    tracer.inject(span, carrier, Map::get, Map::put);
    assertThat(carrier.get("baggage")).doesNotContain("vendor", "secret", "other");
  }

  @Test
  void equalityIsByValues() {
    assertThat(Baggage.parse("sentry-a=1,x=2")).isEqualTo(Baggage.of(Map.of("a", "1")))
        .hasSameHashCodeAs(Baggage.of(Map.of("a", "1")));
    assertThat(Baggage.parse("sentry-a=1").toString()).isEqualTo("sentry-a=1");
  }

  @Test
  void sentryValuesAreUnmodifiableAndEqualToAnOrdinaryMap() {
    java.util.Map<String, String> values = Baggage.parse("sentry-release=1.0,sentry-environment=prod").sentryValues();
    assertThat(values).isEqualTo(java.util.Map.of("release", "1.0", "environment", "prod"));
    assertThat(values).containsExactly(java.util.Map.entry("release", "1.0"), java.util.Map.entry("environment", "prod"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> values.put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> values.remove("release")).isInstanceOf(UnsupportedOperationException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(values::clear).isInstanceOf(UnsupportedOperationException.class);
    assertThat(values).hasSize(2);
  }
}
