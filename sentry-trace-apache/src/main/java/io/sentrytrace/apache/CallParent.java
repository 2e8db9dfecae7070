package io.sentrytrace.apache;

import io.sentrytrace.http.HttpClientHandler;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * The parent of one async call, captured when the call's chain first reaches the interceptor (on
 * the thread that called {@code execute}) and kept in the call's context: the client runs redirect
 * hops, retries and callbacks on I/O threads, where the caller's span is not current. A context
 * used again for another call holds another exchange id, so nothing of the earlier call is reused.
 */
final class CallParent {
  private static final String ATTRIBUTE = "io.sentrytrace.apache.call-parent";

  private final String exchangeId;
  private final HttpClientHandler.Parent parent;

  private CallParent(String exchangeId, HttpClientHandler.Parent parent) {
    this.exchangeId = exchangeId;
    this.parent = parent;
  }

  /** The parent of the call {@code exchangeId}: kept in {@code context}, or captured now and kept. */
  static HttpClientHandler.Parent of(HttpClientHandler handler, HttpContext context, String exchangeId) {
    Object kept = context == null ? null : context.getAttribute(ATTRIBUTE);
    if (kept instanceof CallParent && exchangeId != null && exchangeId.equals(((CallParent) kept).exchangeId)) {
      return ((CallParent) kept).parent;
    }
    HttpClientHandler.Parent parent = handler.capture(TracingExecInterceptor.explicitParent(context));
    if (context != null && exchangeId != null) context.setAttribute(ATTRIBUTE, new CallParent(exchangeId, parent));
    return parent;
  }

  @Override
  public String toString() {
    return "CallParent{" + exchangeId + ", " + parent + '}';
  }
}
