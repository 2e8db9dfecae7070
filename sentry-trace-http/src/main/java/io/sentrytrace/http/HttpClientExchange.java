package io.sentrytrace.http;

import io.sentrytrace.Span;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.http.internal.HttpSpanData;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One outgoing request on its way, from {@link HttpClientHandler#start}: the adapter reports its
 * hops and its end here. Every method is safe to call from any thread and never throws; only the
 * first end ({@link #finish()}, {@link #failed}, {@link #cancelled()}) counts.
 *
 * <pre>{@code
 * HttpClientExchange exchange = handler.start(request, parent);
 * try {
 *   Response response = chain.proceed(exchange.propagated() ? withHeaders : original);
 *   exchange.response(response.code(), HeaderValues.contentLength(response.header("Content-Length")));
 *   return wrapBody(response, exchange::finish); // finish() when the body is read to its end or closed
 * } catch (IOException e) {
 *   exchange.failed(e);
 *   throw e;
 * }
 * }</pre>
 *
 * <p><b>When the span ends.</b> The {@code http.client} span covers the whole exchange: request,
 * response headers and the response body, until the adapter calls {@link #finish()} because the
 * body was read to its end or closed (a streamed body of 2 s makes a span of at least 2 s). The time
 * to the response headers is kept as {@link HttpSpanData#TIME_TO_FIRST_BYTE} when a body follows
 * them (an exchange that ends with its headers, {@link #finish(int, long)}, has its span's duration
 * for that). A body the caller
 * never closes leaves the span open, as it leaves the connection busy.
 */
public final class HttpClientExchange implements EndingInputStream.End {
  /** Does nothing: suppressed, or the handler failed. */
  static final HttpClientExchange NOOP = new HttpClientExchange(null, null, null);

  private static final AtomicIntegerFieldUpdater<HttpClientExchange> ENDED =
      AtomicIntegerFieldUpdater.newUpdater(HttpClientExchange.class, "ended");

  private final HttpClientHandler handler;
  private final HttpClientHandler.Parent parent;
  private final Span span;
  /** Set once by the handler before the exchange is handed out. */
  boolean propagated;

  private volatile int ended;

  HttpClientExchange(HttpClientHandler handler, HttpClientHandler.Parent parent, Span span) {
    this.handler = handler;
    this.parent = parent;
    this.span = span;
  }

  /** The {@code http.client} span; null when none is recorded (no recording parent, suppressed). */
  public Span span() {
    return span;
  }

  /**
   * True when the trace headers were written on the request given to {@link
   * HttpClientHandler#start} (its URL is a target); false when the request is to be sent as it was,
   * also when writing them failed half-way.
   */
  public boolean propagated() {
    return propagated;
  }

  /**
   * Decides the headers for another hop of this exchange (a redirect or a retry the adapter builds
   * itself): writes them on {@code hop} when its URL is a target. Returns false when the hop is to
   * go out without our headers (not a target, suppressed, or writing failed): the adapter then
   * sends it as the user built it, without the headers of earlier hops.
   */
  public boolean propagate(HttpClientRequest hop) {
    if (handler == null) return false;
    RequestUrl url;
    try {
      url = hop.url();
    } catch (RuntimeException | LinkageError e) {
      handler.log.failed(e);
      return false;
    }
    return propagate(hop, url);
  }

  boolean propagate(HttpClientRequest request, RequestUrl url) {
    try {
      if (!handler.shouldPropagate(url)) {
        if (handler.decisions.isEnabled()) handler.decisions.outgoing(url.toString(), false);
        return false;
      }
      Span headerSpan = span != null ? span : parent.span;
      if (headerSpan != null) {
        handler.tracer.inject(headerSpan, request, HttpClientHandler.GETTER, HttpClientHandler.SETTER);
      } else {
        handler.tracer.inject(parent.context, request, HttpClientHandler.GETTER, HttpClientHandler.SETTER);
      }
      if (handler.decisions.isEnabled()) handler.decisions.outgoing(url.toString(), true);
      return true;
    } catch (RuntimeException | LinkageError e) {
      handler.log.failed(e);
      return false;
    }
  }

  /**
   * The final response's headers arrived: records its status code, {@code contentLength} (-1 when
   * unknown or not a number) and the time to first byte. The span goes on
   * until {@link #finish()}, except after a {@code 101 Switching Protocols}, which ends it.
   */
  public void response(int statusCode, long contentLength) {
    record(statusCode, contentLength, true);
    if (statusCode == 101) finish();
  }

  /**
   * The final response arrived and the exchange ends with it (no body follows, or the client hands
   * the body over read): records as {@link #response} does, except the time to first byte, which
   * would only repeat the span's duration, then ends the span.
   */
  public void finish(int statusCode, long contentLength) {
    record(statusCode, contentLength, false);
    finish();
  }

  private void record(int statusCode, long contentLength, boolean timeToFirstByte) {
    if (span == null || ended != 0) return;
    try {
      span.setData(HttpSpanData.STATUS_CODE, statusCode);
      if (contentLength >= 0) span.setData(HttpSpanData.RESPONSE_CONTENT_LENGTH, contentLength);
      if (timeToFirstByte) {
        long micros = span.elapsedNanos() / 1_000; // the span started with the exchange
        span.setData(HttpSpanData.TIME_TO_FIRST_BYTE, micros / 1_000.0);
      }
      span.setStatus(SpanStatus.fromHttpStatus(statusCode));
    } catch (RuntimeException | LinkageError e) {
      handler.log.failed(e);
    }
  }

  /** The exchange is over: the body was read to its end or closed. Ends the span. */
  @Override
  public void finish() {
    end(null);
  }

  /**
   * The exchange failed with {@code error} (before or after the response headers): ends the span
   * with {@code cancelled} when {@code error} is a cancellation ({@link CancellationException} or
   * {@link InterruptedException}, also wrapped in a {@link CompletionException} or {@link
   * ExecutionException}), else {@code internal_error}.
   */
  @Override
  public void failed(Throwable error) {
    end(isCancellation(error) ? SpanStatus.CANCELLED : SpanStatus.INTERNAL_ERROR);
  }

  /** The user cancelled the call: ends the span with {@code cancelled}. */
  public void cancelled() {
    end(SpanStatus.CANCELLED);
  }

  private void end(SpanStatus status) {
    if (span == null || !ENDED.compareAndSet(this, 0, 1)) return;
    try {
      if (status != null) span.setStatus(status);
      span.finish();
    } catch (RuntimeException | LinkageError e) {
      handler.log.failed(e);
    }
  }

  private static boolean isCancellation(Throwable error) {
    Throwable t = error;
    for (int depth = 0; depth < 8 && (t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null; depth++) {
      t = t.getCause();
    }
    return t instanceof CancellationException || t instanceof InterruptedException;
  }

  @Override
  public String toString() {
    return handler == null ? "HttpClientExchange{noop}" : "HttpClientExchange{" + (span != null ? span : parent) + '}';
  }
}
