package io.sentrytrace.okhttp;

import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import io.sentrytrace.http.HttpClientExchange;
import io.sentrytrace.http.HttpClientHandler;
import io.sentrytrace.http.internal.HeaderValues;
import io.sentrytrace.http.internal.InstrumentationLog;
import java.io.IOException;
import java.util.Objects;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Puts the caller's Sentry trace on outgoing requests and records each request as an {@code
 * http.client} span. One line instruments a client:
 *
 * <pre>{@code
 * OkHttpClient client = TracingInterceptor.instrument(new OkHttpClient(), tracer);
 * }</pre>
 *
 * <h2>What it adds</h2>
 *
 * <p>To a request whose URL matches the tracer's {@code tracePropagationTargets}: {@code
 * sentry-trace}, {@code baggage} and, when the tracer propagates it, {@code traceparent}. An
 * existing {@code baggage} header is merged (other vendors' members kept, Sentry's replaced), never
 * repeated. A {@code sentry-trace} the request already carries is kept, and then nothing else is
 * added. The decision is made again for every hop: a redirect (or a retry) to a URL that is not a
 * target goes out without the headers this interceptor added, and the request's own values are
 * put back.
 *
 * <p>With a parent span, each request is also a child span, op {@code http.client}, named like
 * {@code GET https://api.example.com/v1/orders} (no query, no user-info; the port when it is not
 * the default), with data {@code http.request.method}, {@code url}, {@code http.query}, {@code
 * http.response.status_code} and {@code http.response_content_length} (from {@code
 * Content-Length}), {@code http.response.time_to_first_byte_ms}, status {@code
 * SpanStatus.fromHttpStatus(code)} of the final response. It lasts until the response body has been
 * read to its end or closed (at {@code callEnd} with {@link #instrument}), so a slowly streamed body
 * counts; the body is neither read nor buffered by us. A WebSocket's span ends with its handshake.
 * The {@code sentry-trace} sent names this span. Without a recording parent span, the headers carry
 * the parent's trace or the current propagation context (tracing off, or no transaction) and no
 * span is recorded. The rules are {@link HttpClientHandler}'s, the same for every client module.
 *
 * <p>The parent is the span tagged on the request, {@code new Request.Builder().tag(Span.class,
 * span)}, else the span current on the thread that called {@code execute()} or {@code enqueue()}.
 *
 * <h2>When it does nothing</h2>
 *
 * <p>While instrumentation is suppressed on the thread that makes the call (the envelope exporter's
 * own requests to Sentry): no headers, no span.
 *
 * <h2>Failures</h2>
 *
 * <p>This interceptor never throws into the call. An {@link IOException} of the call itself (a
 * refused connection, a timeout) marks the span {@code internal_error} ({@code cancelled} after
 * {@code Call.cancel()}) and reaches the caller
 * unchanged: thrown by {@code execute()}, passed to {@code Callback.onFailure} for {@code
 * enqueue()}. A failure inside the instrumentation (a broken tracer or exporter, an unexpected
 * OkHttp version) is logged through {@link System.Logger} (the first at WARNING, later ones at
 * DEBUG) and the request goes on unchanged,
 * so that {@code execute()} returns and {@code Callback.onResponse} sees exactly what they would
 * without it.
 *
 * <h2>Registering it by hand</h2>
 *
 * <p>{@code new OkHttpClient.Builder().addInterceptor(TracingInterceptor.create(tracer))} is
 * enough for calls made with {@code execute()} that are not redirected to other hosts. An
 * application interceptor runs once per call, above OkHttp's redirects, and for {@code enqueue()}
 * on a dispatcher thread, so alone it cannot take the headers off a redirect to a host that is not
 * a target, nor see the span (or the {@code suppress()} scope) of the thread that enqueued a call;
 * it logs this once. {@link #instrument} adds the same interceptor as the first network interceptor
 * (it decides the headers per hop there) and an {@link EventListener} that records the caller's
 * span when the call starts, wrapping the client's own listener factory. Registered only as a
 * network interceptor, it records one span per hop, and none for a call that fails before it
 * connects.
 *
 * <h2>What {@code instrument} returns</h2>
 *
 * <p>The interceptor and the listener are OkHttp's public API. The client returned is a subclass of
 * {@link OkHttpClient} that also overrides {@code newWebSocket}: OkHttp runs a WebSocket handshake
 * without the client's event listener, so only there can the caller's span be seen. That subclass
 * needs OkHttp's builder constructor, which is Kotlin {@code internal}; where a later OkHttp does
 * not offer it, {@code instrument} logs it once and returns a plain client that traces the same,
 * but whose WebSocket handshakes take their parent only from the request's {@code Span} tag.
 */
public final class TracingInterceptor implements Interceptor {
  private static final String HINT =
      "TracingInterceptor is registered without its event listener: enqueued calls get no parent"
          + " span and redirects keep the trace headers. Use TracingInterceptor.instrument(client, tracer).";

  private final InstrumentationLog log = InstrumentationLog.of(TracingInterceptor.class, "OkHttp");
  private final HttpClientHandler handler;

  private TracingInterceptor(Tracer tracer) {
    this.handler = HttpClientHandler.create(tracer, TracingInterceptor.class, "OkHttp");
  }

  /**
   * An interceptor to register by hand, for {@code addNetworkInterceptor} or {@code addInterceptor}
   * (see above for what each alone cannot do); {@link #instrument} needs none of this.
   */
  public static TracingInterceptor create(Tracer tracer) {
    return new TracingInterceptor(Objects.requireNonNull(tracer, "tracer"));
  }

  /**
   * A client that shares {@code client}'s connection pool, dispatcher and settings, with a {@code
   * TracingInterceptor} as its last application interceptor and its first network interceptor,
   * and an event listener that records the caller's span when a call starts and ends the span when
   * the call ends (then calls {@code client}'s own listeners). A client this method already
   * instrumented is returned as it is.
   *
   * <pre>{@code
   * OkHttpClient client = TracingInterceptor.instrument(
   *     new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build(), tracer);
   * }</pre>
   *
   * @throws IllegalArgumentException if {@code client} is already instrumented with another tracer
   */
  public static OkHttpClient instrument(OkHttpClient client, Tracer tracer) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(tracer, "tracer");
    EventListener.Factory listeners = client.eventListenerFactory();
    if (listeners instanceof TracedCall.Listener) {
      HttpClientHandler handler = ((TracedCall.Listener) listeners).handler();
      if (handler.tracer() != tracer) {
        throw new IllegalArgumentException("client is already instrumented with another Tracer");
      }
      if (hooked(client)) return client;
      // Built with newBuilder() from an instrumented client: only the WebSocket hook is missing.
      return InstrumentedClient.of(client.newBuilder(), handler, interceptorOf(client, handler).log);
    }
    TracingInterceptor interceptor = TracingInterceptor.create(tracer);
    OkHttpClient.Builder builder = client.newBuilder().addInterceptor(interceptor);
    // First among network interceptors: a logging interceptor after it sees the headers that go out.
    builder.networkInterceptors().add(0, interceptor);
    builder.eventListenerFactory(new TracedCall.Listener(listeners, interceptor.handler, interceptor.log));
    return InstrumentedClient.of(builder, interceptor.handler, interceptor.log);
  }

  /** Whether {@code client} has the WebSocket hook; false where this OkHttp cannot load it. */
  private static boolean hooked(OkHttpClient client) {
    try {
      return client instanceof InstrumentedClient;
    } catch (LinkageError e) {
      return false;
    }
  }

  private static TracingInterceptor interceptorOf(OkHttpClient client, HttpClientHandler handler) {
    for (Interceptor i : client.interceptors()) {
      if (i instanceof TracingInterceptor && ((TracingInterceptor) i).handler == handler) return (TracingInterceptor) i;
    }
    return TracingInterceptor.create(handler.tracer());
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    Request toSend = request;
    HttpClientExchange exchange = null;
    boolean endsAtCallEnd = false;
    Call call = null;
    try {
      call = chain.call();
      boolean network = chain.connection() != null; // null for application interceptors
      CallHeaders previous = request.tag(CallHeaders.class);
      if (previous != null && previous.call == call) {
        // Instrumented above, in this call: a hop (first, retry or redirect) only re-decides headers.
        if (network) toSend = previous.forHop(request);
      } else if (!Suppressed.isTagged(request)) {
        TracedCall traced = TracedCall.of(call, request);
        if (traced == null && !network) log.hint(HINT);
        HttpClientHandler.Parent parent = traced != null ? traced.parent : handler.capture(request.tag(Span.class));
        // A request re-sent from an earlier call's response: start from the user's own headers.
        Request base = previous == null ? request : previous.withUserHeaders(request);
        OkHttpRequest carrier = new OkHttpRequest(base);
        exchange = handler.start(carrier, parent);
        if (traced != null && !network) endsAtCallEnd = traced.track(exchange);
        CallHeaders headers = new CallHeaders(call, exchange, base);
        toSend = headers.tag(exchange.propagated() ? carrier.builder() : base.newBuilder());
      }
    } catch (RuntimeException | LinkageError e) {
      log.failed(e);
      toSend = request;
    }

    if (exchange == null || exchange.span() == null) return chain.proceed(toSend);
    Response response;
    try {
      response = chain.proceed(toSend);
    } catch (IOException | RuntimeException | Error e) {
      TracedCall.failed(exchange, call, e);
      throw e; // unchanged
    }
    return endsAtCallEnd ? recordHead(exchange, response) : endWithBody(exchange, response, call);
  }

  /** Records the response's head; the event listener ends the exchange at {@code callEnd}. */
  private Response recordHead(HttpClientExchange exchange, Response response) {
    try {
      exchange.response(response.code(), HeaderValues.contentLength(response.header("Content-Length")));
    } catch (RuntimeException | LinkageError e) {
      log.failed(e);
    }
    return response;
  }

  /** Records the response's head; with no listener to say when the call ends, its body does. */
  private Response endWithBody(HttpClientExchange exchange, Response response, Call call) {
    try {
      ResponseBody body = response.body();
      if (response.code() == 101 || body.contentLength() == 0) {
        // Nothing more will come as HTTP.
        exchange.finish(response.code(), HeaderValues.contentLength(response.header("Content-Length")));
        return response;
      }
      recordHead(exchange, response);
      return response.newBuilder().body(new TracedResponseBody(body, exchange, call)).build();
    } catch (RuntimeException | LinkageError e) {
      log.failed(e);
      exchange.finish();
      return response;
    }
  }

  @Override
  public String toString() {
    return "TracingInterceptor";
  }
}
