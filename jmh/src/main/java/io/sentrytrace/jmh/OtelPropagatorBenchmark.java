package io.sentrytrace.jmh;

import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.sentrytrace.opentelemetry.SentryTracePropagator;
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
 * One OpenTelemetry propagator call per op: {@link SentryTracePropagator} against OpenTelemetry's
 * {@code W3CTraceContextPropagator} (traceparent only) and against tracecontext plus W3C baggage
 * (the same amount of header data as ours). Extract reads {@code sentry-trace} and the 10-member
 * {@link Inputs#BAGGAGE}; inject writes the headers of a local span in a continued trace into a
 * reused map.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(Defaults.FORKS)
@Warmup(iterations = Defaults.WARMUP_ITERATIONS, time = Defaults.SECONDS)
@Measurement(iterations = Defaults.MEASUREMENT_ITERATIONS, time = Defaults.SECONDS)
public class OtelPropagatorBenchmark {
  static final String LOCAL_SPAN_ID = "53995c3f42cd8ad8";

  /** A SaaS DSN: the org check reads the baggage at extract. */
  SentryTracePropagator ours =
      SentryTracePropagator.create(io.sentrytrace.Tracer.builder().dsn("https://k@o1.ingest.sentry.io/2").build());
  TextMapPropagator w3c = W3CTraceContextPropagator.getInstance();
  TextMapPropagator w3cWithBaggage =
      TextMapPropagator.composite(W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance());

  Map<String, String> sentryCarrier =
      new HashMap<>(Map.of("sentry-trace", Inputs.SENTRY_TRACE_SAMPLED, "baggage", Inputs.BAGGAGE));
  Map<String, String> w3cCarrier = new HashMap<>(Map.of("traceparent", Inputs.TRACEPARENT_SAMPLED));
  Map<String, String> w3cBaggageCarrier =
      new HashMap<>(Map.of("traceparent", Inputs.TRACEPARENT_SAMPLED, "baggage", Inputs.BAGGAGE));

  Context oursContinued;
  Context w3cContinued;
  Context w3cBaggageContinued;
  Map<String, String> out = new HashMap<>();

  @Setup
  public void setUp() {
    Span local = Span.wrap(SpanContext.create(Inputs.TRACE_ID, LOCAL_SPAN_ID, TraceFlags.getSampled(), TraceState.getDefault()));
    oursContinued = ours.extract(Context.root(), sentryCarrier, Inputs.MAP_GETTER).with(local);
    w3cContinued = w3c.extract(Context.root(), w3cCarrier, Inputs.MAP_GETTER).with(local);
    w3cBaggageContinued = w3cWithBaggage.extract(Context.root(), w3cBaggageCarrier, Inputs.MAP_GETTER).with(local);
  }

  @Benchmark
  public Context extract_ours() {
    return ours.extract(Context.root(), sentryCarrier, Inputs.MAP_GETTER);
  }

  @Benchmark
  public Context extract_otel() {
    return w3c.extract(Context.root(), w3cCarrier, Inputs.MAP_GETTER);
  }

  @Benchmark
  public Context extract_otelBaggage() {
    return w3cWithBaggage.extract(Context.root(), w3cBaggageCarrier, Inputs.MAP_GETTER);
  }

  @Benchmark
  public Map<String, String> inject_ours() {
    ours.inject(oursContinued, out, Inputs.MAP_SETTER);
    return out;
  }

  @Benchmark
  public Map<String, String> inject_otel() {
    w3c.inject(w3cContinued, out, Inputs.MAP_SETTER);
    return out;
  }

  @Benchmark
  public Map<String, String> inject_otelBaggage() {
    w3cWithBaggage.inject(w3cBaggageContinued, out, Inputs.MAP_SETTER);
    return out;
  }
}
