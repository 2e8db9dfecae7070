package io.sentrytrace.apache;

import io.sentrytrace.Tracer;
import java.io.IOException;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;

/**
 * Puts the trace on the requests of Apache HttpClient 5's classic client and records an {@code
 * http.client} span for each.
 *
 * <pre>{@code
 * CloseableHttpClient client = HttpClients.custom()
 *     .addExecInterceptorFirst("sentry-trace", new SentryTraceExecInterceptor(tracer))
 *     .build();
 * }</pre>
 *
 * <p><b>What it adds.</b> To a request whose URL is one of the tracer's {@code
 * tracePropagationTargets}: {@code sentry-trace} and {@code baggage} (and {@code traceparent} when
 * the tracer sends it). A {@code sentry-trace} the caller set is kept, and then nothing is added; a
 * {@code baggage} the caller set is merged (other vendors' entries kept, one header). Under a
 * parent span, the span current on the calling thread or the one in the context attribute {@link
 * #PARENT_SPAN}, it records a child span: op {@code http.client}, description {@code METHOD
 * scheme://host/path}, data {@code http.request.method}, {@code url}, {@code http.query}, {@code
 * http.response.status_code}, {@code http.response_content_length}, status from the response code or
 * {@code internal_error} when the call throws; the {@code sentry-trace} sent names that span. The
 * span ends when the response head is back (the body is never read). Without a parent span the
 * headers carry the tracer's propagation context and no span is recorded.
 *
 * <p><b>When it does nothing.</b> While {@link io.sentrytrace.Instrumentation#suppress()} is in
 * force on the calling thread; no headers for URLs outside the targets (the span is still recorded).
 *
 * <p><b>Redirects and retries.</b> The headers go on a copy of the request handed down the chain;
 * the caller's request object is never changed, so sending it again never grows or repeats a
 * header. Registered first, the interceptor sees each call once, above the client's redirect and
 * retry handling: one span per call, headers decided on the call's URL and sent on its first hop.
 * The client rebuilds every redirect hop and retry from the caller's request, so they carry none of
 * our headers: a redirect to a host outside the targets never gets them. To decide on every hop,
 * register it below the redirect handling; it then records one span per attempt:
 *
 * <pre>{@code
 * HttpClients.custom().addExecInterceptorBefore(ChainElement.PROTOCOL.name(), "sentry-trace", interceptor)
 * }</pre>
 *
 * <p><b>Never throws into the call.</b> A failure inside the instrumentation is logged once through
 * {@link System.Logger} and the request goes out unchanged; exceptions of the call itself reach the
 * caller unchanged.
 */
public final class SentryTraceExecInterceptor implements ExecChainHandler {
  /**
   * {@code HttpContext} attribute holding an {@link io.sentrytrace.Span} to use as the parent
   * instead of the span current on the calling thread. Read by both interceptors.
   *
   * <pre>{@code
   * HttpClientContext context = HttpClientContext.create();
   * context.setAttribute(SentryTraceExecInterceptor.PARENT_SPAN, span);
   * client.execute(request, context, handler);
   * }</pre>
   */
  public static final String PARENT_SPAN = "io.sentrytrace.parent-span";

  private final HttpClientTracing tracing;

  public SentryTraceExecInterceptor(Tracer tracer) {
    this.tracing = new HttpClientTracing(tracer);
  }

  @Override
  public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
      throws IOException, HttpException {
    HttpClientTracing.Exchange<ClassicHttpRequest> exchange =
        tracing.start(request, scope.clientContext, scope.exchangeId, scope.route, r -> ClassicRequestBuilder.copy(r).build());
    if (exchange == null) return chain.proceed(request, scope);
    ClassicHttpResponse response;
    try {
      response = chain.proceed(exchange.request(), scope);
    } catch (Throwable t) {
      exchange.failed();
      throw t;
    }
    exchange.response(response, response.getEntity());
    exchange.finish();
    return response;
  }
}
