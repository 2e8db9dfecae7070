package io.sentrytrace.opentelemetry;

import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.autoconfigure.spi.traces.ConfigurableSpanExporterProvider;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.sentrytrace.Tracer;
import io.sentrytrace.envelope.EnvelopeExporter;
import io.sentrytrace.envelope.UrlConnectionTransport;

/**
 * Makes {@link SentryEnvelopeSpanExporter} available by the name {@code sentry-trace} in {@code
 * otel.traces.exporter}, to the SDK's autoconfigure and to the Java agent (this module's {@code
 * -agent} jar as an extension). Its options are the propagator's ({@code sentry-trace.dsn},
 * required here, {@code release}, {@code environment}, {@code traces-sample-rate}, ... see {@link
 * SentryTracePropagatorProvider}), read through OpenTelemetry's configuration.
 *
 * <p>The exporter registers no JVM shutdown hook of its own: the SDK's shutdown (its hook, or the
 * agent's) first hands the batch processor's last spans to the exporter, then shuts the exporter
 * down, which sends what it has queued and closes. A hook of its own would race the SDK's and could
 * close before the last batch arrived.
 */
public final class SentryTraceSpanExporterProvider implements ConfigurableSpanExporterProvider {
  /** The name in {@code otel.traces.exporter}. */
  public static final String NAME = "sentry-trace";

  /** For {@link java.util.ServiceLoader}. */
  public SentryTraceSpanExporterProvider() {}

  @Override
  public String getName() {
    return NAME;
  }

  @Override
  public SpanExporter createExporter(ConfigProperties config) {
    if (!SentryTraceConfig.hasDsn(config)) {
      throw new ConfigurationException(
          "otel.traces.exporter=" + NAME + " needs " + SentryTraceConfig.DSN + " (or SENTRY_TRACE_DSN): the DSN to send transactions to");
    }
    Tracer tracer = SentryTraceConfig.tracer(config);
    // The SDK's shutdown flushes and closes us: no hook of our own (see the class comment).
    EnvelopeExporter envelopes = EnvelopeExporter.builder(tracer.dsn())
        .transport(UntracedTransport.of(UrlConnectionTransport.create()))
        .shutdownHook(false)
        .build();
    return SentryEnvelopeSpanExporter.builder(tracer).exporter(envelopes).build();
  }
}
