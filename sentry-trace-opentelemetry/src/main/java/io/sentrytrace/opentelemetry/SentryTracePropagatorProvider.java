package io.sentrytrace.opentelemetry;

import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurablePropagatorProvider;
import java.util.List;

/**
 * Makes {@link SentryTracePropagator} available by the name {@code sentry-trace} to the SDK's
 * autoconfigure and to the Java agent (this module's {@code -agent} jar as an extension). Options
 * are read from {@code sentry-trace.*} system properties or {@code SENTRY_TRACE_*} environment
 * variables: {@code dsn}, {@code release}, {@code environment}, {@code traces-sample-rate}, {@code
 * trace-propagation-targets} (comma-separated, {@code \,} for a comma inside one; absent: all URLs,
 * empty: none), {@code strict-trace-continuation} and {@code debug} ({@code true} logs every
 * propagation decision with its reason on the logger {@code io.sentrytrace.decisions} at INFO, see
 * {@link io.sentrytrace.DecisionLog}). A bad value fails the SDK's start with a message naming it.
 *
 * <pre>{@code
 * java -Dotel.propagators=tracecontext,baggage,sentry-trace \
 *      -Dsentry-trace.dsn=https://public@o1.ingest.sentry.io/2 -Dsentry-trace.release=shop@1.4.0 -jar app.jar
 * }</pre>
 */
public final class SentryTracePropagatorProvider implements ConfigurablePropagatorProvider {
  private static final System.Logger LOG = System.getLogger(SentryTracePropagatorProvider.class.getName());
  /** The name in {@code otel.propagators}. */
  public static final String NAME = "sentry-trace";

  /** For {@link java.util.ServiceLoader}. */
  public SentryTracePropagatorProvider() {}

  @Override
  public String getName() {
    return NAME;
  }

  @Override
  public TextMapPropagator getPropagator(ConfigProperties config) {
    warnWhenBaggageComesLater(config.getList("otel.propagators"));
    return SentryTracePropagator.create(SentryTraceConfig.tracer(config));
  }

  /**
   * The propagator listed last writes the {@code baggage} header that stays: after ours, W3C
   * baggage would replace the DSC of traces this service starts.
   */
  private static void warnWhenBaggageComesLater(List<String> propagators) {
    int ours = propagators.indexOf(NAME);
    int baggage = propagators.indexOf("baggage");
    if (ours >= 0 && baggage > ours) {
      LOG.log(System.Logger.Level.WARNING,
          "otel.propagators lists baggage after sentry-trace: the W3C baggage propagator then replaces the"
              + " Sentry members of outgoing baggage headers; list sentry-trace after baggage");
    }
  }
}
