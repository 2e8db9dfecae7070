package io.sentrytrace.okhttp;

import io.sentrytrace.Span;
import io.sentrytrace.http.HttpClientExchange;
import io.sentrytrace.http.HttpClientHandler;
import io.sentrytrace.http.internal.InstrumentationLog;
import java.io.IOException;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.Request;

/**
 * One call as the instrumentation follows it: the parent captured on the thread that made the
 * call, and the call's exchange once the interceptor started it. Kept as a call tag by the {@link
 * Listener} (OkHttp calls {@link EventListener#callStart} on the caller's thread, for {@code
 * execute} and {@code enqueue} alike, while an enqueued call's interceptors run on a dispatcher
 * thread), or as a request tag by {@link InstrumentedClient#newWebSocket}, whose calls have no
 * event listener.
 */
final class TracedCall {
  final HttpClientHandler.Parent parent;
  /** True when the listener ends the exchange at {@code callEnd}; false: the interceptor must. */
  private final boolean listened;
  private volatile HttpClientExchange exchange;

  TracedCall(HttpClientHandler.Parent parent, boolean listened) {
    this.parent = parent;
    this.listened = listened;
  }

  /** The call's record: from the listener, else from a WebSocket's request; null when neither. */
  static TracedCall of(Call call, Request request) {
    TracedCall traced = call.tag(TracedCall.class);
    return traced != null ? traced : request.tag(TracedCall.class);
  }

  /** Follows {@code exchange} from now on; true when the listener will end it. */
  boolean track(HttpClientExchange exchange) {
    this.exchange = exchange;
    return listened;
  }

  /** Ends {@code exchange} of {@code call} after {@code error}: a user's cancel is not a failure. */
  static void failed(HttpClientExchange exchange, Call call, Throwable error) {
    if (call.isCanceled()) exchange.cancelled();
    else exchange.failed(error);
  }

  /**
   * Captures each call's parent when it starts, ends its exchange when the call ends, and hands
   * every event to the client's own listener. Installed by {@link TracingInterceptor#instrument}.
   */
  static final class Listener extends EventListener implements EventListener.Factory {
    private final EventListener.Factory delegate;
    private final HttpClientHandler handler;
    private final InstrumentationLog log;

    Listener(EventListener.Factory delegate, HttpClientHandler handler, InstrumentationLog log) {
      this.delegate = delegate;
      this.handler = handler;
      this.log = log;
    }

    HttpClientHandler handler() {
      return handler;
    }

    @Override
    public EventListener create(Call call) {
      // plus() returns this listener alone when the client has none: no allocation per call.
      return delegate.create(call).plus(this);
    }

    @Override
    public void callStart(Call call) {
      try {
        call.tag(TracedCall.class, () -> new TracedCall(handler.capture(call.request().tag(Span.class)), true));
      } catch (RuntimeException | LinkageError e) {
        log.failed(e);
      }
    }

    /** The response body was read or closed (or there was none): the exchange is over. */
    @Override
    public void callEnd(Call call) {
      HttpClientExchange exchange = exchangeOf(call);
      if (exchange != null) exchange.finish();
    }

    @Override
    public void callFailed(Call call, IOException error) {
      HttpClientExchange exchange = exchangeOf(call);
      if (exchange != null) failed(exchange, call, error);
    }

    @Override
    public void canceled(Call call) {
      HttpClientExchange exchange = exchangeOf(call);
      if (exchange != null) exchange.cancelled();
    }

    private HttpClientExchange exchangeOf(Call call) {
      try {
        TracedCall traced = call.tag(TracedCall.class);
        return traced == null ? null : traced.exchange;
      } catch (RuntimeException | LinkageError e) {
        log.failed(e);
        return null;
      }
    }
  }
}
