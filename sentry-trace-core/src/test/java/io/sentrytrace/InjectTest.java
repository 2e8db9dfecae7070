package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try") // scopes are opened for their effect, not referenced
class InjectTest {
  private final Tracer tracer = Tracer.builder().tracesSampleRate(1.0).release("r1").build();

  @Test
  void setsSentryTraceAndBaggageOfTheSpan() {
    Span tx = tracer.startTransaction("t", "o");
    Map<String, String> headers = new LinkedHashMap<>();
    tracer.inject(tx, headers, Map::get, Map::put);
    assertThat(headers).containsOnlyKeys("sentry-trace", "baggage");
    assertThat(headers.get("sentry-trace")).isEqualTo(tx.toSentryTrace()).isEqualTo(tx.traceId() + "-" + tx.spanId() + "-1");
    assertThat(headers.get("baggage")).isEqualTo(tx.toBaggage()).contains("sentry-release=r1");
  }

  @Test
  void aChildSpanIsNamedAsTheParent() {
    Span tx = tracer.startTransaction("t", "o");
    Span child = tx.startChild("http.client", "GET /x");
    Map<String, String> headers = new LinkedHashMap<>();
    tracer.inject(child, headers, Map::put);
    assertThat(headers.get("sentry-trace")).isEqualTo(tx.traceId() + "-" + child.spanId() + "-1");
    assertThat(headers.get("baggage")).isEqualTo(tx.toBaggage());
  }

  @Test
  void keepsAUserSetSentryTraceAndThenAddsNoBaggage() {
    Span tx = tracer.startTransaction("t", "o");
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("sentry-trace", "user-value");
    tracer.inject(tx, headers, Map::get, Map::put);
    assertThat(headers).isEqualTo(Map.of("sentry-trace", "user-value"));

    Tracer withTraceparent = Tracer.builder().propagateTraceparent(true).build();
    withTraceparent.inject(tx, headers, Map::get, Map::put);
    assertThat(headers).isEqualTo(Map.of("sentry-trace", "user-value"));
  }

  @Test
  void anEmptySentryTraceIsReplaced() {
    Span tx = tracer.startTransaction("t", "o");
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("sentry-trace", "");
    tracer.inject(tx, headers, Map::get, Map::put);
    assertThat(headers.get("sentry-trace")).isEqualTo(tx.toSentryTrace());
  }

  @Test
  void mergesAnExistingBaggage() {
    Span tx = tracer.startTransaction("t", "o");
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("baggage", "vendor=1,sentry-release=stale, other=2;p");
    tracer.inject(tx, headers, Map::get, Map::put);
    assertThat(headers.get("baggage")).isEqualTo("vendor=1,other=2;p," + tx.toBaggage());
  }

  @Test
  void injectingTwiceDoesNotGrowTheBaggage() {
    Span tx = tracer.startTransaction("t", "o");
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("baggage", "vendor=1");
    tracer.inject(tx, headers, Map::get, Map::put);
    String once = headers.get("baggage");
    // A retry that dropped sentry-trace but kept the merged baggage.
    headers.remove("sentry-trace");
    tracer.inject(tx, headers, Map::get, Map::put);
    assertThat(headers.get("baggage")).isEqualTo(once);
    // And a plain second inject changes nothing at all.
    Map<String, String> before = new LinkedHashMap<>(headers);
    tracer.inject(tx, headers, Map::get, Map::put);
    assertThat(headers).isEqualTo(before);
  }

  @Test
  void addsTraceparentOnlyWhenEnabled() {
    Tracer w3c = Tracer.builder().tracesSampleRate(1.0).propagateTraceparent(true).build();
    assertThat(w3c.propagatesTraceparent()).isTrue();
    Span tx = w3c.startTransaction("t", "o");
    Map<String, String> headers = new LinkedHashMap<>();
    w3c.inject(tx, headers, Map::get, Map::put);
    assertThat(headers.get("traceparent")).isEqualTo(tx.toTraceparent()).isEqualTo("00-" + tx.traceId() + "-" + tx.spanId() + "-01");

    Map<String, String> plain = new LinkedHashMap<>();
    tracer.inject(tracer.startTransaction("t", "o"), plain, Map::get, Map::put);
    assertThat(tracer.propagatesTraceparent()).isFalse();
    assertThat(plain).doesNotContainKey("traceparent");
  }

  @Test
  void withoutASpanInjectsTheCurrentContextDeferred() {
    Tracer off = Tracer.builder().propagateTraceparent(true).build();
    Map<String, String> headers = new LinkedHashMap<>();
    off.inject((Span) null, headers, Map::get, Map::put);
    PropagationContext root = off.currentPropagationContext();
    assertThat(headers.get("sentry-trace")).isEqualTo(root.traceId() + "-" + root.spanId());
    assertThat(headers.get("traceparent")).isEqualTo("00-" + root.traceId() + "-" + root.spanId() + "-00");
    assertThat(Baggage.parse(headers.get("baggage")).get("trace_id")).isEqualTo(root.traceId().toString());
  }

  @Test
  void aContinuedDecisionTravelsOnWithoutASpan() {
    Tracer off = Tracer.builder().build();
    PropagationContext ctx = off.continueTrace("0123456789abcdef0123456789abcdef-0123456789abcdef-0", "sentry-sampled=false");
    Map<String, String> headers = new LinkedHashMap<>();
    try (Scope s = ctx.makeCurrent()) {
      off.inject((Span) null, headers, Map::get, Map::put);
    }
    assertThat(headers.get("sentry-trace")).endsWith("-0");
    assertThat(Baggage.parse(headers.get("baggage")).get("sampled")).isEqualTo("false");
  }

  @Test
  void withoutAGetterExistingHeadersAreNotRead() {
    Span tx = tracer.startTransaction("t", "o");
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("baggage", "vendor=1");
    tracer.inject(tx, headers, Map::put); // no getter: existing headers are not read, so replaced
    assertThat(headers.get("baggage")).isEqualTo(tx.toBaggage());
  }

  // ---- inject(PropagationContext, ...): a captured context, not made current ----

  @Test
  void injectsACapturedContextWithoutMakingItCurrent() throws Exception {
    Tracer off = Tracer.builder().propagateTraceparent(true).build();
    PropagationContext captured =
        off.continueTrace("0123456789abcdef0123456789abcdef-0123456789abcdef-1", "sentry-release=up,other=x");
    Map<String, String> headers = new LinkedHashMap<>();
    // Injected later on another thread, which has nothing current.
    Thread sender = new Thread(() -> off.inject(captured, headers, Map::put));
    sender.start();
    sender.join(5_000);
    assertThat(headers.get("sentry-trace")).isEqualTo("0123456789abcdef0123456789abcdef-" + captured.spanId() + "-1");
    assertThat(headers.get("traceparent")).isEqualTo("00-0123456789abcdef0123456789abcdef-" + captured.spanId() + "-01");
    assertThat(Baggage.parse(headers.get("baggage"))).isEqualTo(captured.frozenDynamicSamplingContext());
    assertThat(off.currentPropagationContext()).isNotEqualTo(captured);
  }

  @Test
  void aCapturedHeadContextSendsTheHeadDscTheSameEachTime() {
    Tracer off = Tracer.builder().release("r").build();
    PropagationContext head = off.newTrace();
    Map<String, String> first = new LinkedHashMap<>();
    Map<String, String> second = new LinkedHashMap<>();
    off.inject(head, first, Map::put);
    off.inject(head, second, Map::put);
    assertThat(first.get("sentry-trace")).isEqualTo(head.traceId() + "-" + head.spanId());
    assertThat(Baggage.parse(first.get("baggage")).sentryValues())
        .containsEntry("trace_id", head.traceId().toString())
        .containsEntry("release", "r")
        .containsEntry("sample_rand", SampleRand.format(head.sampleRand()))
        .doesNotContainKey("sampled");
    assertThat(second).isEqualTo(first);
  }

  @Test
  void theHeadDscWithAGivenSampleRandIsTheDscOfATransactionStartedHere() {
    Tracer sampling = Tracer.builder().dsn("https://pk@o3.ingest.sentry.io/4").release("svc@1").environment("prod")
        .tracesSampleRate(0.25).build();
    PropagationContext head = sampling.newTrace();
    Span tx = sampling.startTransaction("GET /", "http.server", head);
    Map<String, String> txDsc = new LinkedHashMap<>(tx.dynamicSamplingContext().sentryValues());
    txDsc.remove("transaction");
    assertThat(sampling.headDynamicSamplingContext(head.traceId(), head.sampleRand(), tx.sampled()).sentryValues())
        .containsExactlyEntriesOf(txDsc);
    // A value another sampler read (the OpenTelemetry bridge's, from the trace id) goes in as given.
    assertThat(sampling.headDynamicSamplingContext(head.traceId(), 0.6155149, true).get("sample_rand")).isEqualTo("0.615514");
    assertThat(sampling.headDynamicSamplingContext(head.traceId(), 0.5, null).get("sampled")).isNull();
    for (double bad : new double[] {-0.1, 1.0, Double.NaN}) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> sampling.headDynamicSamplingContext(head.traceId(), bad, true))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sampleRand");
    }
  }

  @Test
  void injectingAContextKeepsASentryTraceAlreadyThereAndMergesBaggage() {
    Tracer off = Tracer.builder().build();
    PropagationContext ctx = off.continueTrace("0123456789abcdef0123456789abcdef-0123456789abcdef-0", "sentry-release=up");
    Map<String, String> userSet = new LinkedHashMap<>(Map.of("sentry-trace", "user-value"));
    off.inject(ctx, userSet, Map::get, Map::put);
    assertThat(userSet).isEqualTo(Map.of("sentry-trace", "user-value"));

    Map<String, String> thirdParty = new LinkedHashMap<>(Map.of("baggage", "vendor=1,sentry-release=stale"));
    off.inject(ctx, thirdParty, Map::get, Map::put);
    assertThat(thirdParty.get("baggage")).contains("vendor=1", "sentry-release=up").doesNotContain("stale");
  }

  @Test
  void injectingANullContextIsRefusedByName() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> tracer.inject((PropagationContext) null, new LinkedHashMap<String, String>(), Map::put))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("context");
  }
}
