/**
 * The OpenTelemetry bridge: the {@code sentry-trace} propagator (loadable by name through the
 * SDK's autoconfigure or the Java agent) and a span exporter that sends OpenTelemetry spans to
 * Sentry as transactions through {@code io.sentrytrace.envelope.EnvelopeExporter}.
 */
package io.sentrytrace.opentelemetry;
