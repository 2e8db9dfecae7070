package io.sentrytrace.apache;

import io.sentrytrace.CarrierGetter;
import io.sentrytrace.CarrierSetter;
import io.sentrytrace.Instrumentation;
import io.sentrytrace.PropagationContext;
import io.sentrytrace.Scope;
import io.sentrytrace.Span;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * What the classic and the async interceptor share: when to act, the span, the headers. Never
 * throws: a failure is logged once and the request goes out as it came.
 *
 * <p>Headers go on a copy of the request handed down the chain, never on a request object we were
 * given: so the caller's request, which the client keeps as {@code scope.originalRequest} and
 * rebuilds redirects and retries from, never holds a header of ours, and running it again can
 * neither grow its headers nor send a stale {@code sentry-trace}.
 */
final class HttpClientTracing {
  private static final System.Logger LOG = System.getLogger(HttpClientTracing.class.getName());

  static final String OP = "http.client";
  /** Context attribute: the parent and mode captured when the call's chain first ran. */
  private static final String CALL = "io.sentrytrace.apache.call";

  static final CarrierGetter<HttpRequest> GETTER =
      (request, name) -> {
        Header[] headers = request.getHeaders(name);
        if (headers.length == 0) return null;
        if (headers.length == 1) return headers[0].getValue();
        // Several lines of one header are one comma-separated list (RFC 9110 5.3).
        StringBuilder joined = new StringBuilder();
        for (Header header : headers) {
          if (joined.length() > 0) joined.append(',');
          joined.append(header.getValue());
        }
        return joined.toString();
      };

  static final CarrierSetter<HttpRequest> SETTER =
      (request, name, value) -> {
        request.removeHeaders(name);
        request.addHeader(name, value);
      };

  private final Tracer tracer;
  private final AtomicBoolean failureLogged = new AtomicBoolean();

  HttpClientTracing(Tracer tracer) {
    this.tracer = Objects.requireNonNull(tracer, "tracer");
  }

  /**
   * Starts the exchange of one request through the chain: its span (when a parent is there) and,
   * when the URL is a target, a copy of {@code request} with the trace headers. Null when there is
   * nothing to do (suppressed) or when the instrumentation failed: then send {@code request} as it
   * is.
   *
   * @param exchangeId the client's id for the user's call: the same on each of its hops
   * @param copier makes a mutable copy of a request, sharing its entity
   */
  <R extends HttpRequest> Exchange<R> start(
      R request, HttpContext context, String exchangeId, HttpRoute route, UnaryOperator<R> copier) {
    try {
      Call call = call(context, exchangeId);
      if (call.suppressed) return null;
      RequestUrl url = RequestUrl.of(request, route);
      Span span = null;
      if (call.parent != null) {
        String method = request.getMethod();
        span = call.parent.startChild(OP, method + ' ' + url.withoutQuery);
        span.setData("http.request.method", method);
        span.setData("url", url.withoutQuery);
        if (url.query != null) span.setData("http.query", url.query);
      }
      R toSend = request;
      if (tracer.shouldPropagate(url.full())) {
        R copy = copier.apply(request);
        inject(span, call, copy);
        toSend = copy;
      }
      return new Exchange<>(this, toSend, span);
    } catch (RuntimeException | LinkageError e) {
      logFailure(e);
      return null;
    }
  }

  private void inject(Span span, Call call, HttpRequest carrier) {
    if (span != null) {
      tracer.inject(span, carrier, GETTER, SETTER);
      return;
    }
    // No span: the propagation context current when the call was made, also on an I/O thread.
    Scope scope = call.propagation.makeCurrent();
    try {
      tracer.inject((Span) null, carrier, GETTER, SETTER);
    } finally {
      scope.close();
    }
  }

  /**
   * What was current when this call's chain first reached us, kept in the call's context: the async
   * client runs later hops on I/O threads, where the caller's current span is not.
   */
  private Call call(HttpContext context, String exchangeId) {
    Object kept = context == null ? null : context.getAttribute(CALL);
    if (kept instanceof Call && exchangeId != null && exchangeId.equals(((Call) kept).exchangeId)) {
      return (Call) kept;
    }
    Object explicit = context == null ? null : context.getAttribute(SentryTraceExecInterceptor.PARENT_SPAN);
    Span parent = explicit instanceof Span ? (Span) explicit : tracer.currentSpan();
    PropagationContext propagation = parent == null ? tracer.currentPropagationContext() : null;
    Call call = new Call(exchangeId, parent, propagation, Instrumentation.isSuppressed());
    if (context != null && exchangeId != null) context.setAttribute(CALL, call);
    return call;
  }

  void logFailure(Throwable e) {
    if (failureLogged.compareAndSet(false, true)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "sentry-trace instrumentation of Apache HttpClient failed; the request goes out without"
              + " trace headers or span (logged once, later failures at DEBUG)",
          e);
    } else {
      LOG.log(System.Logger.Level.DEBUG, "sentry-trace instrumentation of Apache HttpClient failed", e);
    }
  }

  /** The body's length when the entity or {@code Content-Length} says it; -1 when unknown. */
  private static long contentLength(EntityDetails entity, HttpResponse response) {
    if (entity != null && entity.getContentLength() >= 0) return entity.getContentLength();
    Header header = response.getFirstHeader(HttpHeaders.CONTENT_LENGTH);
    if (header == null) return -1;
    try {
      long length = Long.parseLong(header.getValue().trim());
      return length >= 0 ? length : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static final class Call {
    final String exchangeId;
    final Span parent;
    final PropagationContext propagation;
    final boolean suppressed;

    Call(String exchangeId, Span parent, PropagationContext propagation, boolean suppressed) {
      this.exchangeId = exchangeId;
      this.parent = parent;
      this.propagation = propagation;
      this.suppressed = suppressed;
    }
  }

  /** One request on its way: what to send and its span (null when nothing was current). */
  static final class Exchange<R> {
    private final HttpClientTracing tracing;
    private final R request;
    private final Span span;

    Exchange(HttpClientTracing tracing, R request, Span span) {
      this.tracing = tracing;
      this.request = request;
      this.span = span;
    }

    /** The request to hand down the chain. */
    R request() {
      return request;
    }

    /** Records a final response, its body unread; does not finish the span. */
    void response(HttpResponse response, EntityDetails entity) {
      if (span == null) return;
      try {
        int code = response.getCode();
        long contentLength = contentLength(entity, response);
        span.setData("http.response.status_code", code);
        if (contentLength >= 0) span.setData("http.response_content_length", contentLength);
        span.setStatus(SpanStatus.fromHttpStatus(code));
      } catch (RuntimeException | LinkageError e) {
        tracing.logFailure(e);
      }
    }

    /** The request failed (I/O error, protocol error, cancellation): finishes the span. */
    void failed() {
      if (span == null) return;
      try {
        span.setStatus(SpanStatus.INTERNAL_ERROR);
        span.finish();
      } catch (RuntimeException | LinkageError e) {
        tracing.logFailure(e);
      }
    }

    void finish() {
      if (span == null) return;
      try {
        span.finish();
      } catch (RuntimeException | LinkageError e) {
        tracing.logFailure(e);
      }
    }
  }
}
