package io.sentrytrace.jdkhttp;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import io.sentrytrace.Scope;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import io.sentrytrace.http.HttpServerHandler;
import io.sentrytrace.http.HttpServerRequest;
import io.sentrytrace.http.internal.HeaderValues;
import io.sentrytrace.http.internal.InstrumentationLog;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A {@code com.sun.net.httpserver} filter that continues the trace of each incoming request and
 * records it as an {@code http.server} transaction.
 *
 * <pre>{@code
 * HttpContext context = server.createContext("/", handler);
 * context.getFilters().add(TracingFilter.create(tracer));
 * // or, with server options:
 * context.getFilters().add(TracingFilter.create(HttpServerHandler.builder(tracer).serverTiming(ServerTimingPolicy.ALL).build()));
 * // in the handler:
 * Span tx = (Span) exchange.getAttribute(TracingFilter.SPAN_ATTRIBUTE); // or tracer.currentSpan()
 * String head = "<head>" + MetaTags.render(tx) + "</head>";
 * }</pre>
 *
 * <p>The rules are {@link HttpServerHandler}'s, the same for every sentry-trace server adapter:
 * the filter continues the trace of the incoming {@code sentry-trace} and {@code baggage} headers
 * (missing, invalid or refused ones start a new trace: bad headers never fail the request), starts
 * a transaction named {@code METHOD /path} (source {@code url}, so the raw path stays out of the
 * DSC; see {@link HttpServerHandler.Builder#transactionName}, whose request {@link
 * HttpServerRequest#unwrap() unwraps} to the {@link HttpExchange}) with op {@code http.server} and
 * data {@code http.request.method}, {@code url}, {@code http.query}, {@code
 * http.response.status_code}, and
 * makes it current while the rest of the chain runs on this thread, so {@link Tracer#currentSpan()}
 * and traced clients see it as the parent. It finishes the transaction after the chain with the
 * status of the response code; a handler that sends no response leaves the status {@code
 * unknown}. A request that already has a transaction (this filter added twice in one chain) gets
 * no second one.
 *
 * <p>The handler gets the transaction under {@link #SPAN_ATTRIBUTE}, per exchange (the JDK server
 * itself shares exchange attributes between all requests of a context, so the filter passes down
 * its own exchange that holds it). Filters added before this one do not see it.
 *
 * <p>Server-Timing (see {@link HttpServerHandler.Builder#serverTiming}, default HTML): when the
 * handler sends the headers of an HTML response, {@code Server-Timing} gets the trace ({@code
 * sentry-trace;desc="…", baggage;desc="…"}) after the handler's own metrics, unless the handler
 * already put it there. {@code @sentry/browser} continues the trace from it when a page has no
 * meta tags.
 *
 * <p>CORS (on by default, see {@link HttpServerHandler.Builder#corsAllowHeaders}): on a preflight
 * ({@code OPTIONS} with {@code Access-Control-Request-Method}) whose answer is a CORS answer (it carries {@code
 * Access-Control-Allow-Origin} or {@code Access-Control-Allow-Headers}), {@code sentry-trace} and
 * {@code baggage} are merged into the handler's {@code Access-Control-Allow-Headers} when the
 * handler sends the headers, each name once. A preflight the handler answers without CORS headers
 * is left alone: the filter grants no cross-origin access by itself. Preflights are not recorded
 * as transactions: they are the browser's question, not the service's work.
 *
 * <p>Failures: an exception from the handler marks the transaction {@code internal_error} and is
 * rethrown unchanged. A client that goes away while the handler writes the body (a write or flush
 * of {@code getResponseBody()} throws an {@link IOException}, rethrown or not) is no error of the
 * service: the transaction is {@code cancelled}, with the response code that was sent. The filter
 * itself never fails a request: a failure inside it is logged once via {@link System.Logger} and
 * the request is passed on untraced.
 */
public final class TracingFilter extends Filter {
  /**
   * The exchange attribute that holds the request's transaction ({@link Span}); read-only. The
   * same key as every server adapter's: {@link HttpServerHandler#SPAN_ATTRIBUTE}.
   */
  public static final String SPAN_ATTRIBUTE = HttpServerHandler.SPAN_ATTRIBUTE;

  static final InstrumentationLog LOG = InstrumentationLog.of(TracingFilter.class, "JDK HttpServer");

  private final HttpServerHandler handler;

  private TracingFilter(HttpServerHandler handler) {
    this.handler = handler;
  }

  /**
   * The filter with the default server options.
   *
   * @throws NullPointerException when {@code tracer} is null
   */
  public static TracingFilter create(Tracer tracer) {
    return create(HttpServerHandler.create(tracer));
  }

  /**
   * The filter with the server options of {@code handler} ({@link HttpServerHandler#builder}).
   *
   * @throws NullPointerException when {@code handler} is null
   */
  public static TracingFilter create(HttpServerHandler handler) {
    return new TracingFilter(Objects.requireNonNull(handler, "handler"));
  }

  @Override
  @SuppressWarnings("try") // the scope is used for its close()
  public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
    Span transaction = null;
    HttpExchange next = exchange;
    try {
      // An outer TracingFilter already records this request: one transaction per request.
      if (!(exchange.getAttribute(SPAN_ATTRIBUTE) instanceof Span)) {
        Request request = new Request(exchange);
        if (handler.isPreflight(request)) {
          next = TracedExchange.wrap(exchange, null, handler); // CORS help only, no transaction
        } else {
          transaction = handler.start(request);
          if (transaction != null) next = TracedExchange.wrap(exchange, transaction, handler);
        }
      }
    } catch (RuntimeException e) {
      LOG.failed(e);
      transaction = null; // never finished: nothing is exported for a request passed on untraced
      next = exchange;
    }
    if (transaction == null) {
      chain.doFilter(next);
      return;
    }
    Throwable failure = null;
    try (Scope scope = transaction.makeCurrent()) {
      chain.doFilter(next);
    } catch (Throwable t) {
      failure = t;
      throw t;
    } finally {
      handler.finish(transaction, exchange.getResponseCode(), failure, TracedExchange.writeFailure(next));
    }
  }

  @Override
  public String description() {
    return "sentry-trace: continues incoming traces and records http.server transactions";
  }

  /** The exchange's request as the handler reads it. */
  private static final class Request implements HttpServerRequest {
    final HttpExchange exchange;

    Request(HttpExchange exchange) {
      this.exchange = exchange;
    }

    @Override
    public String method() {
      return exchange.getRequestMethod();
    }

    @Override
    public String path() {
      return exchange.getRequestURI().getRawPath();
    }

    @Override
    public String query() {
      return exchange.getRequestURI().getRawQuery();
    }

    @Override
    public String header(String name) {
      return HeaderValues.join(exchange.getRequestHeaders().get(name));
    }

    @Override
    public String scheme() {
      return exchange instanceof HttpsExchange ? "https" : "http";
    }

    @Override
    public InetSocketAddress localAddress() {
      return exchange.getLocalAddress();
    }

    /** The server's exchange, for a {@link HttpServerHandler.Builder#transactionName} function. */
    @Override
    public Object unwrap() {
      return exchange;
    }
  }
}
