package io.sentrytrace.okhttp;

import io.sentrytrace.Span;
import io.sentrytrace.http.HttpClientHandler;
import io.sentrytrace.http.internal.InstrumentationLog;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/**
 * The client {@link SentryTraceInterceptor#instrument} returns: the user's client, with one
 * addition for WebSockets. OkHttp runs a WebSocket's handshake as an enqueued call without the
 * client's event listener ({@code EventListener.NONE}), so nothing of ours runs on the caller's
 * thread; this captures the caller's parent there and hands it to the interceptor as a request tag.
 * A client built from this one with {@code newBuilder()} is a plain {@link OkHttpClient}: its
 * WebSocket handshakes are then traced from the dispatcher thread only.
 */
final class InstrumentedClient extends OkHttpClient {
  private final HttpClientHandler handler;
  private final InstrumentationLog log;

  InstrumentedClient(OkHttpClient.Builder builder, HttpClientHandler handler, InstrumentationLog log) {
    super(builder);
    this.handler = handler;
    this.log = log;
  }

  @Override
  public WebSocket newWebSocket(Request request, WebSocketListener listener) {
    Request tagged = request;
    try {
      if (request.tag(TracedCall.class) == null) {
        TracedCall traced = new TracedCall(handler.capture(request.tag(Span.class)), false);
        tagged = request.newBuilder().tag(TracedCall.class, traced).build();
      }
    } catch (RuntimeException | LinkageError e) {
      log.failed(e);
      tagged = request;
    }
    return super.newWebSocket(tagged, listener);
  }
}
