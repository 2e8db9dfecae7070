package io.sentrytrace.opentelemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;

/**
 * A program using the SDK's autoconfigure with nothing but {@code sentry-trace.*} settings, for
 * {@link AutoconfiguredExitTest}: it finishes a transaction with a child and returns from main
 * without closing anything; the SDK's own shutdown hook must deliver it.
 */
public final class AutoconfiguredApp {
  private AutoconfiguredApp() {}

  public static void main(String[] args) {
    OpenTelemetry otel = AutoConfiguredOpenTelemetrySdk.initialize().getOpenTelemetrySdk();
    Tracer tracer = otel.getTracer("app");
    Span job = tracer.spanBuilder("nightly job").setSpanKind(SpanKind.CONSUMER).startSpan();
    try (Scope s = job.makeCurrent()) {
      tracer.spanBuilder("step").startSpan().end();
    }
    job.end();
    System.out.println("DONE " + job.getSpanContext().getTraceId());
  }
}
