/**
 * What sentry-trace's own HTTP adapters share beyond the SPI: the instrumentation log, header
 * parsing, the span data keys. Public only because the adapters live in other packages.
 *
 * <p>Not API: may change without notice.
 */
package io.sentrytrace.http.internal;
