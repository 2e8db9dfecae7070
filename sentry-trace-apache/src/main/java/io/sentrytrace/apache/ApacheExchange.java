package io.sentrytrace.apache;

import io.sentrytrace.http.EndingInputStream;
import io.sentrytrace.http.HttpClientExchange;
import io.sentrytrace.http.internal.HeaderValues;
import io.sentrytrace.http.internal.InstrumentationLog;
import org.apache.hc.client5.http.classic.ExecRuntime;
import org.apache.hc.core5.concurrent.CancellableDependency;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpResponse;

/**
 * One traced exchange of an Apache client: the handler's exchange, and how this client tells a
 * user's cancel from a failure. A cancel reaches the chain as an ordinary I/O error (a closed
 * socket, an {@code InterruptedIOException}, "Request aborted"), so the call's own cancel flag
 * decides: the classic client's {@link ExecRuntime#isExecutionAborted()} (set by {@code
 * HttpUriRequestBase.cancel()}), the async client's call future ({@code Future.cancel}).
 */
final class ApacheExchange implements EndingInputStream.End {
  private final HttpClientExchange exchange;
  private final ExecRuntime runtime;
  private final CancellableDependency call;
  private final InstrumentationLog log;

  private ApacheExchange(HttpClientExchange exchange, ExecRuntime runtime, CancellableDependency call, InstrumentationLog log) {
    this.exchange = exchange;
    this.runtime = runtime;
    this.call = call;
    this.log = log;
  }

  static ApacheExchange classic(HttpClientExchange exchange, ExecRuntime runtime, InstrumentationLog log) {
    return new ApacheExchange(exchange, runtime, null, log);
  }

  static ApacheExchange async(HttpClientExchange exchange, CancellableDependency call, InstrumentationLog log) {
    return new ApacheExchange(exchange, null, call, log);
  }

  /** The final response's head arrived; its body may follow ({@code entity} null: none). */
  void response(HttpResponse response, EntityDetails entity) {
    try {
      exchange.response(response.getCode(), contentLength(response, entity));
    } catch (RuntimeException | LinkageError e) {
      log.failed(e);
    }
  }

  /** The final response's head arrived and no body follows: records it and ends the exchange. */
  void finishAtHead(HttpResponse response, EntityDetails entity) {
    if (cancelledByUser()) {
      response(response, entity);
      exchange.cancelled();
      return;
    }
    long contentLength = -1;
    int code = 0;
    try {
      code = response.getCode();
      contentLength = contentLength(response, entity);
    } catch (RuntimeException | LinkageError e) {
      log.failed(e);
      exchange.finish();
      return;
    }
    exchange.finish(code, contentLength);
  }

  /** The body was read to its end or closed; {@code cancelled} if the user cancelled the call. */
  @Override
  public void finish() {
    if (cancelledByUser()) exchange.cancelled();
    else exchange.finish();
  }

  /** The exchange failed; {@code cancelled} if that is the user's cancel. */
  @Override
  public void failed(Throwable error) {
    if (cancelledByUser()) exchange.cancelled();
    else exchange.failed(error);
  }

  /** Ends the exchange {@code cancelled} if the user cancelled the call; else leaves it going. */
  void endIfCancelledByUser() {
    if (cancelledByUser()) exchange.cancelled();
  }

  private boolean cancelledByUser() {
    try {
      return runtime != null ? runtime.isExecutionAborted() : call != null && call.isCancelled();
    } catch (RuntimeException | LinkageError e) {
      log.failed(e);
      return false;
    }
  }

  /** {@code Content-Length}, else the length the client knows for the entity; -1 when unknown. */
  private static long contentLength(HttpResponse response, EntityDetails entity) {
    Header header = response.getFirstHeader(HttpHeaders.CONTENT_LENGTH);
    long length = HeaderValues.contentLength(header == null ? null : header.getValue());
    return length >= 0 || entity == null ? length : Math.max(-1, entity.getContentLength());
  }

  @Override
  public String toString() {
    return "ApacheExchange{" + exchange + '}';
  }
}
