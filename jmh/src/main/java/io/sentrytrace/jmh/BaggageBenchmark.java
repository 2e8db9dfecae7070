package io.sentrytrace.jmh;

import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.context.Context;
import io.sentrytrace.Baggage;
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
 * The {@code baggage} header with 8 {@code sentry-} members and 2 of other vendors. Parse: {@link
 * Baggage#parse} against sentry-java's {@code Baggage.fromHeader(String)} and OpenTelemetry's
 * {@code W3CBaggagePropagator} extract (which keeps all 10 members). Format: the outgoing header
 * that keeps the other vendors' members, {@link Baggage#merge} against sentry-java's {@code
 * toHeaderString(thirdParty)} and OpenTelemetry's inject of the same 10 members. Formatting never
 * hits a cache: {@link Baggage#toHeader()} caches per instance, {@code merge} builds each time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(Defaults.FORKS)
@Warmup(iterations = Defaults.WARMUP_ITERATIONS, time = Defaults.SECONDS)
@Measurement(iterations = Defaults.MEASUREMENT_ITERATIONS, time = Defaults.SECONDS)
public class BaggageBenchmark {
  String header = Inputs.BAGGAGE;
  String thirdParty = Inputs.THIRD_PARTY_BAGGAGE;
  Map<String, String> carrier = new HashMap<>(Map.of("baggage", Inputs.BAGGAGE));
  W3CBaggagePropagator w3c = W3CBaggagePropagator.getInstance();

  Baggage ours;
  io.sentry.Baggage sentryJava;
  Context otelContext;
  Map<String, String> otelCarrier;

  @Setup
  public void setUp() {
    ours = Baggage.parse(header);
    sentryJava = io.sentry.Baggage.fromHeader(header);
    otelContext = w3c.extract(Context.root(), carrier, Inputs.MAP_GETTER);
    otelCarrier = new HashMap<>();
  }

  @Benchmark
  public Baggage parse_ours() {
    return Baggage.parse(header);
  }

  @Benchmark
  public io.sentry.Baggage parse_sentryJava() {
    return io.sentry.Baggage.fromHeader(header);
  }

  @Benchmark
  public Context parse_otel() {
    return w3c.extract(Context.root(), carrier, Inputs.MAP_GETTER);
  }

  @Benchmark
  public String format_ours() {
    return Baggage.merge(thirdParty, ours);
  }

  @Benchmark
  public String format_sentryJava() {
    return sentryJava.toHeaderString(thirdParty);
  }

  /** Puts into the same map every time: the map does not grow, only the value is replaced. */
  @Benchmark
  public Map<String, String> format_otel() {
    w3c.inject(otelContext, otelCarrier, Inputs.MAP_SETTER);
    return otelCarrier;
  }
}
