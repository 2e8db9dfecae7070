/**
 * The HTTP rules every sentry-trace adapter shares, held once: which URLs get trace headers, how
 * they are written and merged, the {@code http.client} and {@code http.server} spans with Sentry's
 * span data, CORS preflights and the values a server hands to the browser. Nothing here ever
 * throws into the user's call.
 *
 * <ul>
 *   <li><b>API</b>, for users: the server options, {@link
 *       io.sentrytrace.http.HttpServerHandler#builder} with {@link
 *       io.sentrytrace.http.ServerTimingPolicy}; every server adapter takes the built handler
 *       ({@code TracingFilter.create(handler)}, {@code TracingServletFilter.create(handler)}).
 *   <li><b>SPI</b>, for adapter authors: an adapter (OkHttp, Apache HttpClient, the JDK client and
 *       server, servlets) only maps its library's request and response onto the small interfaces
 *       here, as Brave's {@code HttpClientHandler} and {@code HttpServerHandler} do for Brave's
 *       adapters: {@link io.sentrytrace.http.HttpClientHandler} (with {@link
 *       io.sentrytrace.http.HttpClientExchange}), {@link io.sentrytrace.http.HttpServerHandler},
 *       {@link io.sentrytrace.http.HttpClientRequest}, {@link io.sentrytrace.http.HttpServerRequest},
 *       {@link io.sentrytrace.http.HttpServerResponse}, {@link io.sentrytrace.http.RequestUrl} and
 *       {@link io.sentrytrace.http.EndingInputStream}.
 *   <li><b>Internal</b>: {@code io.sentrytrace.http.internal}, shared by sentry-trace's own
 *       adapters; not API, may change without notice.
 * </ul>
 */
package io.sentrytrace.http;
