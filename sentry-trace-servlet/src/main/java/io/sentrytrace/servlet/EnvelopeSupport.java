package io.sentrytrace.servlet;

import io.sentrytrace.Dsn;
import io.sentrytrace.SpanExporter;
import io.sentrytrace.envelope.EnvelopeExporter;

/**
 * The one class that names {@code sentry-trace-envelope} (an optional dependency): loaded only when
 * a DSN is set and the module is there.
 */
final class EnvelopeSupport {
  private EnvelopeSupport() {}

  /**
   * Without a shutdown hook: the listener closes the exporter when the application stops, and a
   * hook would hold the application's class loader until then (and past it, if never closed).
   */
  static SpanExporter exporter(Dsn dsn) {
    return EnvelopeExporter.builder(dsn).shutdownHook(false).build();
  }
}
