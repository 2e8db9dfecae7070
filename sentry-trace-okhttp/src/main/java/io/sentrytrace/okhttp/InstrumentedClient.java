package io.sentrytrace.okhttp;

import io.sentrytrace.Span;
import io.sentrytrace.http.HttpClientHandler;
import io.sentrytrace.http.internal.InstrumentationLog;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/**
 * The client {@link TracingInterceptor#instrument} returns: the user's client, with one addition
 * for WebSockets. Everything else (per-hop headers, each call's start and end) goes through
 * OkHttp's public API: a network interceptor and an event listener.
 *
 * <p>Why a subclass: OkHttp runs a WebSocket's handshake as an enqueued call without the client's
 * event listener ({@code EventListener.NONE}), so none of the client's public hooks runs on the
 * thread that calls {@code newWebSocket}. Overriding that method is the only place to capture the
 * caller's parent there; it is handed to the interceptor as a request tag.
 *
 * <p>Best-effort: {@link OkHttpClient} is open, but the constructor taking a builder is Kotlin
 * {@code internal} (public in the bytecode only), so a later OkHttp may change it. When it cannot
 * be called, {@link #of} logs it once and returns the plain client built from the same builder:
 * everything is traced as before except that a WebSocket handshake takes its parent only from its
 * request's {@code Span} tag. A client built from this one with {@code newBuilder()} is likewise a
 * plain {@link OkHttpClient}.
 */
final class InstrumentedClient extends OkHttpClient {
  private final HttpClientHandler handler;
  private final InstrumentationLog log;

  private InstrumentedClient(OkHttpClient.Builder builder, HttpClientHandler handler, InstrumentationLog log) {
    super(builder);
    this.handler = handler;
    this.log = log;
  }

  /** The client of {@code builder}, with the WebSocket hook when this OkHttp allows it. */
  static OkHttpClient of(OkHttpClient.Builder builder, HttpClientHandler handler, InstrumentationLog log) {
    try {
      return new InstrumentedClient(builder, handler, log);
    } catch (LinkageError e) {
      log.failed("WebSocket handshakes take their parent span only from the request's Span tag", e);
      return builder.build();
    }
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
