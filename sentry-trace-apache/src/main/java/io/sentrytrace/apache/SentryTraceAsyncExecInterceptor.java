package io.sentrytrace.apache;

import io.sentrytrace.Tracer;
import java.io.IOException;
import org.apache.hc.client5.http.async.AsyncExecCallback;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.async.AsyncExecChainHandler;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncDataConsumer;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.support.BasicRequestBuilder;

/**
 * Puts the trace on the requests of Apache HttpClient 5's async client and records an {@code
 * http.client} span for each.
 *
 * <pre>{@code
 * CloseableHttpAsyncClient client = HttpAsyncClients.custom()
 *     .addExecInterceptorFirst("sentry-trace", new SentryTraceAsyncExecInterceptor(tracer))
 *     .build();
 * }</pre>
 *
 * <p><b>What it adds</b>, <b>when it does nothing</b> and <b>redirects</b>: as {@link
 * SentryTraceExecInterceptor}, with the same parent attribute {@link #PARENT_SPAN}. The parent is
 * the span current on the thread that calls {@code execute}: the client runs the chain's first
 * steps on that thread, and the interceptor keeps the parent then in the call's context for the
 * hops and callbacks that run on I/O threads. The span ends when the response head is back or the
 * call failed. Retries of the async client are rebuilt from the request the interceptor sent,
 * so they carry the same headers; redirect hops are rebuilt from the caller's request and carry
 * none.
 *
 * <p><b>Never throws into the call.</b> A failure inside the instrumentation is logged once through
 * {@link System.Logger} and the request goes out unchanged; failures of the call itself reach the
 * caller's callback unchanged.
 */
public final class SentryTraceAsyncExecInterceptor implements AsyncExecChainHandler {
  /** The same attribute as {@link SentryTraceExecInterceptor#PARENT_SPAN}. */
  public static final String PARENT_SPAN = SentryTraceExecInterceptor.PARENT_SPAN;

  private final HttpClientTracing tracing;

  public SentryTraceAsyncExecInterceptor(Tracer tracer) {
    this.tracing = new HttpClientTracing(tracer);
  }

  @Override
  public void execute(
      HttpRequest request,
      AsyncEntityProducer entityProducer,
      AsyncExecChain.Scope scope,
      AsyncExecChain chain,
      AsyncExecCallback callback)
      throws HttpException, IOException {
    HttpClientTracing.Exchange<HttpRequest> exchange =
        tracing.start(request, scope.clientContext, scope.exchangeId, scope.route, r -> BasicRequestBuilder.copy(r).build());
    if (exchange == null) {
      chain.proceed(request, entityProducer, scope, callback);
      return;
    }
    try {
      chain.proceed(exchange.request(), entityProducer, scope, new TracingCallback(exchange, callback));
    } catch (Throwable t) {
      exchange.failed();
      throw t;
    }
  }

  /** Records the response and ends the span before the caller's callback hears of it. */
  private static final class TracingCallback implements AsyncExecCallback {
    private final HttpClientTracing.Exchange<HttpRequest> exchange;
    private final AsyncExecCallback delegate;

    TracingCallback(HttpClientTracing.Exchange<HttpRequest> exchange, AsyncExecCallback delegate) {
      this.exchange = exchange;
      this.delegate = delegate;
    }

    @Override
    public AsyncDataConsumer handleResponse(HttpResponse response, EntityDetails entityDetails)
        throws HttpException, IOException {
      // Ends at the response head, as on the classic client: the caller's future may complete
      // before completed() is called, and the body is the caller's to read.
      exchange.response(response, entityDetails);
      exchange.finish();
      return delegate.handleResponse(response, entityDetails);
    }

    @Override
    public void handleInformationResponse(HttpResponse response) throws HttpException, IOException {
      delegate.handleInformationResponse(response);
    }

    @Override
    public void completed() {
      delegate.completed();
    }

    @Override
    public void failed(Exception cause) {
      exchange.failed();
      delegate.failed(cause);
    }
  }
}
