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
  private final TracedResponse traced;
  private final HttpServerHandler handler;
  private volatile Throwable failure;
  /** An error the container reported after the response was committed: it failed to write it. */
  private volatile Throwable writeFailure;

  AsyncCompletion(Span transaction, HttpServletResponse response, TracedResponse traced, HttpServerHandler handler) {
    this.transaction = transaction;
    this.response = response;
    this.traced = traced;
    this.handler = handler;
  }

  @Override
  public void onComplete(AsyncEvent event) {
    int status;
    try {
      status = response.getStatus();
    } catch (RuntimeException e) {
      TracingServletFilter.LOG.failed(e);
      status = 0;
    }
    Throwable failedWrite = traced.writeFailure();
    handler.finish(transaction, status, failure, failedWrite != null ? failedWrite : writeFailure);
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    // Completion follows, with the status the container or the app's listener answered.
  }

  /**
   * Once the response is committed, what fails is writing it to the connection (a page written
   * with the container's writer, which keeps the failure from the app, ends up here too).
   */
  @Override
  public void onError(AsyncEvent event) {
    Throwable error = event.getThrowable();
    if (error == null) return;
    failure = error;
    try {
      if (response.isCommitted()) writeFailure = error;
    } catch (RuntimeException e) {
      TracingServletFilter.LOG.failed(e);
    }
  }

  /** The app started async again (in an async dispatch): listeners must register anew. */
  @Override
  public void onStartAsync(AsyncEvent event) {
    try {
      event.getAsyncContext().addListener(this);
    } catch (RuntimeException e) {
      TracingServletFilter.LOG.failed(e);
    }
  }
}
