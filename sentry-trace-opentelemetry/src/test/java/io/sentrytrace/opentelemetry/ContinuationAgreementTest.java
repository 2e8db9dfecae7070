package io.sentrytrace.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.sentrytrace.Baggage;
import io.sentrytrace.PropagationContext;
import io.sentrytrace.Tracer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The bridge continues exactly the traces that sentry-trace's core ({@link Tracer#continueTrace})
 * continues: the org-id table of the shared conformance vectors ({@code continuation.json}, copied
 * to {@code conformance/continuation-org.json}), with the incoming org id at the start of the
 * header, percent-encoded, beyond the 8,192 chars both read, and contradicted there. A continued
 * trace is sent on with its DSC: never {@code sentry-trace} without {@code baggage}.
 */
class ContinuationAgreementTest {
  private static final String TRACE = "771a43a4192642f0b136d5159a501700";
  private static final String SENTRY_TRACE = TRACE + "-b0e6f15b45c36b12-1";
  private static final String DSC = "sentry-trace_id=" + TRACE + ",sentry-sample_rand=0.5";
  /** Other vendors' members that push what follows past the 8,192 chars that are read. */
  private static final String PAST_THE_LIMIT = "x=y,".repeat(33_000 / 4);

  private record Vector(String baggageOrg, String ownOrg, boolean strict, boolean continues) {}

  private static List<Vector> vectors() throws IOException {
    String json;
    try (InputStream in = ContinuationAgreementTest.class.getResourceAsStream("/conformance/continuation-org.json")) {
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    // Flat objects of four known fields: read each by name.
    List<Vector> vectors = new ArrayList<>();
    Matcher object = Pattern.compile("\\{[^{}\\[\\]]*\\}").matcher(json);
    while (object.find()) {
      String o = object.group();
      vectors.add(new Vector(string(o, "baggageOrg"), string(o, "ownOrg"), bool(o, "strict"), bool(o, "continues")));
    }
    assertThat(vectors).hasSize(10);
    return vectors;
  }

  private static String string(String object, String field) {
    Matcher m = Pattern.compile("\"" + field + "\":\\s*(null|\"([^\"]*)\")").matcher(object);
    assertThat(m.find()).as(field).isTrue();
    return m.group(2);
  }

  private static boolean bool(String object, String field) {
    Matcher m = Pattern.compile("\"" + field + "\":\\s*(true|false)").matcher(object);
    assertThat(m.find()).as(field).isTrue();
    return Boolean.parseBoolean(m.group(1));
  }

  private static Tracer tracer(String ownOrg, boolean strict) {
    String dsn = ownOrg == null ? "https://k@sentry.example/2" : "https://k@o" + ownOrg + ".ingest.sentry.io/2";
    return Tracer.builder().dsn(dsn).strictTraceContinuation(strict).build();
  }

  /** Baggage headers carrying {@code org} (null: none) in different places, and what each should mean. */
  private static Map<String, String> placements(String org, String ownOrg) {
    Map<String, String> byName = new LinkedHashMap<>();
    String member = org == null ? "" : ",sentry-org_id=" + org;
    byName.put("at the start", DSC + member);
    byName.put("percent-encoded", org == null ? DSC : DSC + ",sentry-org%5Fid=%3" + org);
    byName.put("after a foreign org beyond the limit", DSC + member + "," + PAST_THE_LIMIT + "sentry-org_id=999");
    byName.put("and then the receiver's own org beyond the limit",
        DSC + member + "," + PAST_THE_LIMIT + "sentry-org_id=" + (ownOrg == null ? "999" : ownOrg));
    byName.put("only beyond the limit", DSC + "," + PAST_THE_LIMIT + (org == null ? "" : "sentry-org_id=" + org));
    byName.put("after a cut member", DSC + member + "," + PAST_THE_LIMIT.substring(0, 8_000) + "sentry-org_id=999"
        + "9".repeat(500));
    return byName;
  }

  @Test
  void theBridgeAndTheCoreDecideAlikeOnTheOrgTable() throws IOException {
    int checked = 0;
    for (Vector v : vectors()) {
      Tracer core = tracer(v.ownOrg(), v.strict());
      SentryTracePropagator bridge = SentryTracePropagator.create(core);
      for (Map.Entry<String, String> placement : placements(v.baggageOrg(), v.ownOrg()).entrySet()) {
        String baggage = placement.getValue();
        String what = String.format("own org %s, strict %s, incoming org %s %s", v.ownOrg(), v.strict(), v.baggageOrg(), placement.getKey());
        PropagationContext coreDecision = core.continueTrace(SENTRY_TRACE, baggage);
        Context extracted = bridge.extract(Context.root(), Map.of("sentry-trace", SENTRY_TRACE, "baggage", baggage), MapCarrier.GETTER);
        boolean bridgeContinues = Span.fromContext(extracted).getSpanContext().isValid();
        assertThat(bridgeContinues).as(what).isEqualTo(!coreDecision.isHeadOfTrace());
        assertThat(extracted.get(SentryTracePropagator.INCOMING) != null).as(what).isEqualTo(bridgeContinues);
        // Read within the first 8,192 chars, the org counts as the vector says; beyond them, as absent.
        boolean orgRead = v.baggageOrg() != null && !placement.getKey().equals("only beyond the limit");
        assertThat(bridgeContinues).as(what).isEqualTo(orgRead ? v.continues() : continuesWithoutOrg(v));
        if (bridgeContinues) assertSentOnWithItsDsc(bridge, extracted, coreDecision, what);
        checked++;
      }
    }
    assertThat(checked).isEqualTo(60);
  }

  /** The vector's answer had the incoming header carried no org id. */
  private static boolean continuesWithoutOrg(Vector v) {
    return !v.strict() || v.ownOrg() == null;
  }

  private static void assertSentOnWithItsDsc(SentryTracePropagator bridge, Context extracted, PropagationContext core, String what) {
    SpanContext local = SpanContext.create(TRACE, "1111111111111111", TraceFlags.getSampled(), TraceState.getDefault());
    Map<String, String> out = new HashMap<>();
    bridge.inject(extracted.with(Span.wrap(local)), out, MapCarrier.SETTER);
    assertThat(out.get("sentry-trace")).as(what).isEqualTo(TRACE + "-1111111111111111-1");
    assertThat(out.get("baggage")).as(what).isNotEmpty();
    // The same DSC the core froze (its sample_rand was sent, so nothing was backfilled at random).
    assertThat(Baggage.parse(out.get("baggage"))).as(what).isEqualTo(core.frozenDynamicSamplingContext());
  }
}
