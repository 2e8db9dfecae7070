/**
 * The HTTP rules every sentry-trace adapter shares, held once: which URLs get trace headers, how
 * they are written and merged, the {@code http.client} and {@code http.server} spans with Sentry's
 * span data, CORS preflights and the values a server hands to the browser. An adapter (OkHttp,
 * Apache HttpClient, the JDK client and server, servlets) only maps its library's request and
 * response onto the small interfaces here, as Brave's {@code HttpClientHandler} and {@code
 * HttpServerHandler} do for Brave's adapters. Nothing here ever throws into the user's call.
 */
package io.sentrytrace.http;
