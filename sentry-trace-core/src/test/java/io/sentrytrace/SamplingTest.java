package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sentrytrace.test.LogRecords;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class SamplingTest {
  private static final String INCOMING = "0123456789abcdef0123456789abcdef-0123456789abcdef";

  // ---- the head of a trace ----

  @Test
  void headDscCarriesEverythingTheHeadKnows() {
    Tracer tracer = Tracer.builder()
        .dsn("https://pk123@o42.ingest.sentry.io/7")
        .release("shop@1.4.0")
        .environment("production")
        .tracesSampleRate(1.0)
        .build();
    Span tx = tracer.startTransaction("GET /checkout", "http.server");
    Map<String, String> dsc = tx.dynamicSamplingContext().sentryValues();

    assertThat(dsc).containsOnlyKeys("trace_id", "public_key", "release", "environment", "transaction",
        "sample_rate", "sample_rand", "sampled", "org_id");
    assertThat(dsc).containsEntry("trace_id", tx.traceId().toString())
        .containsEntry("public_key", "pk123")
        .containsEntry("release", "shop@1.4.0")
        .containsEntry("environment", "production")
        .containsEntry("transaction", "GET /checkout")
        .containsEntry("sample_rate", "1")
        .containsEntry("sampled", "true")
        .containsEntry("org_id", "42");
    assertThat(dsc.get("sample_rand")).matches("0\\.[0-9]{6}");
    assertThat(tx.toBaggage()).contains("sentry-transaction=GET%20%2Fcheckout", "sentry-release=shop%401.4.0");
  }

  @Test
  void publicKeyAndOrgIdOverrideTheDsn() {
    Tracer tracer = Tracer.builder().dsn("https://pk@o1.ingest.sentry.io/2").publicKey("other").orgId("9")
        .tracesSampleRate(0.0).build();
    Map<String, String> dsc = tracer.startTransaction("t", "o").dynamicSamplingContext().sentryValues();
    assertThat(dsc).containsEntry("public_key", "other").containsEntry("org_id", "9")
        .containsEntry("sampled", "false").containsEntry("sample_rate", "0");
  }

  @Test
  void unsetOptionsAreLeftOutOfTheDsc() {
    Tracer tracer = Tracer.builder().release("").environment(null).build();
    Map<String, String> dsc = tracer.startTransaction("t", "o").dynamicSamplingContext().sentryValues();
    // Tracing off: no rate and no decision either.
    assertThat(dsc).containsOnlyKeys("trace_id", "transaction", "sample_rand");
  }

  @Test
  void dscIsFrozenTheFirstTimeItLeaves() {
    RecordingExporter exporter = new RecordingExporter();
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).release("r").exporter(exporter).build();
    Span tx = tracer.startTransaction("tx", "op");
    String first = tx.toBaggage();
    Baggage frozen = tx.dynamicSamplingContext();

    Span child = tx.startChild("db", "select");
    child.setData("rows", 3).setStatus(SpanStatus.OK);
    assertThat(MetaTags.render(child)).contains(first);
    child.finish();
    tx.setStatus(SpanStatus.INTERNAL_ERROR);
    tx.finish();

    assertThat(tx.toBaggage()).isEqualTo(first);
    assertThat(tx.dynamicSamplingContext()).isSameAs(frozen);
    assertThat(child.dynamicSamplingContext()).isSameAs(frozen);
    assertThat(exporter.transactions().get(0).dynamicSamplingContext()).isSameAs(frozen);
  }

  @Test
  void dscIsFrozenByTheFirstMetaTagsToo() {
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).build();
    Span tx = tracer.startTransaction("tx", "op");
    String html = MetaTags.render(tx);
    Baggage frozen = tx.dynamicSamplingContext();
    assertThat(html).contains(frozen.toHeader());
    assertThat(MetaTags.render(tx)).isEqualTo(html);
  }

  @Test
  void tracesWithoutSpanShareOneFrozenRootDsc() {
    Tracer tracer = Tracer.builder().release("r").build();
    Map<String, String> a = new HashMap<>();
    Map<String, String> b = new HashMap<>();
    tracer.inject((Span) null, a, Map::get, Map::put);
    tracer.inject((Span) null, b, Map::get, Map::put);
    assertThat(a).isEqualTo(b);
    assertThat(Baggage.parse(a.get("baggage")).get("trace_id")).isEqualTo(a.get("sentry-trace").substring(0, 32));
  }

  // ---- the sampling invariant ----

  @Test
  void sampleRandBelowSampleRateIffSampled() {
    for (double rate : new double[] {0.0, 0.01, 0.1, 0.25, 0.5, 0.999, 1.0}) {
      Tracer tracer = Tracer.builder().tracesSampleRate(rate).build();
      int sampled = 0;
      int traces = 10_000;
      for (int i = 0; i < traces; i++) {
        Span tx = tracer.startTransaction("tx", "op");
        Map<String, String> dsc = tx.dynamicSamplingContext().sentryValues();
        // Checked on the strings we send: that is what the next hop decides with.
        double sentRand = Double.parseDouble(dsc.get("sample_rand"));
        double sentRate = Double.parseDouble(dsc.get("sample_rate"));
        assertThat(sentRate).isEqualTo(rate);
        assertThat(sentRand < sentRate).as("rand %s rate %s", sentRand, sentRate).isEqualTo(tx.sampled());
        assertThat(dsc.get("sampled")).isEqualTo(tx.sampled().toString());
        assertThat(tx.isRecording()).isEqualTo(tx.sampled());
        if (tx.sampled()) sampled++;
      }
      assertThat(sampled / (double) traces).as("fraction sampled at %s", rate).isBetween(rate - 0.03, rate + 0.03);
    }
  }

  @Test
  void sampleRandIsSentExactlyAsDecided() {
    // Every value SampleRand.random() can return formats back to itself.
    for (int k = 0; k < 1_000_000; k++) {
      double value = k / 1_000_000.0;
      String formatted = SampleRand.format(value);
      if (Double.parseDouble(formatted) != value) {
        assertThat(formatted).as("format(%s/1e6)", k).isEqualTo(String.format(java.util.Locale.ROOT, "0.%06d", k));
      }
    }
    assertThat(SampleRand.format(0.0)).isEqualTo("0.000000");
    assertThat(SampleRand.format(0.9999999)).isEqualTo("0.999999");
    assertThat(SampleRand.format(0.1234569)).as("truncates, never rounds up").isEqualTo("0.123456");
  }

  @Test
  void sampleRateIsWrittenWithoutTrailingZeros() {
    assertThat(SampleRand.formatRate(1.0)).isEqualTo("1");
    assertThat(SampleRand.formatRate(0.0)).isEqualTo("0");
    assertThat(SampleRand.formatRate(0.25)).isEqualTo("0.25");
    assertThat(SampleRand.formatRate(0.0000001)).isEqualTo("0.0000001");
  }

  // ---- the sampler ----

  @Test
  void samplerSeesTheTransactionAndTheParentDecision() {
    AtomicReference<SamplingContext> seen = new AtomicReference<>();
    Tracer tracer = Tracer.builder().tracesSampler(ctx -> {
      seen.set(ctx);
      return null;
    }).build();
    PropagationContext parent = tracer.continueTrace(INCOMING + "-1", "sentry-sample_rand=0.123456");
    tracer.startTransaction("GET /x", "http.server", parent);

    assertThat(seen.get().name()).isEqualTo("GET /x");
    assertThat(seen.get().op()).isEqualTo("http.server");
    assertThat(seen.get().parentSampled()).isTrue();
    assertThat(seen.get().sampleRand()).isEqualTo(0.123456);

    tracer.startTransaction("head", "op");
    assertThat(seen.get().parentSampled()).isNull();
  }

  @Test
  void samplerMayOverrideTheParentDecision() {
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0)
        .tracesSampler(ctx -> Boolean.TRUE.equals(ctx.parentSampled()) ? 0.0 : 1.0).build();
    Span fromSampled = tracer.startTransaction("t", "o", tracer.continueTrace(INCOMING + "-1", null));
    Span fromUnsampled = tracer.startTransaction("t", "o", tracer.continueTrace(INCOMING + "-0", null));
    assertThat(fromSampled.sampled()).isFalse();
    assertThat(fromUnsampled.sampled()).isTrue();
  }

  @Test
  void samplerRateIsComparedWithSampleRandAndSentAsSampleRate() {
    Tracer tracer = Tracer.builder().tracesSampler(ctx -> 0.3).build();
    for (String rand : List.of("0.299999", "0.3")) {
      Span tx = tracer.startTransaction("t", "o", tracer.continueTrace(INCOMING, "sentry-sample_rand=" + rand));
      assertThat(tx.sampled()).as(rand).isEqualTo(rand.equals("0.299999"));
    }
    Span head = tracer.startTransaction("t", "o");
    assertThat(head.dynamicSamplingContext().get("sample_rate")).isEqualTo("0.3");
  }

  @Test
  void samplerReturningNullFallsBackToParentThenRate() {
    Tracer withRate = Tracer.builder().tracesSampleRate(1.0).tracesSampler(ctx -> null).build();
    assertThat(withRate.startTransaction("t", "o").sampled()).isTrue();
    assertThat(withRate.startTransaction("t", "o", withRate.continueTrace(INCOMING + "-0", null)).sampled()).isFalse();

    Tracer withoutRate = Tracer.builder().tracesSampler(ctx -> null).build();
    assertThat(withoutRate.startTransaction("t", "o").sampled()).isFalse();
    assertThat(withoutRate.startTransaction("t", "o", withoutRate.continueTrace(INCOMING + "-1", null)).sampled()).isTrue();
  }

  @Test
  void aBrokenSamplerNeverThrowsIntoStartTransaction() {
    List<TracesSampler> broken = new ArrayList<>();
    broken.add(ctx -> {
      throw new IllegalStateException("sampler bug");
    });
    broken.add(ctx -> Double.NaN);
    broken.add(ctx -> 2.0);
    broken.add(ctx -> -0.5);
    broken.add(ctx -> Double.POSITIVE_INFINITY);
    for (TracesSampler sampler : broken) {
      Tracer tracer = Tracer.builder().tracesSampleRate(1.0).tracesSampler(sampler).build();
      AtomicReference<Span> tx = new AtomicReference<>();
      try (LogRecords log = LogRecords.of(Tracer.class)) {
        assertThatCode(() -> tx.set(tracer.startTransaction("t", "o"))).doesNotThrowAnyException();
        // Each broken answer is reported, naming the sampler.
        assertThat(log.records()).singleElement().satisfies(r -> {
          assertThat(r.getLevel()).isEqualTo(Level.WARNING);
          assertThat(r.getMessage()).startsWith("tracesSampler ");
        });
      }
      assertThat(tx.get().sampled()).isFalse();
      assertThat(tx.get().toSentryTrace()).endsWith("-0");
    }
  }

  // ---- options ----

  @Test
  void rejectsSampleRatesOutsideZeroToOneAtBuilderTime() {
    for (double bad : new double[] {-0.1, 1.0001, 2.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      assertThatThrownBy(() -> Tracer.builder().tracesSampleRate(bad))
          .as("rate %s", bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("tracesSampleRate")
          .hasMessageContaining("between 0.0 and 1.0")
          .hasMessageContaining(String.valueOf(bad));
    }
    assertThatCode(() -> Tracer.builder().tracesSampleRate(0.0).tracesSampleRate(1.0).tracesSampleRate(null))
        .doesNotThrowAnyException();
  }

  // ---- tracing off ----

  @Test
  void tracingOffRecordsAndExportsNothingButStillPropagates() {
    RecordingExporter exporter = new RecordingExporter();
    Tracer tracer = Tracer.builder().exporter(exporter).build();
    assertThat(tracer.isTracingEnabled()).isFalse();

    Span tx = tracer.startTransaction("t", "o");
    Span child = tx.startChild("db", "q");
    assertThat(tx.isRecording()).isFalse();
    assertThat(child.isRecording()).isFalse();
    assertThat(tx.sampled()).isNull();
    assertThat(tx.toSentryTrace()).as("deferred: no flag").hasSize(49).isEqualTo(tx.traceId() + "-" + tx.spanId());
    assertThat(tx.toBaggage()).contains("sentry-trace_id=" + tx.traceId()).doesNotContain("sentry-sampled", "sentry-sample_rate");
    child.finish();
    tx.finish();
    assertThat(exporter.transactions()).isEmpty();
  }

  @Test
  void tracingOffKeepsTheIncomingDecision() {
    RecordingExporter exporter = new RecordingExporter();
    Tracer tracer = Tracer.builder().exporter(exporter).build();
    Span tx = tracer.startTransaction("t", "o", tracer.continueTrace(INCOMING + "-1", "sentry-sample_rand=0.5"));
    assertThat(tx.sampled()).isTrue();
    assertThat(tx.isRecording()).isFalse();
    assertThat(tx.toSentryTrace()).isEqualTo("0123456789abcdef0123456789abcdef-" + tx.spanId() + "-1");
    tx.finish();
    assertThat(exporter.transactions()).isEmpty();
  }

  @Test
  void aSamplerAloneTurnsTracingOn() {
    assertThat(Tracer.builder().tracesSampler(ctx -> 1.0).build().isTracingEnabled()).isTrue();
    assertThat(Tracer.builder().tracesSampleRate(0.0).build().isTracingEnabled()).isTrue();
  }

  @Test
  void tracesSampleRateTakesIntAndDoubleLiteralsAndANullableDouble() {
    // Each call below is a compile-time check as much as a run-time one: (1) and (0) pick the
    // primitive overload, (null) and a Double variable the nullable one, none is ambiguous.
    assertThat(Tracer.builder().tracesSampleRate(1).build().startTransaction("t", "o").sampled()).isTrue();
    assertThat(Tracer.builder().tracesSampleRate(0).build().startTransaction("t", "o").sampled()).isFalse();
    assertThat(Tracer.builder().tracesSampleRate(1.0).build().startTransaction("t", "o").sampled()).isTrue();
    assertThat(Tracer.builder().tracesSampleRate(null).build().isTracingEnabled()).isFalse();
    Double fromConfig = null;
    assertThat(Tracer.builder().tracesSampleRate(fromConfig).build().isTracingEnabled()).isFalse();
    assertThatThrownBy(() -> Tracer.builder().tracesSampleRate(2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got 2.0");
    assertThatThrownBy(() -> Tracer.builder().tracesSampleRate(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
  }
}
