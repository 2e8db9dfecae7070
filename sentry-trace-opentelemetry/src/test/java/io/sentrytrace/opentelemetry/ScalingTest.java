package io.sentrytrace.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.baggage.BaggageBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.sentrytrace.Tracer;
import io.sentrytrace.test.Work;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The bridge's extract and inject do work linear in what a request sends (at 8 times the input at
 * most {@link Work#MAX_GROWTH} times the work), counted in chars read or bytes allocated, never
 * timed; with a DSN set, the production setup in which the org check reads the baggage.
 */
class ScalingTest {
  private static final String TRACE = "771a43a4192642f0b136d5159a501700";
  private static final String SENTRY_TRACE = TRACE + "-b0e6f15b45c36b12-1";
  /** Below the read limit (8n stays under 8,192 chars) and far beyond it. */
  private static final int[] SIZES = {1_000, 60_000};
  private static final String[] MEMBERS = {"sentry-a,", "sentry-org_id=1,", "sentry-k=%41,", "x=y,", "sentry-a=b;p=%zz,", " , "};

  private final SentryTracePropagator propagator = SentryTracePropagator.create(
      Tracer.builder().dsn("https://k@o1.ingest.sentry.io/2").build());
  private final SentryTracePropagator strict = SentryTracePropagator.create(
      Tracer.builder().dsn("https://k@o1.ingest.sentry.io/2").strictTraceContinuation(true).build());

  /** Chars the bridge's extract reads of both headers. */
  private static long extractReads(SentryTracePropagator p, String baggage) {
    Work.Chars sentryTrace = new Work.Chars(SENTRY_TRACE);
    Work.Chars chars = new Work.Chars(baggage);
    p.extract(Context.root(), sentryTrace, chars);
    return sentryTrace.reads() + chars.reads();
  }

  @Test
  void extractReadsLinearly() {
    for (int n : SIZES) {
      for (String member : MEMBERS) {
        for (SentryTracePropagator p : new SentryTracePropagator[] {propagator, strict}) {
          Work.assertLinear("extract " + member + (p == strict ? " (strict)" : ""), n,
              size -> member.repeat(size / member.length()), s -> extractReads(p, s));
        }
      }
      Work.assertLinear("extract one long member", n, size -> "sentry-org_id=" + "1".repeat(size),
          s -> extractReads(propagator, s));
    }
  }

  @Test
  void extractThroughTheGetterAllocatesLinearly() {
    for (int n : SIZES) {
      for (String member : MEMBERS) {
        Work.assertLinear("extract via getter " + member, n, size -> Map.of("sentry-trace", SENTRY_TRACE, "baggage",
                member.repeat(size / member.length())),
            carrier -> Work.allocatedBytes(() -> propagator.extract(Context.root(), carrier, MapCarrier.GETTER)));
      }
    }
  }

  @Test
  void injectAfterALargeIncomingHeaderAllocatesLinearly() {
    SpanContext local = SpanContext.create(TRACE, "1111111111111111", TraceFlags.getSampled(), TraceState.getDefault());
    for (int n : SIZES) {
      for (String member : new String[] {"sentry-release=r,", "sentry-k=%41,", "x=y,"}) {
        Work.assertLinear("inject after extract of " + member, n, size -> {
              String baggage = "sentry-trace_id=" + TRACE + "," + member.repeat(size / member.length());
              return propagator.extract(Context.root(), Map.of("sentry-trace", SENTRY_TRACE, "baggage", baggage), MapCarrier.GETTER)
                  .with(Span.wrap(local));
            },
            ctx -> Work.allocatedBytes(() -> propagator.inject(ctx, new HashMap<String, String>(), MapCarrier.SETTER)));
      }
    }
  }

  @Test
  void injectWithManyOpenTelemetryBaggageEntriesAllocatesLinearly() {
    SpanContext local = SpanContext.create(TRACE, "1111111111111111", TraceFlags.getSampled(), TraceState.getDefault());
    for (int n : new int[] {100, 1_000}) {
      Work.assertLinear("inject with OpenTelemetry baggage entries", n, entries -> {
            BaggageBuilder b = io.opentelemetry.api.baggage.Baggage.builder();
            for (int i = 0; i < entries; i++) b.put("k" + i, "v" + i);
            return Context.root().with(Span.wrap(local)).with(b.build());
          },
          ctx -> Work.allocatedBytes(() -> propagator.inject(ctx, new HashMap<String, String>(), MapCarrier.SETTER)));
    }
  }

  @Test
  void aContinuedTraceKeepsABoundedDsc() {
    String huge = "sentry-trace_id=" + TRACE + ",sentry-release=" + "r".repeat(384 * 1024);
    Context ctx = propagator.extract(Context.root(), Map.of("sentry-trace", SENTRY_TRACE, "baggage", huge), MapCarrier.GETTER);
    Incoming incoming = ctx.get(SentryTracePropagator.INCOMING);
    assertThat(incoming).isNotNull();
    assertThat(incoming.dsc().toHeader().length()).isLessThanOrEqualTo(io.sentrytrace.Baggage.MAX_HEADER_LENGTH);
  }
}
