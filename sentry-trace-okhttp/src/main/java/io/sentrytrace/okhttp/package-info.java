/**
 * OkHttp instrumentation: {@code TracingInterceptor} (with {@code instrument(client, tracer)}
 * for per-hop decisions and async calls) adds the trace headers for the propagation targets and
 * records {@code http.client} spans through {@code io.sentrytrace.http.HttpClientHandler}; {@code
 * OkHttpTransport} sends envelopes over the user's own client.
 */
package io.sentrytrace.okhttp;
