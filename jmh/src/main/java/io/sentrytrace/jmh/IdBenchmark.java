package io.sentrytrace.jmh;

import io.opentelemetry.sdk.trace.IdGenerator;
import io.sentry.protocol.SentryId;
import io.sentrytrace.SpanId;
import io.sentrytrace.TraceId;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A new random id rendered as hex, as every transaction, span and outgoing header needs: {@code
 * TraceId/SpanId.random().toString()} against sentry-java's {@code new SentryId().toString()} /
 * {@code new SpanId().toString()} and OpenTelemetry's {@code IdGenerator.random()}. The {@code
 * Threads2} rows run the same on 2 threads at once, to show contention on a shared random source.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(Defaults.FORKS)
@Warmup(iterations = Defaults.WARMUP_ITERATIONS, time = Defaults.SECONDS)
@Measurement(iterations = Defaults.MEASUREMENT_ITERATIONS, time = Defaults.SECONDS)
public class IdBenchmark {
  IdGenerator otel = IdGenerator.random();

  @Benchmark
  public String traceId_ours() {
    return TraceId.random().toString();
  }

  @Benchmark
  public String traceId_sentryJava() {
    return new SentryId().toString();
  }

  @Benchmark
  public String traceId_otel() {
    return otel.generateTraceId();
  }

  @Benchmark
  public String spanId_ours() {
    return SpanId.random().toString();
  }

  @Benchmark
  public String spanId_sentryJava() {
    return new io.sentry.SpanId().toString();
  }

  @Benchmark
  public String spanId_otel() {
    return otel.generateSpanId();
  }

  @Benchmark
  @Threads(2)
  public String traceIdThreads2_ours() {
    return traceId_ours();
  }

  @Benchmark
  @Threads(2)
  public String traceIdThreads2_sentryJava() {
    return traceId_sentryJava();
  }

  @Benchmark
  @Threads(2)
  public String traceIdThreads2_otel() {
    return traceId_otel();
  }

  @Benchmark
  @Threads(2)
  public String spanIdThreads2_ours() {
    return spanId_ours();
  }

  @Benchmark
  @Threads(2)
  public String spanIdThreads2_sentryJava() {
    return spanId_sentryJava();
  }

  @Benchmark
  @Threads(2)
  public String spanIdThreads2_otel() {
    return spanId_otel();
  }
}
