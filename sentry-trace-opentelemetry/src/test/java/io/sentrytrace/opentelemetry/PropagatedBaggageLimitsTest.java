package io.sentrytrace.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.baggage.BaggageBuilder;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.sentrytrace.Baggage;
import io.sentrytrace.test.LogRecords;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.LogRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The recommended propagator order, {@code tracecontext,baggage,sentry-trace}, writes a {@code
 * baggage} header within the W3C limits (64 members, 8192 chars) that keeps Sentry's DSC however
 * many OpenTelemetry baggage entries the application has (issue 19 §3).
 */
class PropagatedBaggageLimitsTest {
  private static final String TRACE = "771a43a4192642f0b136d5159a501700";
  private static final String SPAN = "b0e6f15b45c36b12";
  private static final String CHILD = "1111111111111111";
  private static final String DSC = "sentry-trace_id=" + TRACE
      + ",sentry-public_key=k,sentry-org_id=1,sentry-sample_rand=0.5,sentry-sample_rate=1,sentry-sampled=true";

  private final SentryTracePropagator sentry = SentryTracePropagator.create(io.sentrytrace.Tracer.builder()
      .dsn("https://k@o1.ingest.sentry.io/2").release("svc@1").environment("prod").tracesSampleRate(1.0).build());
  private final TextMapPropagator recommended = TextMapPropagator.composite(
      W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance(), sentry);

  /** A local span of a trace started here, or a child of a continued one, as {@code trace} says. */
  private Context context(String trace) {
    if (trace.equals("started here")) {
      return Context.root().with(Span.wrap(SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(), TraceState.getDefault())));
    }
    Map<String, String> incoming = new HashMap<>(Map.of("sentry-trace", TRACE + "-" + SPAN + "-1", "baggage", DSC));
    Context continued = recommended.extract(Context.root(), incoming, MapCarrier.GETTER);
    return continued.with(Span.wrap(SpanContext.create(TRACE, CHILD, TraceFlags.getSampled(), TraceState.getDefault())));
  }

  @ParameterizedTest
  @CsvSource({
    "started here, 0", "started here, 63", "started here, 64", "started here, 1000",
    "continued, 0", "continued, 63", "continued, 64", "continued, 1000"
  })
  void theInjectedBaggageKeepsSentrysDscWithinTheW3cLimits(String trace, int entries) {
    Context context = context(trace);
    Map<String, String> alone = new HashMap<>();
    recommended.inject(context, alone, MapCarrier.SETTER);
    Baggage dsc = Baggage.parse(alone.get("baggage"));
    assertThat(dsc.get("trace_id")).isEqualTo(TRACE);
    assertThat(dsc.sentryValues()).containsKeys("public_key", "org_id", "sample_rand", "sample_rate", "sampled");

    BaggageBuilder otel = io.opentelemetry.api.baggage.Baggage.builder();
    for (int i = 0; i < entries; i++) otel.put("m" + i, "v" + i);
    Map<String, String> out = new HashMap<>();
    try (LogRecords dropped = LogRecords.of(Baggage.class)) { // asserted, and kept off the console
      recommended.inject(context.with(otel.build()), out, MapCarrier.SETTER);
      String sent = out.get("baggage");
      List<String> members = Arrays.asList(sent.split(",", -1));
      assertThat(members).hasSizeLessThanOrEqualTo(Baggage.MAX_MEMBERS).doesNotHaveDuplicates();
      assertThat(sent).hasSizeLessThanOrEqualTo(Baggage.MAX_HEADER_LENGTH).endsWith(dsc.toHeader());
      assertThat(Baggage.parse(sent)).as("every Sentry member").isEqualTo(dsc);
      int kept = Math.min(entries, Baggage.MAX_MEMBERS - dsc.sentryValues().size());
      assertThat(members.stream().filter(m -> m.startsWith("m"))).hasSize(kept);
      assertThat(dropped.records()).extracting(LogRecord::getMessage).hasSize(entries > kept ? 1 : 0)
          .allSatisfy(m -> assertThat(m).contains((entries - kept) + " of the outgoing request's other members"));
    }
  }
}
