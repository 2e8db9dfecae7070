/**
 * The OpenTelemetry bridge: the {@code sentry-trace} propagator and the {@code sentry-trace} span
 * exporter (loadable by name through the SDK's autoconfigure or the Java agent, the exporter
 * sending OpenTelemetry spans to Sentry as transactions through {@code
 * io.sentrytrace.envelope.EnvelopeExporter}), and {@link
 * io.sentrytrace.opentelemetry.SentryTraceCustomizerProvider}, which sets both up, with a sampler
 * that agrees with Sentry, from {@code sentry-trace.dsn} alone.
 */
package io.sentrytrace.opentelemetry;
