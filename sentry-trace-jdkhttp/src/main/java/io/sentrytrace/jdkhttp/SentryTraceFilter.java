package io.sentrytrace.jdkhttp;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import io.sentrytrace.Baggage;
import io.sentrytrace.CarrierGetter;
import io.sentrytrace.PropagationContext;
import io.sentrytrace.Scope;
import io.sentrytrace.Span;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A {@code com.sun.net.httpserver} filter that continues the trace of each incoming request and
 * records it as an {@code http.server} transaction.
 *
 * <pre>{@code
 * HttpContext context = server.createContext("/", handler);
 * context.getFilters().add(SentryTraceFilter.create(tracer));
 * // in the handler:
 * Span tx = (Span) exchange.getAttribute(SentryTraceFilter.SPAN_ATTRIBUTE); // or tracer.currentSpan()
 * String head = "<head>" + MetaTags.render(tx) + "</head>";
 * }</pre>
 *
 * <p>For each request the filter continues the trace of the incoming {@code sentry-trace} and
 * {@code baggage} headers (missing, invalid or refused ones start a new trace: bad headers never
 * fail the request), starts a transaction named {@code METHOD /path} (no query; see {@link
 * Builder#transactionName}) with op {@code http.server} and data {@code http.request.method},
 * {@code url}, {@code http.query}, {@code http.response.status_code}, and makes it current while
 * the rest of the chain runs on this thread, so {@link Tracer#currentSpan()} and traced clients see
 * it as the parent. It finishes the transaction after the chain with the status of the response
 * code; a handler that sends no response leaves the status {@code unknown}.
 *
 * <p>The handler gets the transaction under {@link #SPAN_ATTRIBUTE}, per exchange (the JDK server
 * itself shares exchange attributes between all requests of a context, so the filter passes down
 * its own exchange that holds it). Filters added before this one do not see it.
 *
 * <p>CORS (on by default, see {@link Builder#corsAllowHeaders}): on a preflight ({@code OPTIONS}
 * with {@code Access-Control-Request-Method}) whose answer is a CORS answer (it carries {@code
 * Access-Control-Allow-Origin} or {@code Access-Control-Allow-Headers}), {@code sentry-trace} and
 * {@code baggage} are merged into the handler's {@code Access-Control-Allow-Headers} when the
 * handler sends the headers, each name once. A preflight the handler answers without CORS headers
 * is left alone: the filter grants no cross-origin access by itself. Preflights are not recorded
 * as transactions: they are the browser's question, not the service's work.
 *
 * <p>Failures: an exception from the handler marks the transaction {@code internal_error} and is
 * rethrown unchanged. The filter itself never fails a request: a failure inside it is logged once
 * via {@link System.Logger} and the request is passed on untraced.
 */
public final class SentryTraceFilter extends Filter {
  /** The exchange attribute that holds the request's transaction ({@link Span}); read-only. */
  public static final String SPAN_ATTRIBUTE = "io.sentrytrace.span";

  static final String OP = "http.server";
  static final FailureLog LOG = new FailureLog(SentryTraceFilter.class);

  /** Several {@code baggage} lines are one list; of several {@code sentry-trace}s the first counts. */
  private static final CarrierGetter<Headers> HEADERS =
      (headers, name) -> {
        List<String> values = headers.get(name);
        if (values == null || values.isEmpty()) return null;
        return values.size() > 1 && name.equals(Baggage.HEADER) ? String.join(",", values) : values.get(0);
      };

  /** A Host header that is a host (and port), not something to put in a URL. */
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.\\-]+(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?");

  private final Tracer tracer;
  private final boolean corsAllowHeaders;
  private final Function<? super HttpExchange, String> transactionName;

  private SentryTraceFilter(Builder builder) {
    this.tracer = builder.tracer;
    this.corsAllowHeaders = builder.corsAllowHeaders;
    this.transactionName = builder.transactionName;
  }

  /**
   * The filter with the default options.
   *
   * @throws NullPointerException when {@code tracer} is null
   */
  public static SentryTraceFilter create(Tracer tracer) {
    return builder(tracer).build();
  }

  /**
   * Options for the filter.
   *
   * @throws NullPointerException when {@code tracer} is null
   */
  public static Builder builder(Tracer tracer) {
    return new Builder(Objects.requireNonNull(tracer, "tracer"));
  }

  @Override
  @SuppressWarnings("try") // the scope is used for its close()
  public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
    if (isPreflight(exchange)) {
      // A preflight is the browser asking leave, not work of this service: no transaction (as
      // Sentry's own server integrations), only the CORS help.
      chain.doFilter(corsAllowHeaders ? TracedExchange.wrap(exchange, null, true) : exchange);
      return;
    }
    Span transaction;
    HttpExchange traced;
    try {
      PropagationContext incoming = tracer.extract(exchange.getRequestHeaders(), HEADERS);
      transaction = tracer.startTransaction(name(exchange), OP, incoming);
      recordRequest(transaction, exchange);
      traced = TracedExchange.wrap(exchange, transaction, false);
    } catch (RuntimeException e) {
      LOG.failed("could not trace an incoming request; passed on untraced", e);
      chain.doFilter(exchange);
      return;
    }
    boolean failed = false;
    try (Scope scope = transaction.makeCurrent()) {
      chain.doFilter(traced);
    } catch (Throwable t) {
      failed = true;
      throw t;
    } finally {
      finish(transaction, exchange, failed);
    }
  }

  private String name(HttpExchange exchange) {
    if (transactionName != null) {
      try {
        String name = transactionName.apply(exchange);
        if (name != null && !name.isEmpty()) return name;
      } catch (RuntimeException e) {
        LOG.failed("transactionName function threw; using METHOD /path", e);
      }
    }
    return exchange.getRequestMethod() + ' ' + path(exchange.getRequestURI());
  }

  private static String path(URI uri) {
    String path = uri.getRawPath();
    return path == null || path.isEmpty() ? "/" : path;
  }

  private static void recordRequest(Span transaction, HttpExchange exchange) {
    if (!transaction.isRecording()) return; // tracing off or not sampled: nobody reads the data
    URI uri = exchange.getRequestURI();
    transaction.setData("http.request.method", exchange.getRequestMethod());
    transaction.setData("url", url(exchange, uri));
    String query = uri.getRawQuery();
    if (query != null && !query.isEmpty()) transaction.setData("http.query", query);
  }

  /** The request's URL without query: the Host header when it is a plain host, else the local address. */
  private static String url(HttpExchange exchange, URI uri) {
    String scheme = exchange instanceof HttpsExchange ? "https" : "http";
    String host = exchange.getRequestHeaders().getFirst("Host");
    if (host != null && HOST.matcher(host).matches()) {
      int colon = host.lastIndexOf(':');
      boolean hasPort = colon > host.lastIndexOf(']');
      return Urls.withoutQuery(
          scheme,
          hasPort ? host.substring(0, colon) : host,
          hasPort ? Integer.parseInt(host.substring(colon + 1)) : -1,
          path(uri));
    }
    InetSocketAddress local = exchange.getLocalAddress();
    return Urls.withoutQuery(scheme, local.getAddress().getHostAddress(), local.getPort(), path(uri));
  }

  private static boolean isPreflight(HttpExchange exchange) {
    return "OPTIONS".equals(exchange.getRequestMethod())
        && exchange.getRequestHeaders().containsKey("Access-Control-Request-Method");
  }

  private static void finish(Span transaction, HttpExchange exchange, boolean failed) {
    try {
      int code = exchange.getResponseCode();
      if (code > 0) transaction.setData("http.response.status_code", code);
      if (failed) transaction.setStatus(SpanStatus.INTERNAL_ERROR);
      else transaction.setStatus(code > 0 ? SpanStatus.fromHttpStatus(code) : SpanStatus.UNKNOWN);
      transaction.finish();
    } catch (RuntimeException e) {
      LOG.failed("could not finish an http.server transaction", e);
    }
  }

  @Override
  public String description() {
    return "sentry-trace: continues incoming traces and records http.server transactions";
  }

  /**
   * Options for {@link SentryTraceFilter}.
   *
   * <pre>{@code
   * Filter filter = SentryTraceFilter.builder(tracer)
   *     .transactionName(exchange -> exchange.getRequestMethod() + " " + exchange.getHttpContext().getPath())
   *     .corsAllowHeaders(false)
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private final Tracer tracer;
    private boolean corsAllowHeaders = true;
    private Function<? super HttpExchange, String> transactionName;

    private Builder(Tracer tracer) {
      this.tracer = tracer;
    }

    /**
     * Whether CORS preflight answers get {@code sentry-trace, baggage} in {@code
     * Access-Control-Allow-Headers} (default true). Switch it off when your CORS handling already
     * lists them.
     */
    public Builder corsAllowHeaders(boolean enabled) {
      this.corsAllowHeaders = enabled;
      return this;
    }

    /**
     * Names transactions, e.g. by route template rather than by path (keeps their number low).
     * Called before the handler runs; a null or empty result, or an exception (logged once), falls
     * back to {@code METHOD /path}.
     *
     * @throws NullPointerException when {@code name} is null
     */
    public Builder transactionName(Function<? super HttpExchange, String> name) {
      this.transactionName = Objects.requireNonNull(name, "transactionName");
      return this;
    }

    public SentryTraceFilter build() {
      return new SentryTraceFilter(this);
    }
  }
}
