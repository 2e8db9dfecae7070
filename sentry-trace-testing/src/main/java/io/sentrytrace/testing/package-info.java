/**
 * Aids for tests of traced code: {@link io.sentrytrace.testing.InMemorySpanExporter} keeps the
 * transactions a tracer finishes, to assert on. Add this module with test scope.
 *
 * <pre>{@code
 * InMemorySpanExporter exporter = new InMemorySpanExporter();
 * Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(exporter).build();
 * }</pre>
 */
package io.sentrytrace.testing;
