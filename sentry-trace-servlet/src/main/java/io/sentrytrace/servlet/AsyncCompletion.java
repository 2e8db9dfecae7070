package io.sentrytrace.servlet;

import io.sentrytrace.Span;
import io.sentrytrace.http.HttpServerHandler;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Finishes an async request's transaction when the request completes, with the status of the
 * completed response. A timeout or an error is always followed by completion (the container's
 * error dispatch answers 500 unless a listener answered otherwise), so only {@link #onComplete}
 * finishes; {@link #onError} remembers the failure for it.
 */
final class AsyncCompletion implements AsyncListener {
  private final Span transaction;
  private final HttpServletResponse response;
  private final HttpServerHandler handler;
  private volatile Throwable failure;

  AsyncCompletion(Span transaction, HttpServletResponse response, HttpServerHandler handler) {
    this.transaction = transaction;
    this.response = response;
    this.handler = handler;
  }

  @Override
  public void onComplete(AsyncEvent event) {
    int status;
    try {
      status = response.getStatus();
    } catch (RuntimeException e) {
      SentryTraceServletFilter.LOG.failed(e);
      status = 0;
    }
    handler.finish(transaction, status, failure);
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    // Completion follows, with the status the container or the app's listener answered.
  }

  @Override
  public void onError(AsyncEvent event) {
    Throwable error = event.getThrowable();
    if (error != null) failure = error;
  }

  /** The app started async again (in an async dispatch): listeners must register anew. */
  @Override
  public void onStartAsync(AsyncEvent event) {
    try {
      event.getAsyncContext().addListener(this);
    } catch (RuntimeException e) {
      SentryTraceServletFilter.LOG.failed(e);
    }
  }
}
