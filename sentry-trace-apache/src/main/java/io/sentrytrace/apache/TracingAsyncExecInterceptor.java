package io.sentrytrace.apache;

import io.sentrytrace.Tracer;
import io.sentrytrace.http.HttpClientExchange;
import io.sentrytrace.http.HttpClientHandler;
import io.sentrytrace.http.internal.InstrumentationLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import org.apache.hc.client5.http.async.AsyncExecCallback;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.async.AsyncExecChainHandler;
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.concurrent.CancellableDependency;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncDataConsumer;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.CapacityChannel;

/**
 * Puts the trace on the requests of Apache HttpClient 5's async client and records an {@code
 * http.client} span for each.
 *
 * <pre>{@code
 * CloseableHttpAsyncClient client = HttpAsyncClients.custom()
 *     .addExecInterceptorFirst("sentry-trace", TracingAsyncExecInterceptor.create(tracer))
 *     .build();
 * }</pre>
 *
 * <p><b>What it adds</b>, <b>when it does nothing</b> and <b>where to register it</b>: as {@link
 * TracingExecInterceptor}, with the same parent attribute {@link #PARENT_SPAN}. The parent is
 * the span current on the thread that calls {@code execute}: the client runs the chain's first
 * steps on that thread, and the interceptor keeps the parent then in the call's context for the
 * hops and callbacks that run on I/O threads. The span lasts until the response body has been
 * consumed (the response consumer's stream end, just before the caller's future completes) or the
 * call failed; {@code Future.cancel} makes it {@code cancelled}. Registered first, retries of the
 * async client are rebuilt from the request the interceptor sent, so they carry the same headers;
 * redirect hops are rebuilt from the caller's request and carry none.
 *
 * <p><b>Never throws into the call.</b> A failure inside the instrumentation is logged once through
 * {@link System.Logger} and the request goes out unchanged; failures of the call itself reach the
 * caller's callback unchanged.
 */
public final class TracingAsyncExecInterceptor implements AsyncExecChainHandler {
  /** The same attribute as {@link TracingExecInterceptor#PARENT_SPAN}. */
  public static final String PARENT_SPAN = TracingExecInterceptor.PARENT_SPAN;

  private final InstrumentationLog log = InstrumentationLog.of(TracingAsyncExecInterceptor.class, "Apache HttpClient");
  private final HttpClientHandler handler;

  private TracingAsyncExecInterceptor(Tracer tracer) {
    this.handler = HttpClientHandler.create(tracer, TracingAsyncExecInterceptor.class, "Apache HttpClient");
  }

  /** An interceptor to register on the async client's builder, as shown above. */
  public static TracingAsyncExecInterceptor create(Tracer tracer) {
    return new TracingAsyncExecInterceptor(Objects.requireNonNull(tracer, "tracer"));
  }

  @Override
  public void execute(
      HttpRequest request,
      AsyncEntityProducer entityProducer,
      AsyncExecChain.Scope scope,
      AsyncExecChain chain,
      AsyncExecCallback callback)
      throws HttpException, IOException {
    HttpClientExchange exchange = null;
    HttpRequest toSend = request;
    try {
      HttpClientHandler.Parent parent = CallParent.of(handler, scope.clientContext, scope.exchangeId);
      ApacheRequest<HttpRequest> carrier = new ApacheRequest<>(request, scope.route, ApacheRequest.ASYNC);
      exchange = handler.start(carrier, parent);
      if (exchange.propagated()) toSend = carrier.result();
    } catch (RuntimeException | LinkageError e) {
      log.failed(e);
    }
    if (exchange == null || exchange.span() == null) {
      chain.proceed(toSend, entityProducer, scope, callback);
      return;
    }

    ApacheExchange traced = ApacheExchange.async(exchange, scope.cancellableDependency, log);
    try {
      chain.proceed(toSend, entityProducer, cancelAware(scope, traced), new TracedCallback(traced, callback));
    } catch (Throwable t) {
      traced.failed(t);
      throw t; // unchanged
    }
  }

  /**
   * {@code scope} with a cancel flag that ends the exchange {@code cancelled} as soon as the user
   * cancels the call: the client may abort the exchange only later, on an I/O thread (when the
   * cancel comes while it is between two steps), after the caller has gone on.
   */
  private AsyncExecChain.Scope cancelAware(AsyncExecChain.Scope scope, ApacheExchange exchange) {
    try {
      return new AsyncExecChain.Scope(scope.exchangeId, scope.route, scope.originalRequest,
          new CancelAware(scope.cancellableDependency, exchange), scope.clientContext, scope.execRuntime, scope.scheduler, scope.execCount);
    } catch (RuntimeException | LinkageError e) {
      log.failed(e);
      return scope;
    }
  }

  @Override
  public String toString() {
    return "TracingAsyncExecInterceptor";
  }

  /** The call's cancel flag, as the chain below sees it: whatever it sets to cancel ends the exchange first. */
  private static final class CancelAware implements CancellableDependency {
    private final CancellableDependency call;
    private final ApacheExchange exchange;

    CancelAware(CancellableDependency call, ApacheExchange exchange) {
      this.call = call;
      this.exchange = exchange;
    }

    @Override
    public void setDependency(Cancellable dependency) {
      call.setDependency(() -> {
        exchange.endIfCancelledByUser();
        return dependency.cancel();
      });
    }

    @Override
    public boolean isCancelled() {
      return call.isCancelled();
    }

    @Override
    public boolean cancel() {
      return call.cancel();
    }
  }

  /**
   * Records the response head, and ends the exchange when its body has been consumed or the call
   * failed, each before the caller's side hears of it (the caller's future completes in the
   * response consumer's stream end, before {@link #completed()}).
   */
  private static final class TracedCallback implements AsyncExecCallback {
    private final ApacheExchange exchange;
    private final AsyncExecCallback delegate;

    TracedCallback(ApacheExchange exchange, AsyncExecCallback delegate) {
      this.exchange = exchange;
      this.delegate = delegate;
    }

    @Override
    public AsyncDataConsumer handleResponse(HttpResponse response, EntityDetails entityDetails)
        throws HttpException, IOException {
      // No body: the consumer completes the caller's future inside handleResponse.
      if (entityDetails == null) exchange.finishAtHead(response, null);
      else exchange.response(response, entityDetails);
      AsyncDataConsumer consumer;
      try {
        consumer = delegate.handleResponse(response, entityDetails);
      } catch (HttpException | IOException | RuntimeException e) {
        exchange.failed(e);
        throw e;
      }
      // null: the client discards the body; completed() ends the exchange.
      return consumer == null ? null : new TracedConsumer(consumer, exchange);
    }

    @Override
    public void handleInformationResponse(HttpResponse response) throws HttpException, IOException {
      delegate.handleInformationResponse(response);
    }

    @Override
    public void completed() {
      exchange.finish();
      delegate.completed();
    }

    @Override
    public void failed(Exception cause) {
      exchange.failed(cause);
      delegate.failed(cause);
    }
  }

  /** The response body's consumer: its stream end ends the exchange. Data passes through as it is. */
  private static final class TracedConsumer implements AsyncDataConsumer {
    private final AsyncDataConsumer delegate;
    private final ApacheExchange exchange;

    TracedConsumer(AsyncDataConsumer delegate, ApacheExchange exchange) {
      this.delegate = delegate;
      this.exchange = exchange;
    }

    @Override
    public void updateCapacity(CapacityChannel capacityChannel) throws IOException {
      delegate.updateCapacity(capacityChannel);
    }

    @Override
    public void consume(ByteBuffer src) throws IOException {
      delegate.consume(src);
    }

    @Override
    public void streamEnd(List<? extends Header> trailers) throws HttpException, IOException {
      exchange.finish();
      delegate.streamEnd(trailers);
    }

    @Override
    public void releaseResources() {
      delegate.releaseResources();
    }
  }
}
