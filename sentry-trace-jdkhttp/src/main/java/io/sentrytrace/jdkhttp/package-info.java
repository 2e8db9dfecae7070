/**
 * The JDK's own HTTP stack: {@code TracingHttpClient.instrument} instruments a {@code
 * java.net.http.HttpClient}, and {@code TracingFilter} continues incoming traces in a {@code
 * com.sun.net.httpserver.HttpServer}. Both are thin adapters over {@code io.sentrytrace.http}.
 */
package io.sentrytrace.jdkhttp;
