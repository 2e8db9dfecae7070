package io.sentrytrace;

/**
 * Sets (replaces) a header on a carrier, like OpenTelemetry's {@code TextMapSetter}.
 *
 * <pre>{@code
 * tracer.inject(span, requestBuilder, HttpRequest.Builder::setHeader);
 * }</pre>
 */
@FunctionalInterface
public interface CarrierSetter<C> {
  void set(C carrier, String key, String value);
}
