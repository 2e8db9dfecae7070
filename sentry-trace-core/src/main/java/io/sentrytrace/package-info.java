/**
 * Carries Sentry traces across services: reads and writes the {@code sentry-trace} and {@code
 * baggage} headers (and, when enabled, W3C {@code traceparent}), keeps the current span per thread,
 * samples, and hands finished transactions to a {@link io.sentrytrace.SpanExporter}. No
 * dependencies; HTTP client and server modules build on it.
 *
 * <p>Start with {@link io.sentrytrace.Tracer}: continue an incoming trace, start a transaction,
 * inject the headers into outgoing requests.
 *
 * <pre>{@code
 * Tracer tracer = Tracer.builder().dsn("https://key@o1.ingest.sentry.io/2").tracesSampleRate(0.2).build();
 * Span tx = tracer.startTransaction("GET /checkout", "http.server",
 *     tracer.continueTrace(request.header(SentryTrace.HEADER), request.header(Baggage.HEADER)));
 * tracer.inject(tx, outgoing, Request::header, Request::setHeader);
 * tx.finish();
 * }</pre>
 *
 * <p>Everything that reads request input ({@link io.sentrytrace.SentryTrace#parse}, {@link
 * io.sentrytrace.Baggage#parse}, {@link io.sentrytrace.Cors}, {@link
 * io.sentrytrace.PropagationTargets#matches}) costs time linear in the input and keeps a bounded
 * amount of it, and never throws on bad input.
 */
package io.sentrytrace;
