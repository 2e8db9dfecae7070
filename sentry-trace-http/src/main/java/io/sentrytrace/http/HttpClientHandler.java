package io.sentrytrace.http;

import io.sentrytrace.CarrierGetter;
import io.sentrytrace.CarrierSetter;
import io.sentrytrace.DecisionLog;
import io.sentrytrace.PropagationContext;
import io.sentrytrace.PropagationTargets;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import io.sentrytrace.internal.Instrumentation;
import io.sentrytrace.http.internal.HttpSpanData;
import io.sentrytrace.http.internal.InstrumentationLog;
import java.util.Objects;

/**
 * Every rule of an outgoing HTTP request, held once for all clients, as Brave's {@code
 * HttpClientHandler}: an adapter captures the {@link Parent} where the user makes the call, maps
 * its request onto {@link HttpClientRequest}, and reports the response to the {@link
 * HttpClientExchange} this returns.
 *
 * <pre>{@code
 * HttpClientHandler handler = HttpClientHandler.create(tracer);
 * HttpClientHandler.Parent parent = handler.capture();          // on the caller's thread
 * HttpClientExchange exchange = handler.start(adapter, parent);  // headers written, span started
 * Response response = send(exchange.propagated() ? adapter.withHeaders() : original);
 * exchange.response(response.code(), HeaderValues.contentLength(response.header("Content-Length")));
 * // ... when the body has been read to its end or closed:
 * exchange.finish();
 * }</pre>
 *
 * <h2>What it does</h2>
 *
 * <ul>
 *   <li><b>Headers</b> only when the URL (with its query, see {@link RequestUrl}) matches the
 *       tracer's {@code tracePropagationTargets}, decided again for each hop ({@link
 *       HttpClientExchange#propagate}): {@code sentry-trace}, {@code baggage} and, when the tracer
 *       sends it, {@code traceparent}. A {@code sentry-trace} the request already carries is kept
 *       and nothing is added; an existing {@code baggage} is merged (other vendors' members kept,
 *       Sentry's replaced), so writing twice never grows it. With the tracer's {@link
 *       Tracer.Builder#debug(boolean) debug} switch on, each decision goes to its {@link
 *       DecisionLog} with the URL as matched (without its query).
 *   <li><b>Span</b>: under a recording parent span, a child with op {@code http.client}, named
 *       {@code METHOD scheme://host[:port]/path}, with the data of {@link HttpSpanData}; the {@code
 *       sentry-trace} sent names it. It lasts until the adapter reports the body read or closed
 *       ({@link HttpClientExchange#finish()}); its status comes from the status code, a user's
 *       cancel gives {@code cancelled}, any other failure {@code internal_error}. A {@code 101
 *       Switching Protocols} ends it at once: what follows is not HTTP.
 *   <li><b>Without a recording span</b> (none current, tracing off, not sampled) the headers carry
 *       the parent span's trace, else the captured propagation context, and no span is recorded.
 *   <li><b>Nothing at all</b> while instrumentation is suppressed where the call was made or where
 *       it is started (the exporter's own requests).
 * </ul>
 *
 * <p>Nothing here throws into the call: a failure (a broken tracer, clock or request adapter) is
 * logged through the {@link InstrumentationLog} given, and the exchange then says the request is to
 * go out as it was ({@link HttpClientExchange#propagated()} false).
 */
public final class HttpClientHandler {
  static final CarrierGetter<HttpClientRequest> GETTER = HttpClientRequest::header;
  static final CarrierSetter<HttpClientRequest> SETTER = HttpClientRequest::setHeader;

  final Tracer tracer;
  final InstrumentationLog log;
  final DecisionLog decisions;

  private HttpClientHandler(Tracer tracer, InstrumentationLog log) {
    this.tracer = tracer;
    this.log = log;
    this.decisions = tracer.decisionLog();
  }

  /** A handler logging its failures as the generic HTTP client instrumentation. */
  public static HttpClientHandler create(Tracer tracer) {
    return create(tracer, InstrumentationLog.of(HttpClientHandler.class, "HTTP client"));
  }

  /**
   * A handler logging its failures on the logger of {@code adapter} (the adapter's own class),
   * naming {@code library} (e.g. {@code "OkHttp"}) in its messages.
   */
  public static HttpClientHandler create(Tracer tracer, Class<?> adapter, String library) {
    Objects.requireNonNull(adapter, "adapter");
    Objects.requireNonNull(library, "library");
    return create(tracer, InstrumentationLog.of(adapter, library));
  }

  private static HttpClientHandler create(Tracer tracer, InstrumentationLog log) {
    return new HttpClientHandler(Objects.requireNonNull(tracer, "tracer"), log);
  }

  public Tracer tracer() {
    return tracer;
  }

  /**
   * What is current on this thread, to call on the thread that makes the call (it may be started
   * on another): the current span, else the current propagation context; {@link
   * Parent#isSuppressed() suppressed} while the exporter sends to Sentry. Never throws.
   */
  public Parent capture() {
    return capture(null);
  }

  /** Like {@link #capture()}, with {@code explicit} as the parent span when it is not null. */
  public Parent capture(Span explicit) {
    if (Instrumentation.isSuppressed()) return Parent.SUPPRESSED;
    try {
      Span span = explicit != null ? explicit : tracer.currentSpan();
      return span != null ? new Parent(span, null) : new Parent(null, tracer.currentPropagationContext());
    } catch (RuntimeException | LinkageError e) {
      log.failed(e);
      return Parent.SUPPRESSED;
    }
  }

  /**
   * Starts the exchange of {@code request} under {@code parent} (null: {@link #capture()} now):
   * starts its span when the parent is a recording span, and writes the trace headers on {@code
   * request} when its URL is a target. Never throws; when suppressed, or when this fails, returns
   * an exchange that does nothing and whose {@link HttpClientExchange#propagated()} is false.
   */
  public HttpClientExchange start(HttpClientRequest request, Parent parent) {
    Parent p = parent != null ? parent : capture();
    if (p.suppressed || Instrumentation.isSuppressed()) return HttpClientExchange.NOOP;
    HttpClientExchange exchange = null;
    RequestUrl url;
    try {
      url = request.url();
      Span span = null;
      Span parentSpan = p.span;
      if (parentSpan != null && parentSpan.isRecording() && !parentSpan.isFinished()) {
        String method = request.method();
        String withoutQuery = url.withoutQuery();
        span = parentSpan.startChild(HttpSpanData.OP_CLIENT, method + ' ' + withoutQuery);
        exchange = new HttpClientExchange(this, p, span);
        span.setData(HttpSpanData.METHOD, method);
        span.setData(HttpSpanData.URL, withoutQuery);
        if (url.query() != null) span.setData(HttpSpanData.QUERY, url.query());
      } else {
        exchange = new HttpClientExchange(this, p, null);
      }
    } catch (RuntimeException | LinkageError e) {
      log.failed(e);
      // A span already started still ends with the call; the request goes out as it was.
      return exchange != null ? exchange : HttpClientExchange.NOOP;
    }
    exchange.propagated = exchange.propagate(request, url);
    return exchange;
  }

  /** Whether the headers go to {@code url}; the URL's text is only built when a target needs it. */
  boolean shouldPropagate(RequestUrl url) {
    PropagationTargets targets = tracer.propagationTargets();
    if (targets == PropagationTargets.all()) return true;
    if (targets == PropagationTargets.none()) return false;
    return tracer.shouldPropagate(url.toString());
  }

  @Override
  public String toString() {
    return "HttpClientHandler";
  }

  /**
   * What a call's trace headers and span descend from, captured where the user makes the call: the
   * span current there, else the propagation context current there, or nothing when suppressed.
   * Adapters whose client runs the request on another thread (an enqueued call, an async client's
   * I/O thread, a redirect hop) keep it with the call and pass it to {@link #start}.
   *
   * <pre>{@code
   * HttpClientHandler.Parent parent = handler.capture(request.tag(Span.class)); // explicit span wins
   * }</pre>
   */
  public static final class Parent {
    static final Parent SUPPRESSED = new Parent(null, null);

    final Span span;
    final PropagationContext context;
    final boolean suppressed;

    Parent(Span span, PropagationContext context) {
      this.span = span;
      this.context = context;
      this.suppressed = span == null && context == null;
    }

    /** The parent span; null when no span was current. */
    public Span span() {
      return span;
    }

    /** The propagation context the headers carry when there is no span; null when there is one. */
    public PropagationContext context() {
      return context;
    }

    /** True when the call is not to be traced at all (the exporter's own requests to Sentry). */
    public boolean isSuppressed() {
      return suppressed;
    }

    @Override
    public String toString() {
      return suppressed ? "Parent{suppressed}" : span != null ? "Parent{" + span + '}' : "Parent{" + context + '}';
    }
  }
}
