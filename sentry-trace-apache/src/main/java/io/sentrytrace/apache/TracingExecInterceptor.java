package io.sentrytrace.apache;

import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import io.sentrytrace.http.HttpClientExchange;
import io.sentrytrace.http.HttpClientHandler;
import io.sentrytrace.http.internal.InstrumentationLog;
import java.io.IOException;
import java.util.Objects;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * Puts the trace on the requests of Apache HttpClient 5's classic client and records an {@code
 * http.client} span for each.
 *
 * <pre>{@code
 * CloseableHttpClient client = HttpClients.custom()
 *     .addExecInterceptorFirst("sentry-trace", TracingExecInterceptor.create(tracer))
 *     .build();
 * }</pre>
 *
 * <p><b>What it adds.</b> The rules of {@link HttpClientHandler}, the same for every client module:
 * to a request whose URL is one of the tracer's {@code tracePropagationTargets}, {@code
 * sentry-trace} and {@code baggage} (and {@code traceparent} when the tracer sends it); a {@code
 * sentry-trace} the caller set is kept, and then nothing is added; a {@code baggage} the caller set
 * is merged. Under a parent span, the span current on the calling thread or the one in the context
 * attribute {@link #PARENT_SPAN}, it records a child span, op {@code http.client}, named {@code
 * METHOD scheme://host/path}, which the {@code sentry-trace} sent names. The span lasts until the
 * response body has been read to its end or closed (closing the response closes it; {@code
 * client.execute(request, handler)} does both), so a slowly streamed body counts; {@code
 * http.response.time_to_first_byte_ms} keeps the time to the response head. A response without a
 * body ends it at once. Its status comes from the response code; {@code HttpUriRequestBase.cancel()}
 * makes it {@code cancelled}, any other failure of the call {@code internal_error}. Without a
 * parent span the headers carry the tracer's propagation context and no span is recorded.
 *
 * <p><b>When it does nothing.</b> While instrumentation is suppressed on the calling thread (the
 * envelope exporter's own requests to Sentry); no headers for URLs outside the targets (the span is
 * still recorded).
 *
 * <p><b>Redirects and retries: where it is registered.</b> The headers go on a copy of the request
 * handed down the chain; the caller's request object is never changed. Registered first, as above,
 * the interceptor sees each call once, above the client's redirect and retry handling: one span per
 * call, headers decided on the call's URL and sent on its first hop only. The client rebuilds every
 * redirect hop and retry from the caller's request, so they carry none of our headers: a redirect
 * never gets them, to a target or not. Registered below the redirect handling, it decides every hop
 * on its own (a redirect to a target gets the headers, one elsewhere does not) and records one span
 * per attempt:
 *
 * <pre>{@code
 * HttpClients.custom().addExecInterceptorBefore(ChainElement.PROTOCOL.name(), "sentry-trace", interceptor)
 * }</pre>
 *
 * <p><b>Never throws into the call.</b> A failure inside the instrumentation is logged once through
 * {@link System.Logger} and the request goes out unchanged; exceptions of the call itself reach the
 * caller unchanged.
 */
public final class TracingExecInterceptor implements ExecChainHandler {
  /**
   * {@code HttpContext} attribute holding an {@link io.sentrytrace.Span} to use as the parent
   * instead of the span current on the calling thread. Read by both interceptors.
   *
   * <pre>{@code
   * HttpClientContext context = HttpClientContext.create();
   * context.setAttribute(TracingExecInterceptor.PARENT_SPAN, span);
   * client.execute(request, context, handler);
   * }</pre>
   */
  public static final String PARENT_SPAN = "io.sentrytrace.parent-span";

  private final InstrumentationLog log = InstrumentationLog.of(TracingExecInterceptor.class, "Apache HttpClient");
  private final HttpClientHandler handler;

  private TracingExecInterceptor(Tracer tracer) {
    this.handler = HttpClientHandler.create(tracer, TracingExecInterceptor.class, "Apache HttpClient");
  }

  /** An interceptor to register on the classic client's builder, as shown above. */
  public static TracingExecInterceptor create(Tracer tracer) {
    return new TracingExecInterceptor(Objects.requireNonNull(tracer, "tracer"));
  }

  @Override
  public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
      throws IOException, HttpException {
    HttpClientExchange exchange = null;
    ClassicHttpRequest toSend = request;
    try {
      // The classic client runs every hop on the caller's thread: what is current here is the parent.
      HttpClientHandler.Parent parent = handler.capture(explicitParent(scope.clientContext));
      ApacheRequest<ClassicHttpRequest> carrier = new ApacheRequest<>(request, scope.route, ApacheRequest.CLASSIC);
      exchange = handler.start(carrier, parent);
      if (exchange.propagated()) toSend = carrier.result();
    } catch (RuntimeException | LinkageError e) {
      log.failed(e);
    }
    if (exchange == null || exchange.span() == null) return chain.proceed(toSend, scope);

    ApacheExchange traced = ApacheExchange.classic(exchange, scope.execRuntime, log);
    ClassicHttpResponse response;
    try {
      response = chain.proceed(toSend, scope);
    } catch (Throwable t) {
      traced.failed(t);
      throw t; // unchanged
    }
    return TracedEntity.endWithBody(response, traced, log);
  }

  /** The span in {@link #PARENT_SPAN}, or null. */
  static Span explicitParent(HttpContext context) {
    Object explicit = context == null ? null : context.getAttribute(PARENT_SPAN);
    return explicit instanceof Span ? (Span) explicit : null;
  }

  @Override
  public String toString() {
    return "TracingExecInterceptor";
  }
}
