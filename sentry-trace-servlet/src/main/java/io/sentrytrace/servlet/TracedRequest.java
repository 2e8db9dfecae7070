package io.sentrytrace.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

/**
 * The request that {@link TracingServletFilter} passes down the chain with a {@link
 * TracedResponse}: the container's own, except for {@link #startAsync()}. Without arguments the
 * container hands the async work its own response, past the filter, so a page written there would
 * be committed unseen (no {@code Server-Timing}, no failed write noticed). Here the async context
 * of that form hands out the filter's response instead and adds the header before {@code
 * complete()} commits the response; everything else it leaves to the container's context, which
 * still holds the original request and response (so {@code dispatch()} goes where it would).
 */
final class TracedRequest extends HttpServletRequestWrapper {
  private final TracedResponse response;
  /** The context {@link #startAsync()} handed out; null before, or after a two-argument start. */
  private volatile TracedAsyncContext started;

  TracedRequest(HttpServletRequest request, TracedResponse response) {
    super(request);
    this.response = response;
  }

  @Override
  public AsyncContext startAsync() {
    AsyncContext async = super.startAsync();
    TracedAsyncContext traced = new TracedAsyncContext(async, response);
    started = traced;
    return traced;
  }

  /** The app chose the request and response itself: the container's context is the one to use. */
  @Override
  public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
    started = null;
    return super.startAsync(request, response);
  }

  /** The context {@link #startAsync()} handed out, while it is the request's current one. */
  @Override
  public AsyncContext getAsyncContext() {
    AsyncContext current = super.getAsyncContext();
    TracedAsyncContext traced = started;
    return traced != null && traced.delegate == current ? traced : current;
  }

  /** The container's async context, with the filter's response. */
  static final class TracedAsyncContext implements AsyncContext {
    final AsyncContext delegate;
    private final TracedResponse response;

    TracedAsyncContext(AsyncContext delegate, TracedResponse response) {
      this.delegate = delegate;
      this.response = response;
    }

    @Override
    public ServletRequest getRequest() {
      return delegate.getRequest();
    }

    /** The filter's response, which adds its header before the first byte is committed. */
    @Override
    public ServletResponse getResponse() {
      return response;
    }

    @Override
    public boolean hasOriginalRequestAndResponse() {
      return delegate.hasOriginalRequestAndResponse();
    }

    @Override
    public void dispatch() {
      delegate.dispatch();
    }

    @Override
    public void dispatch(String path) {
      delegate.dispatch(path);
    }

    @Override
    public void dispatch(ServletContext context, String path) {
      delegate.dispatch(context, path);
    }

    /** Completing commits what nothing committed yet: the header goes on first. */
    @Override
    public void complete() {
      response.beforeCommit();
      delegate.complete();
    }

    @Override
    public void start(Runnable run) {
      delegate.start(run);
    }

    @Override
    public void addListener(AsyncListener listener) {
      delegate.addListener(listener);
    }

    @Override
    public void addListener(AsyncListener listener, ServletRequest request, ServletResponse response) {
      delegate.addListener(listener, request, response);
    }

    @Override
    public <T extends AsyncListener> T createListener(Class<T> type) throws ServletException {
      return delegate.createListener(type);
    }

    @Override
    public void setTimeout(long timeout) {
      delegate.setTimeout(timeout);
    }

    @Override
    public long getTimeout() {
      return delegate.getTimeout();
    }
  }
}
