package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.test.LogRecords;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class ContinuationTest {
  private static final String TRACE = "0123456789abcdef0123456789abcdef";
  private static final String SPAN = "0123456789abcdef";
  /** Repetitions for random backfills: a wrong range shows up long before this. */
  private static final int BACKFILL_RUNS = 2_000;

  // ---- continueTrace vectors ----

  @TestFactory
  Stream<DynamicTest> continuesEveryConformanceVector() {
    return Vectors.cases("continuation.json", "continueTrace").stream()
        .map(v -> DynamicTest.dynamicTest(
            Vectors.name(v.get("sentryTrace") + " + " + v.get("baggage"), v), () -> check(v)));
  }

  private static void check(Map<String, Object> v) {
    String sentryTrace = (String) v.get("sentryTrace");
    String baggage = (String) v.get("baggage");
    Map<String, Object> options = v.get("options") == null ? Map.of() : Vectors.map(v.get("options"));
    Map<String, Object> expect = Vectors.map(v.get("expect"));
    // Our own release and environment, to show they never enter a continued DSC.
    Tracer.Builder builder = Tracer.builder().release("ours@9").environment("ours-env").publicKey("ourkey");
    if (options.containsKey("tracesSampleRate")) builder.tracesSampleRate((Double) options.get("tracesSampleRate"));
    Tracer tracer = builder.build();

    int runs = expect.containsKey("sampleRandRange") ? BACKFILL_RUNS : 1;
    for (int run = 0; run < runs; run++) {
      PropagationContext ctx = tracer.continueTrace(sentryTrace, baggage);
      Span tx = tracer.startTransaction("GET /x", "http.server", ctx);

      if (Boolean.TRUE.equals(expect.get("newTrace"))) {
        assertThat(ctx.isHeadOfTrace()).isTrue();
        assertThat(ctx.parentSpanId()).isNull();
        assertThat(ctx.sampled()).isNull();
        assertThat(ctx.frozenDynamicSamplingContext()).isNull();
        assertThat(ctx.traceId().toString()).isNotEqualTo(TRACE).isNotEqualTo("f".repeat(32));
        assertThat(tx.parentSpanId()).isNull();
        // We are the head: the DSC is ours, nothing of the ignored baggage.
        assertThat(tx.dynamicSamplingContext().sentryValues())
            .containsEntry("trace_id", ctx.traceId().toString())
            .containsEntry("release", "ours@9")
            .containsEntry("environment", "ours-env");
        continue;
      }
      assertThat(ctx.isHeadOfTrace()).isFalse();
      assertThat(tx.traceId()).isEqualTo(ctx.traceId());
      assertThat(tx.parentSpanId()).isEqualTo(ctx.parentSpanId());
      if (expect.containsKey("traceId")) assertThat(ctx.traceId().toString()).isEqualTo(expect.get("traceId"));
      if (expect.containsKey("parentSpanId")) assertThat(ctx.parentSpanId().toString()).isEqualTo(expect.get("parentSpanId"));
      if (expect.containsKey("sampled")) {
        assertThat(tx.sampled()).as("decision").isEqualTo(expect.get("sampled"));
        if (options.isEmpty()) assertThat(ctx.sampled()).as("incoming decision").isEqualTo(expect.get("sampled"));
      }
      Baggage frozen = ctx.frozenDynamicSamplingContext();
      assertThat(tx.dynamicSamplingContext()).as("the transaction sends the frozen DSC").isEqualTo(frozen);
      assertThat(frozen.sentryValues()).doesNotContainValue("ours@9").doesNotContainValue("ours-env").doesNotContainValue("ourkey");
      assertThat(tx.toBaggage()).doesNotContain("other=", "baz");
      if (expect.containsKey("sampleRand")) {
        assertThat(ctx.sampleRand()).isEqualTo(Double.parseDouble((String) expect.get("sampleRand")));
      }
      if (expect.containsKey("frozenDsc")) {
        assertThat(frozen.sentryValues()).isEqualTo(Vectors.strings(expect.get("frozenDsc")));
      }
      if (expect.containsKey("frozenDscSentryKeysOtherThan_sample_rand")) {
        List<String> keys = new ArrayList<>(frozen.sentryValues().keySet());
        keys.remove("sample_rand");
        assertThat(keys).isEqualTo(Vectors.list(expect.get("frozenDscSentryKeysOtherThan_sample_rand")));
      }
      if (expect.containsKey("sampleRandRange")) {
        List<Object> range = Vectors.list(expect.get("sampleRandRange"));
        double low = (Double) range.get(0);
        double high = (Double) range.get(1);
        assertThat(ctx.sampleRand()).isGreaterThanOrEqualTo(low).isLessThan(high);
        // What we send downstream is the value we decided with.
        assertThat(Double.parseDouble(frozen.get("sample_rand"))).isEqualTo(ctx.sampleRand());
      }
      // A continued sample_rand always travels on, valid.
      assertThat(Double.parseDouble(frozen.get("sample_rand"))).isGreaterThanOrEqualTo(0.0).isLessThan(1.0);
    }
  }

  // ---- strict org id vectors ----

  @TestFactory
  Stream<DynamicTest> appliesEveryStrictContinuationVector() {
    return Vectors.cases("continuation.json", "strictContinuation").stream()
        .map(v -> DynamicTest.dynamicTest(
            "incoming org " + v.get("baggageOrg") + ", ours " + v.get("ownOrg") + ", strict " + v.get("strict")
                + " -> " + (Boolean.TRUE.equals(v.get("continues")) ? "continues" : "new trace"),
            () -> {
              Tracer tracer = Tracer.builder()
                  .orgId((String) v.get("ownOrg"))
                  .strictTraceContinuation((Boolean) v.get("strict"))
                  .build();
              String baggage = v.get("baggageOrg") == null ? "sentry-release=1" : "sentry-org_id=" + v.get("baggageOrg");
              PropagationContext ctx = tracer.continueTrace(TRACE + "-" + SPAN + "-1", baggage);
              boolean continues = (Boolean) v.get("continues");
              assertThat(ctx.traceId().toString().equals(TRACE)).isEqualTo(continues);
              assertThat(ctx.isHeadOfTrace()).isEqualTo(!continues);
            }));
  }

  @Test
  void orgIdComesFromTheDsnHost() {
    Tracer tracer = Tracer.builder().dsn("https://key@o1.ingest.sentry.io/2").build();
    assertThat(tracer.continueTrace(TRACE + "-" + SPAN + "-1", "sentry-org_id=2").isHeadOfTrace()).isTrue();
    assertThat(tracer.continueTrace(TRACE + "-" + SPAN + "-1", "sentry-org_id=1").isHeadOfTrace()).isFalse();
  }

  @Test
  void builderOrgIdOverridesTheDsn() {
    Tracer tracer = Tracer.builder().dsn("https://key@o1.ingest.sentry.io/2").orgId("7").build();
    assertThat(tracer.continueTrace(TRACE + "-" + SPAN + "-1", "sentry-org_id=7").isHeadOfTrace()).isFalse();
    assertThat(tracer.continueTrace(TRACE + "-" + SPAN + "-1", "sentry-org_id=1").isHeadOfTrace()).isTrue();
  }

  // ---- sample_rand ----

  @Test
  void backfillReproducesTheIncomingDecisionAtManyRates() {
    Tracer tracer = Tracer.builder().build();
    for (String rate : List.of("0.000123", "0.000249", "0.01337", "0.1", "0.25", "0.5", "0.7", "0.999999")) {
      double r = Double.parseDouble(rate);
      for (int i = 0; i < BACKFILL_RUNS; i++) {
        PropagationContext in = tracer.continueTrace(TRACE + "-" + SPAN + "-1", "sentry-sample_rate=" + rate);
        PropagationContext out = tracer.continueTrace(TRACE + "-" + SPAN + "-0", "sentry-sample_rate=" + rate);
        assertThat(in.sampleRand()).as("sampled at %s", rate).isGreaterThanOrEqualTo(0.0).isLessThan(r);
        assertThat(out.sampleRand()).as("not sampled at %s", rate).isGreaterThanOrEqualTo(r).isLessThan(1.0);
        assertThat(Double.parseDouble(in.frozenDynamicSamplingContext().get("sample_rand"))).isEqualTo(in.sampleRand());
        assertThat(Double.parseDouble(out.frozenDynamicSamplingContext().get("sample_rand"))).isEqualTo(out.sampleRand());
      }
    }
  }

  @Test
  void backfillAtTheEdgeRates() {
    Tracer tracer = Tracer.builder().build();
    for (int i = 0; i < 200; i++) {
      assertThat(tracer.continueTrace(TRACE + "-" + SPAN + "-1", "sentry-sample_rate=1").sampleRand()).isLessThan(1.0);
      assertThat(tracer.continueTrace(TRACE + "-" + SPAN + "-0", "sentry-sample_rate=0").sampleRand())
          .isGreaterThanOrEqualTo(0.0).isLessThan(1.0);
      assertThat(tracer.continueTrace(TRACE + "-" + SPAN + "-0", "sentry-sample_rate=1").sampleRand()).isEqualTo(0.999999);
    }
  }

  @Test
  void invalidIncomingSampleRandIsReplaced() {
    Tracer tracer = Tracer.builder().build();
    for (String bad : List.of("abc", "1.5", "-0.1", "1", "NaN", "Infinity")) {
      PropagationContext ctx = tracer.continueTrace(TRACE + "-" + SPAN + "-1",
          "sentry-sample_rand=" + bad + ",sentry-sample_rate=0.25,sentry-release=r");
      assertThat(ctx.sampleRand()).as(bad).isGreaterThanOrEqualTo(0.0).isLessThan(0.25);
      assertThat(ctx.frozenDynamicSamplingContext().get("sample_rand")).as(bad).isNotEqualTo(bad)
          .isEqualTo(SampleRand.format(ctx.sampleRand()));
      assertThat(ctx.frozenDynamicSamplingContext().get("release")).isEqualTo("r");
    }
  }

  @Test
  void deferredWithoutSampleRandGetsARandomOne() {
    Tracer tracer = Tracer.builder().build();
    PropagationContext ctx = tracer.continueTrace(TRACE + "-" + SPAN, "sentry-release=r");
    assertThat(ctx.sampled()).isNull();
    assertThat(ctx.frozenDynamicSamplingContext().get("sample_rand")).matches("0\\.[0-9]{6}");
    assertThat(Double.parseDouble(ctx.frozenDynamicSamplingContext().get("sample_rand"))).isEqualTo(ctx.sampleRand());
  }

  @Test
  void deferredIsDecidedHereBySampleRandBelowTheRate() {
    Tracer tracer = Tracer.builder().tracesSampleRate(0.3).build();
    for (String rand : List.of("0", "0.1", "0.299999", "0.3", "0.300001", "0.9")) {
      PropagationContext ctx = tracer.continueTrace(TRACE + "-" + SPAN, "sentry-sample_rand=" + rand);
      Span tx = tracer.startTransaction("tx", "op", ctx);
      assertThat(tx.sampled()).as(rand).isEqualTo(Double.parseDouble(rand) < 0.3);
      assertThat(tx.isRecording()).isEqualTo(tx.sampled());
    }
  }

  @Test
  void incomingDecisionWinsOverTheRate() {
    Tracer always = Tracer.builder().tracesSampleRate(1.0).build();
    Tracer never = Tracer.builder().tracesSampleRate(0.0).build();
    assertThat(always.startTransaction("t", "o", always.continueTrace(TRACE + "-" + SPAN + "-0", null)).isRecording()).isFalse();
    assertThat(never.startTransaction("t", "o", never.continueTrace(TRACE + "-" + SPAN + "-1", null)).isRecording()).isTrue();
    // Even when the incoming sample_rand says otherwise.
    assertThat(always.startTransaction("t", "o",
        always.continueTrace(TRACE + "-" + SPAN + "-0", "sentry-sample_rand=0.01")).sampled()).isFalse();
  }

  // ---- carriers and failures ----

  @Test
  void carrierFormReadsTheSameHeaders() {
    Tracer tracer = Tracer.builder().build();
    Map<String, String> headers = new HashMap<>();
    headers.put("sentry-trace", TRACE + "-" + SPAN + "-1");
    headers.put("baggage", "sentry-release=1,sentry-sample_rand=0.5");
    PropagationContext ctx = tracer.extract(headers, Map::get);
    assertThat(ctx.traceId().toString()).isEqualTo(TRACE);
    assertThat(ctx.parentSpanId().toString()).isEqualTo(SPAN);
    assertThat(ctx.frozenDynamicSamplingContext().sentryValues()).isEqualTo(Map.of("release", "1", "sample_rand", "0.5"));
  }

  @Test
  void aThrowingGetterGivesANewTrace() {
    Tracer tracer = Tracer.builder().build();
    try (LogRecords log = LogRecords.of(Tracer.class)) {
      PropagationContext ctx = tracer.extract(new Object(), (c, k) -> {
        throw new IllegalStateException("broken carrier");
      });
      assertThat(ctx.isHeadOfTrace()).isTrue();
      assertThat(log.records()).singleElement().satisfies(r -> {
        assertThat(r.getLevel()).isEqualTo(Level.WARNING);
        assertThat(r.getMessage()).contains("could not continue the incoming trace");
        assertThat(r.getThrown()).hasMessage("broken carrier");
      });
    }
  }

  @Test
  void nullHeadersGiveANewTrace() {
    Tracer tracer = Tracer.builder().build();
    PropagationContext a = tracer.continueTrace(null, null);
    PropagationContext b = tracer.continueTrace(null, null);
    assertThat(a.isHeadOfTrace()).isTrue();
    assertThat(a.traceId()).isNotEqualTo(b.traceId());
    assertThat(tracer.newTrace().isHeadOfTrace()).isTrue();
  }

  @Test
  void eachContinuationGetsItsOwnSpanId() {
    Tracer tracer = Tracer.builder().build();
    PropagationContext a = tracer.continueTrace(TRACE + "-" + SPAN + "-1", null);
    PropagationContext b = tracer.continueTrace(TRACE + "-" + SPAN + "-1", null);
    assertThat(a.spanId()).isNotEqualTo(b.spanId()).isNotEqualTo(a.parentSpanId());
    assertThat(a.traceId()).isEqualTo(b.traceId());
  }
}
