package io.sentrytrace.okhttp;

import io.sentrytrace.Instrumentation;
import io.sentrytrace.PropagationContext;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import java.io.IOException;
import java.util.Objects;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Puts the caller's Sentry trace on outgoing requests and records each request as an {@code
 * http.client} span. One line instruments a client:
 *
 * <pre>{@code
 * OkHttpClient client = SentryTraceInterceptor.instrument(new OkHttpClient(), tracer);
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
 * Content-Length}), status {@code SpanStatus.fromHttpStatus(code)} of the final response. It
 * finishes when the response headers arrive; the body is neither read nor buffered. The {@code
 * sentry-trace} sent names this span. Without a parent span, the headers carry the current
 * propagation context (tracing off, or no transaction) and no span is recorded.
 *
 * <p>The parent is the span tagged on the request, {@code new Request.Builder().tag(Span.class,
 * span)}, else the span current on the thread that called {@code execute()} or {@code enqueue()}.
 *
 * <h2>When it does nothing</h2>
 *
 * <p>While an {@link Instrumentation#suppress()} scope is open on the thread that makes the call:
 * no headers, no span.
 *
 * <h2>Failures</h2>
 *
 * <p>This interceptor never throws into the call. An {@link IOException} of the call itself (a
 * refused connection, a timeout) marks the span {@code internal_error} and reaches the caller
 * unchanged: thrown by {@code execute()}, passed to {@code Callback.onFailure} for {@code
 * enqueue()}. A failure inside the instrumentation (a broken tracer or exporter, an unexpected
 * OkHttp version) is logged once through {@link System.Logger} and the request goes on unchanged,
 * so that {@code execute()} returns and {@code Callback.onResponse} sees exactly what they would
 * without it.
 *
 * <h2>Registering it by hand</h2>
 *
 * <p>{@code new OkHttpClient.Builder().addInterceptor(new SentryTraceInterceptor(tracer))} is
 * enough for calls made with {@code execute()} that are not redirected to other hosts. An
 * application interceptor runs once per call, above OkHttp's redirects, and for {@code enqueue()}
 * on a dispatcher thread, so alone it cannot take the headers off a redirect to a host that is not
 * a target, nor see the span (or the {@code suppress()} scope) of the thread that enqueued a call;
 * it logs this once. {@link #instrument} adds the same interceptor as the first network interceptor
 * (it decides the headers per hop there) and an {@link EventListener} that records the caller's
 * span when the call starts, wrapping the client's own listener factory. Registered only as a
 * network interceptor, it records one span per hop, and none for a call that fails before it
 * connects.
 */
public final class SentryTraceInterceptor implements Interceptor {
  private static final String HINT =
      "SentryTraceInterceptor is registered without its event listener: enqueued calls get no parent"
          + " span and redirects keep the trace headers. Use SentryTraceInterceptor.instrument(client, tracer).";

  private final Tracer tracer;
  private final OnceLogger log = new OnceLogger();

  /**
   * An interceptor for {@code addInterceptor} (see above for what that alone cannot do), or for
   * {@code addNetworkInterceptor}.
   */
  public SentryTraceInterceptor(Tracer tracer) {
    this.tracer = Objects.requireNonNull(tracer, "tracer");
  }

  /**
   * A client that shares {@code client}'s connection pool, dispatcher and settings, with a {@code
   * SentryTraceInterceptor} as its last application interceptor and its first network interceptor,
   * and an event listener that records the caller's span when a call starts (then calls {@code
   * client}'s own listeners). A client this method already instrumented is returned as it is.
   *
   * <pre>{@code
   * OkHttpClient client = SentryTraceInterceptor.instrument(
   *     new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build(), tracer);
   * }</pre>
   *
   * @throws IllegalArgumentException if {@code client} is already instrumented with another tracer
   */
  public static OkHttpClient instrument(OkHttpClient client, Tracer tracer) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(tracer, "tracer");
    EventListener.Factory listeners = client.eventListenerFactory();
    if (listeners instanceof CallOrigin.Capture) {
      if (((CallOrigin.Capture) listeners).tracer() != tracer) {
        throw new IllegalArgumentException("client is already instrumented with another Tracer");
      }
      return client;
    }
    SentryTraceInterceptor interceptor = new SentryTraceInterceptor(tracer);
    OkHttpClient.Builder builder = client.newBuilder().addInterceptor(interceptor);
    // First among network interceptors: a logging interceptor after it sees the headers that go out.
    builder.networkInterceptors().add(0, interceptor);
    return builder.eventListenerFactory(new CallOrigin.Capture(listeners, tracer, interceptor.log)).build();
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    Request toSend = request;
    Span span = null;
    try {
      Call call = chain.call();
      boolean network = chain.connection() != null; // null for application interceptors
      CallOrigin origin = CallOrigin.of(call);
      if (!isSuppressed(origin, request)) {
        Outgoing previous = request.tag(Outgoing.class);
        if (previous != null && previous.call == call) {
          // Instrumented above, in this call: a hop (first, retry or redirect) only re-decides headers.
          if (network) toSend = previous.forHop(request, tracer);
        } else {
          if (origin == null && !network) log.hint(HINT);
          // A request re-sent from an earlier call's response: start from the user's own headers.
          Request base = previous == null ? request : previous.withUserHeaders(request);
          Span parent = parent(request, origin);
          span = parent == null ? null : HttpClientSpans.start(parent, base);
          PropagationContext context = null;
          if (span == null) {
            context = origin != null && origin.context != null ? origin.context : tracer.currentPropagationContext();
          }
          toSend = new Outgoing(call, span, context, base).apply(base, tracer);
        }
      }
    } catch (RuntimeException | LinkageError e) {
      log.failure(e);
      toSend = request;
      span = null;
    }

    if (span == null) return chain.proceed(toSend);
    Response response;
    try {
      response = chain.proceed(toSend);
    } catch (Throwable t) {
      fail(span);
      throw t; // unchanged: only IOException and unchecked ones can get here
    }
    finish(span, response);
    return response;
  }

  private Span parent(Request request, CallOrigin origin) {
    Span explicit = request.tag(Span.class);
    if (explicit != null) return explicit;
    // With the listener installed, the caller's thread decides, also for execute().
    return origin != null ? origin.span : tracer.currentSpan();
  }

  private static boolean isSuppressed(CallOrigin origin, Request request) {
    return Instrumentation.isSuppressed() || (origin != null && origin.suppressed) || Suppressed.isTagged(request);
  }

  private void finish(Span span, Response response) {
    try {
      HttpClientSpans.finish(span, response);
    } catch (RuntimeException | LinkageError e) {
      log.failure(e);
    }
  }

  private void fail(Span span) {
    try {
      HttpClientSpans.fail(span);
    } catch (RuntimeException | LinkageError e) {
      log.failure(e);
    }
  }

  @Override
  public String toString() {
    return "SentryTraceInterceptor";
  }
}
