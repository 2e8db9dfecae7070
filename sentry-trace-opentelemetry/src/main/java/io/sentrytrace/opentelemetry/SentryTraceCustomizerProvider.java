package io.sentrytrace.opentelemetry;

import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizer;
import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizerProvider;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.sentrytrace.internal.OpenTelemetryAgent;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one switch: with {@code sentry-trace.dsn} (or {@code SENTRY_TRACE_DSN}) set, the SDK's
 * autoconfigure and the Java agent send traces to Sentry without further flags. Without a DSN it
 * changes nothing. With one, only what the user left unset is set:
 *
 * <ul>
 *   <li>{@code otel.propagators=tracecontext,baggage,sentry-trace}; set without {@code
 *       sentry-trace}, it is left as it is and a warning says that traces will not continue from
 *       Sentry's headers;
 *   <li>{@code otel.traces.exporter=sentry-trace}, {@code otel.metrics.exporter=none} and {@code
 *       otel.logs.exporter=none} (Sentry takes no OpenTelemetry metrics or logs; without this the
 *       SDK would try OTLP on localhost);
 *   <li>with {@code sentry-trace.traces-sample-rate} and no {@code otel.traces.sampler}: the
 *       sampler of {@link SentryEnvelopeSpanExporter#sampler()}, which agrees with the DSC and
 *       counts the transactions it drops in the client reports;
 *   <li>when {@code sentry-trace} is a traces exporter: the span processor that records the DSC of
 *       continued traces ({@link SentryEnvelopeSpanExporter#incomingDscRecorder()}).
 * </ul>
 *
 * One INFO line on the logger {@code io.sentrytrace.opentelemetry.SentryTraceCustomizerProvider}
 * says what was set.
 */
public final class SentryTraceCustomizerProvider implements AutoConfigurationCustomizerProvider {
  private static final System.Logger LOG = System.getLogger(SentryTraceCustomizerProvider.class.getName());
  static final String PROPAGATORS = "otel.propagators";
  static final String TRACES_EXPORTER = "otel.traces.exporter";
  static final String SAMPLER = "otel.traces.sampler";
  static final String DEFAULT_PROPAGATORS = "tracecontext,baggage," + SentryTracePropagatorProvider.NAME;

  /** For {@link java.util.ServiceLoader}. */
  public SentryTraceCustomizerProvider() {}

  @Override
  public void customize(AutoConfigurationCustomizer customizer) {
    // The sampler is built before the exporter; it finds the exporter here when it drops a trace.
    AtomicReference<SentryEnvelopeSpanExporter> exporter = new AtomicReference<>();
    customizer
        .addPropertiesCustomizer(SentryTraceCustomizerProvider::defaults)
        .addSamplerCustomizer((sampler, config) -> sampler(sampler, config, exporter))
        .addSpanExporterCustomizer((SpanExporter e, ConfigProperties config) -> {
          if (e instanceof SentryEnvelopeSpanExporter) {
            exporter.compareAndSet(null, (SentryEnvelopeSpanExporter) e);
            // In the Java agent, the spans of every request now reach Sentry: the starter steps back.
            OpenTelemetryAgent.markExtensionActive();
          }
          return e;
        })
        .addTracerProviderCustomizer(SentryTraceCustomizerProvider::recordIncomingDsc);
  }

  /** The properties this sets (over what the user left unset); logs what it did. */
  static Map<String, String> defaults(ConfigProperties config) {
    if (!SentryTraceConfig.hasDsn(config)) return Map.of();
    Map<String, String> set = new LinkedHashMap<>();
    List<String> kept = new ArrayList<>();
    String propagators = config.getString(PROPAGATORS);
    if (propagators == null) {
      set.put(PROPAGATORS, DEFAULT_PROPAGATORS);
    } else {
      kept.add(PROPAGATORS + "=" + propagators);
      if (!config.getList(PROPAGATORS).contains(SentryTracePropagatorProvider.NAME)) {
        LOG.log(Level.WARNING,
            PROPAGATORS + "=" + propagators + " does not list " + SentryTracePropagatorProvider.NAME
                + ": traces will not continue from Sentry's sentry-trace and baggage headers, and outgoing"
                + " requests will not carry them; add it after baggage, or leave " + PROPAGATORS + " unset");
      }
    }
    setUnlessSet(config, TRACES_EXPORTER, SentryTraceSpanExporterProvider.NAME, set, kept);
    setUnlessSet(config, "otel.metrics.exporter", "none", set, kept);
    setUnlessSet(config, "otel.logs.exporter", "none", set, kept);
    String sampler;
    if (config.getString(SAMPLER) != null) {
      sampler = "kept " + SAMPLER + "=" + config.getString(SAMPLER);
    } else if (config.getDouble(SentryTraceConfig.TRACES_SAMPLE_RATE) != null) {
      sampler = "sampler: sentry-trace at " + SentryTraceConfig.TRACES_SAMPLE_RATE + "=" + config.getDouble(SentryTraceConfig.TRACES_SAMPLE_RATE);
    } else {
      sampler = "sampler: OpenTelemetry's default (no " + SentryTraceConfig.TRACES_SAMPLE_RATE + ")";
    }
    LOG.log(Level.INFO,
        "sentry-trace: " + SentryTraceConfig.DSN + " is set; set " + (set.isEmpty() ? "nothing" : join(set))
            + (kept.isEmpty() ? "" : "; kept " + String.join(", ", kept)) + "; " + sampler);
    return set;
  }

  private static void setUnlessSet(ConfigProperties config, String key, String value, Map<String, String> set, List<String> kept) {
    String current = config.getString(key);
    if (current == null) set.put(key, value);
    else kept.add(key + "=" + current);
  }

  private static String join(Map<String, String> set) {
    List<String> pairs = new ArrayList<>();
    set.forEach((k, v) -> pairs.add(k + "=" + v));
    return String.join(", ", pairs);
  }

  static Sampler sampler(Sampler configured, ConfigProperties config, AtomicReference<SentryEnvelopeSpanExporter> exporter) {
    if (!SentryTraceConfig.hasDsn(config) || config.getString(SAMPLER) != null) return configured;
    Double rate = config.getDouble(SentryTraceConfig.TRACES_SAMPLE_RATE);
    if (rate == null) return configured;
    try {
      return new SentryTraceSampler(rate, exporter::get);
    } catch (IllegalArgumentException e) {
      throw new io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException(SentryTraceConfig.TRACES_SAMPLE_RATE + ": " + e.getMessage(), e);
    }
  }

  private static SdkTracerProviderBuilder recordIncomingDsc(SdkTracerProviderBuilder builder, ConfigProperties config) {
    if (SentryTraceConfig.hasDsn(config) && config.getList(TRACES_EXPORTER).contains(SentryTraceSpanExporterProvider.NAME)) {
      builder.addSpanProcessor(new IncomingDscProcessor());
    }
    return builder;
  }
}
