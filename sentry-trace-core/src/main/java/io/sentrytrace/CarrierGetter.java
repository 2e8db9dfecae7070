package io.sentrytrace;

/**
 * Reads a header from a carrier (a request, a map of headers), like OpenTelemetry's {@code
 * TextMapGetter}.
 *
 * <pre>{@code
 * PropagationContext ctx = tracer.extract(exchange.getRequestHeaders(), Headers::getFirst);
 * }</pre>
 */
@FunctionalInterface
public interface CarrierGetter<C> {
  /** The header's value, or null when absent. */
  String get(C carrier, String key);
}
