package io.sentrytrace.jdkhttp;

import io.sentrytrace.Tracer;
import java.net.http.HttpClient;
import java.util.Objects;

/**
 * Traces a {@link java.net.http.HttpClient}: {@link #instrument} returns a client that does
 * everything the given one does and, on {@code send} and {@code sendAsync}, adds the trace headers and
 * records a span.
 *
 * <pre>{@code
 * HttpClient client = TracingHttpClient.instrument(HttpClient.newHttpClient(), tracer);
 * try (Scope scope = tx.makeCurrent()) {
 *   HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
 * }
 * }</pre>
 *
 * <p>For each request, the rules of {@link io.sentrytrace.http.HttpClientHandler} (shared by every
 * client module), under the parent current on the thread that calls {@code send} or {@code
 * sendAsync}:
 *
 * <ul>
 *   <li>Headers: {@code sentry-trace} and {@code baggage} (and {@code traceparent} when the tracer
 *       propagates it) go only to URLs for which {@link Tracer#shouldPropagate} is true. A {@code
 *       sentry-trace} the request already carries is kept, and then nothing is added; an existing
 *       {@code baggage} is merged. The user's request is never changed (it is immutable): a copy
 *       with the headers goes out. Without a current span the headers carry the caller's
 *       propagation context.
 *   <li>Span: under a current span, a child {@code http.client} named {@code METHOD
 *       scheme://host[:port]/path}. It lasts until the body handler has consumed the body: for
 *       {@code ofString()} and the like until {@code send} returns; for {@code ofInputStream()}
 *       until the stream hits its end or is closed; for a stream closed early ({@code ofLines()})
 *       until it is closed. {@code http.response.time_to_first_byte_ms} keeps the time to the
 *       response headers. Cancelling the future of {@code sendAsync} ends it {@code cancelled}.
 *   <li>Redirects: each hop gets the headers only when its own URL is a target. The JDK client
 *       would copy the first hop's headers to every hop, so when it follows redirects and not every
 *       URL is a target, the wrapper follows the redirects itself (same rules as the JDK client:
 *       codes 301, 302, 303, 307, 308, the {@code NORMAL}/{@code ALWAYS} scheme rule, POST to GET
 *       on 301/302, GET on 303, at most {@code jdk.httpclient.redirects.retrylimit} hops, the
 *       redirects linked as {@code previousResponse()}). It sends every hop of such a client's
 *       calls through a twin: a client with its own connection pool, built with every setting an
 *       {@code HttpClient} reports ({@code cookieHandler}, {@code connectTimeout}, {@code proxy},
 *       {@code sslContext}, {@code sslParameters}, {@code authenticator}, {@code version}, {@code
 *       executor}) and {@code Redirect.NEVER}. A setting the builder takes that the client does not
 *       report ({@code priority}; {@code localAddress}, Java 19+; any a later JDK adds) is not
 *       copied: those calls go out without it. A wrapped client that is not the JDK's own
 *       implementation (a class outside the {@code java.net.http} module) is never twinned, so that
 *       nothing it does is bypassed: it follows its redirects itself, with the headers.
 *   <li>Suppressed on the calling thread (the envelope exporter's own requests to Sentry): the
 *       request goes to the wrapped client untouched and no span is recorded.
 * </ul>
 *
 * <p>Failures: an {@code IOException} or failed future marks the span {@code internal_error} and
 * reaches the caller unchanged. The instrumentation itself never throws into the call: a failure
 * inside it is logged once via {@link System.Logger} and the request goes out as the caller built
 * it. WebSockets pass through untraced. On Java 21+, closing or shutting down the returned client
 * closes or shuts down the wrapped one.
 */
public final class TracingHttpClient {
  private TracingHttpClient() {}

  /**
   * A client that traces its requests and delegates everything to {@code client}. A client this
   * method returned, instrumented again with the same tracer, is returned as it is (no double
   * spans).
   *
   * @throws NullPointerException when {@code client} or {@code tracer} is null
   */
  public static HttpClient instrument(HttpClient client, Tracer tracer) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(tracer, "tracer");
    if (client instanceof DelegatingHttpClient && ((DelegatingHttpClient) client).tracer() == tracer) return client;
    return new DelegatingHttpClient(client, tracer);
  }
}
