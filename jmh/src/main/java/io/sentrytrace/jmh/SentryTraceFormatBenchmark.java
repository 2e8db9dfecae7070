package io.sentrytrace.jmh;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.sentry.SentryTraceHeader;
import io.sentry.protocol.SentryId;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Writing the outgoing {@code sentry-trace} of a sampled span: {@link Span#toSentryTrace()}
 * against sentry-java's {@code new SentryTraceHeader(SentryId, SpanId, Boolean).getValue()} (what
 * its {@code span.toSentryTrace()} does) and OpenTelemetry's {@code traceparent} inject into a map.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(Defaults.FORKS)
@Warmup(iterations = Defaults.WARMUP_ITERATIONS, time = Defaults.SECONDS)
@Measurement(iterations = Defaults.MEASUREMENT_ITERATIONS, time = Defaults.SECONDS)
public class SentryTraceFormatBenchmark {
  Span span;
  SentryId sentryJavaTraceId;
  io.sentry.SpanId sentryJavaSpanId;
  Boolean sampled;
  Context otelContext;
  Map<String, String> otelCarrier;
  W3CTraceContextPropagator w3c = W3CTraceContextPropagator.getInstance();

  @Setup
  public void setUp() {
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).build();
    span = tracer.startTransaction("GET /checkout", "http.server");
    // All three format the same ids.
    sentryJavaTraceId = new SentryId(span.traceId().toString());
    sentryJavaSpanId = new io.sentry.SpanId(span.spanId().toString());
    sampled = span.sampled();
    otelContext =
        Context.root()
            .with(
                io.opentelemetry.api.trace.Span.wrap(
                    SpanContext.create(
                        span.traceId().toString(),
                        span.spanId().toString(),
                        TraceFlags.getSampled(),
                        TraceState.getDefault())));
    otelCarrier = new HashMap<>();
  }

  @Benchmark
  public String format_ours() {
    return span.toSentryTrace();
  }

  @Benchmark
  public String format_sentryJava() {
    return new SentryTraceHeader(sentryJavaTraceId, sentryJavaSpanId, sampled).getValue();
  }

  /** Puts into the same map every time: the map does not grow, only the value is replaced. */
  @Benchmark
  public Map<String, String> format_otel() {
    w3c.inject(otelContext, otelCarrier, Inputs.MAP_SETTER);
    return otelCarrier;
  }
}
