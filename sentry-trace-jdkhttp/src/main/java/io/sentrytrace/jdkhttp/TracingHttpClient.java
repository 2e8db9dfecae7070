package io.sentrytrace.jdkhttp;

import io.sentrytrace.Tracer;
import java.net.http.HttpClient;
import java.util.Objects;

/**
 * Traces a {@link java.net.http.HttpClient}: {@link #wrap} returns a client that does everything
 * the wrapped one does and, on {@code send} and {@code sendAsync}, adds the trace headers and
 * records a span.
 *
 * <pre>{@code
 * HttpClient client = TracingHttpClient.wrap(HttpClient.newHttpClient(), tracer);
 * try (Scope scope = tx.makeCurrent()) {
 *   HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
 * }
 * }</pre>
 *
 * <p>For each request:
 *
 * <ul>
 *   <li>Headers: {@code sentry-trace} and {@code baggage} (and {@code traceparent} when the tracer
 *       propagates it) go only to URLs for which {@link Tracer#shouldPropagate} is true. A {@code
 *       sentry-trace} the request already carries is kept, and then nothing is added; an existing
 *       {@code baggage} keeps its other vendors' members and gets ours in place of any {@code
 *       sentry-} ones, so sending the same request again never grows it. The user's request is
 *       never changed (it is immutable): a copy with the headers goes out.
 *   <li>Span: when a span is current on the thread that calls {@code send} or {@code sendAsync},
 *       a child span {@code http.client} named {@code METHOD scheme://host[:port]/path} (no query,
 *       no user info) with data {@code http.request.method}, {@code url}, {@code http.query}, {@code
 *       http.response.status_code} and {@code http.response_content_length} (from the {@code
 *       Content-Length} header: the body is never read here; the {@code BodyHandler} stays in
 *       charge) and the status of the HTTP code. The {@code sentry-trace} sent names this span.
 *       Without a current span the headers carry the tracer's propagation context and no span is
 *       recorded.
 *   <li>Redirects: each hop gets the headers only when its own URL is a target. The JDK client
 *       would copy the first hop's headers to every hop, so when it follows redirects and not every
 *       URL is a target, the wrapper follows the redirects itself (same rules as the JDK client: codes 301, 302,
 *       303, 307, 308, the {@code NORMAL}/{@code ALWAYS} scheme rule, POST to GET on 301/302, GET
 *       on 303, at most {@code jdk.httpclient.redirects.retrylimit} hops) through a twin of the
 *       wrapped client with the same settings. Differences: the response's {@code
 *       previousResponse()} is empty, and the twin has its own connection pool. A wrapped client
 *       that is not the JDK's own implementation cannot be twinned: it follows its redirects
 *       itself, with the headers.
 *   <li>{@link io.sentrytrace.Instrumentation#isSuppressed() Suppressed} on the calling thread: the
 *       request goes out untouched and no span is recorded.
 * </ul>
 *
 * <p>Failures: an {@code IOException} or failed future marks the span {@code internal_error}
 * (cancelled: {@code cancelled}) and reaches the caller unchanged. The instrumentation itself never
 * throws into the call: a failure inside it is logged once via {@link System.Logger} and the
 * request goes out as the caller built it. WebSockets pass through untraced. On Java 21+, closing
 * or shutting down the returned client closes or shuts down the wrapped one.
 */
public final class TracingHttpClient {
  private TracingHttpClient() {}

  /**
   * A client that traces its requests and delegates everything to {@code client}. A client this
   * method returned, wrapped again with the same tracer, is returned as it is (no double spans).
   *
   * @throws NullPointerException when {@code client} or {@code tracer} is null
   */
  public static HttpClient wrap(HttpClient client, Tracer tracer) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(tracer, "tracer");
    if (client instanceof TracedHttpClient && ((TracedHttpClient) client).tracer() == tracer) return client;
    return new TracedHttpClient(client, tracer);
  }
}
