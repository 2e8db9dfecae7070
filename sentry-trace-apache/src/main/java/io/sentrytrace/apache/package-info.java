/**
 * Apache HttpClient 5 instrumentation: exec interceptors for the classic and the async client that
 * add the trace headers to requests for the propagation targets and record {@code http.client}
 * spans (through {@code io.sentrytrace.http.HttpClientHandler}), and an envelope transport over
 * the user's own client.
 */
package io.sentrytrace.apache;
