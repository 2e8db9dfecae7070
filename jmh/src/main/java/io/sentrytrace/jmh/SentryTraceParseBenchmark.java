package io.sentrytrace.jmh;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.sentry.SentryTraceHeader;
import io.sentry.exception.InvalidSentryTraceHeaderException;
import io.sentrytrace.SentryTrace;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading an incoming {@code sentry-trace}: {@link SentryTrace#parse} against sentry-java's {@code
 * new SentryTraceHeader(String)} (a regex; throws on bad input) and OpenTelemetry's extract of the
 * equivalent {@code traceparent} (which reads it from a one-entry map through its getter).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(Defaults.FORKS)
@Warmup(iterations = Defaults.WARMUP_ITERATIONS, time = Defaults.SECONDS)
@Measurement(iterations = Defaults.MEASUREMENT_ITERATIONS, time = Defaults.SECONDS)
public class SentryTraceParseBenchmark {
  String sampled = Inputs.SENTRY_TRACE_SAMPLED;
  String deferred = Inputs.SENTRY_TRACE_DEFERRED;
  String invalid = Inputs.SENTRY_TRACE_INVALID;
  Map<String, String> traceparentSampled = new HashMap<>(Map.of("traceparent", Inputs.TRACEPARENT_SAMPLED));
  Map<String, String> traceparentInvalid = new HashMap<>(Map.of("traceparent", Inputs.TRACEPARENT_INVALID));
  W3CTraceContextPropagator w3c = W3CTraceContextPropagator.getInstance();

  @Benchmark
  public Optional<SentryTrace> parseSampled_ours() {
    return SentryTrace.parse(sampled);
  }

  @Benchmark
  public SentryTraceHeader parseSampled_sentryJava() throws InvalidSentryTraceHeaderException {
    return new SentryTraceHeader(sampled);
  }

  @Benchmark
  public Context parseSampled_otel() {
    return w3c.extract(Context.root(), traceparentSampled, Inputs.MAP_GETTER);
  }

  @Benchmark
  public Optional<SentryTrace> parseDeferred_ours() {
    return SentryTrace.parse(deferred);
  }

  @Benchmark
  public SentryTraceHeader parseDeferred_sentryJava() throws InvalidSentryTraceHeaderException {
    return new SentryTraceHeader(deferred);
  }

  @Benchmark
  public Optional<SentryTrace> parseInvalid_ours() {
    return SentryTrace.parse(invalid);
  }

  /** sentry-java's only outcome for bad input is an exception; callers catch it. */
  @Benchmark
  public Object parseInvalid_sentryJava() {
    try {
      return new SentryTraceHeader(invalid);
    } catch (InvalidSentryTraceHeaderException e) {
      return e;
    }
  }

  @Benchmark
  public Context parseInvalid_otel() {
    return w3c.extract(Context.root(), traceparentInvalid, Inputs.MAP_GETTER);
  }
}
