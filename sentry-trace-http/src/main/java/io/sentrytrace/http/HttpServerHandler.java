package io.sentrytrace.http;

import io.sentrytrace.Baggage;
import io.sentrytrace.CarrierGetter;
import io.sentrytrace.Cors;
import io.sentrytrace.DecisionLog;
import io.sentrytrace.MetaTags;
import io.sentrytrace.PropagationContext;
import io.sentrytrace.ServerTiming;
import io.sentrytrace.Span;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionNameSource;
import io.sentrytrace.http.internal.HttpSpanData;
import io.sentrytrace.http.internal.InstrumentationLog;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.function.Function;

/**
 * The server half of every HTTP rule, held once: continuing the incoming trace, the {@code
 * http.server} transaction (name, data, status), CORS preflights and the values a server hands to
 * the browser.
 *
 * <p><b>For users</b>, its {@link #builder builder} is the one place for server options; every
 * server adapter takes the built handler:
 *
 * <pre>{@code
 * HttpServerHandler handler = HttpServerHandler.builder(tracer)
 *     .serverTiming(ServerTimingPolicy.ALL)
 *     .transactionName(request -> route((HttpServletRequest) request.unwrap()))
 *     .build();
 * Filter filter = TracingServletFilter.create(handler); // or TracingFilter.create(handler), ...
 * }</pre>
 *
 * <p><b>For adapter authors</b> (SPI): a server adapter (the JDK server's filter, a servlet filter,
 * Spring) maps its request onto {@link HttpServerRequest} and its response onto {@link
 * HttpServerResponse}, and calls, per request:
 *
 * <pre>{@code
 * Object existing = request.getAttribute(HttpServerHandler.SPAN_ATTRIBUTE);
 * if (existing instanceof Span) { chain.doFilter(request, response); return; } // a forward, a re-dispatch
 * if (handler.isPreflight(adapted)) {  // no transaction: the wrapper calls handler.beforeHeaders(null, headers)
 *   chain.doFilter(request, wrapped); return;
 * }
 * Span tx = handler.start(adapted);                       // null only when the instrumentation failed
 * request.setAttribute(HttpServerHandler.SPAN_ATTRIBUTE, tx);
 * Throwable error = null;
 * try (Scope scope = tx.makeCurrent()) {
 *   chain.doFilter(request, wrapped);  // the wrapper calls handler.beforeHeaders(tx, headers) right
 *                                      // before the response commits, and keeps writeFailure: the
 *                                      // first IOException a body write or flush threw
 * } catch (Throwable t) {
 *   error = t;
 *   throw t;                                               // the adapter rethrows unchanged
 * } finally {
 *   handler.finish(tx, response.getStatus(), error, writeFailure); // or later, on another thread
 * }
 * }</pre>
 *
 * <p>{@link #start} continues the trace of the incoming {@code sentry-trace} and {@code baggage}
 * (and of {@code traceparent} when the tracer continues from it; {@link Tracer#extract}); missing,
 * invalid, hostile or refused headers start a new trace. It starts an {@code http.server}
 * transaction named {@code METHOD /path} with source {@link TransactionNameSource#URL}, so the raw
 * path never goes downstream in the dynamic sampling context; a framework that knows the route
 * renames it with {@link Span#setName(String, TransactionNameSource)}. A recording transaction gets
 * the data {@code http.request.method}, {@code url} (without query) and {@code http.query}; {@link
 * #finish} adds {@code http.response.status_code} and the status. Starting and finishing are
 * separate calls so that a request may complete on another thread; each transaction is finished
 * once (later calls do nothing).
 *
 * <p>One transaction per request: an adapter exposes it to the app under {@link #SPAN_ATTRIBUTE}
 * and, when the request already holds a {@link Span} there (a forward, an async re-dispatch, a
 * second filter), starts none.
 *
 * <p>No method here throws into the request: a failure inside the instrumentation is logged once
 * and the request goes on as if untraced.
 */
public final class HttpServerHandler {
  /**
   * The request attribute under which every server adapter exposes the request's transaction (a
   * {@link Span}); read-only for the app.
   */
  public static final String SPAN_ATTRIBUTE = "io.sentrytrace.span";

  /** The op of the transactions this handler starts. */
  static final String OP = "http.server";

  /** Methods are short tokens; an attacker's 8 KB "method" is cut. */
  static final int MAX_METHOD_LENGTH = 32;
  /** The longest path and query kept in the name and data (Sentry cuts names at 200 chars anyway). */
  static final int MAX_PATH_LENGTH = 2048;
  /** The longest Host header still checked: a DNS name (253) plus a port. */
  private static final int MAX_HOST_LENGTH = 261;
  /** The deepest cause of a write failure looked at: frameworks wrap one once or twice. */
  private static final int MAX_CAUSES = 8;

  private static final String ACCESS_CONTROL_REQUEST_METHOD = "Access-Control-Request-Method";
  private static final String ACCESS_CONTROL_REQUEST_HEADERS = "Access-Control-Request-Headers";
  private static final String ALLOW_ORIGIN = "Access-Control-Allow-Origin";
  private static final InstrumentationLog LOG = InstrumentationLog.of(HttpServerHandler.class, "HTTP server");

  /** Of several {@code sentry-trace} or {@code traceparent} lines the first counts; baggage is one list. */
  private static final CarrierGetter<HttpServerRequest> HEADERS =
      (request, name) -> {
        String value = request.header(name);
        if (value == null || name.equals(Baggage.HEADER)) return value;
        int comma = value.indexOf(',');
        return comma < 0 ? value : value.substring(0, comma).trim();
      };

  private final Tracer tracer;
  private final DecisionLog decisions;
  private final boolean corsAllowHeaders;
  private final ServerTimingPolicy serverTiming;
  private final Function<? super HttpServerRequest, String> transactionName;

  private HttpServerHandler(Builder builder) {
    this.tracer = builder.tracer;
    this.decisions = builder.tracer.decisionLog();
    this.corsAllowHeaders = builder.corsAllowHeaders;
    this.serverTiming = builder.serverTiming;
    this.transactionName = builder.transactionName;
  }

  /**
   * A handler with the default options.
   *
   * @throws NullPointerException when {@code tracer} is null
   */
  public static HttpServerHandler create(Tracer tracer) {
    return builder(tracer).build();
  }

  /**
   * Options for a handler.
   *
   * @throws NullPointerException when {@code tracer} is null
   */
  public static Builder builder(Tracer tracer) {
    return new Builder(Objects.requireNonNull(tracer, "tracer"));
  }

  /**
   * Whether {@code request} is a CORS preflight ({@code OPTIONS} with {@code
   * Access-Control-Request-Method}): the browser asking leave, not work of the service. It gets no
   * transaction (as with Sentry's own server integrations), only the CORS help of {@link
   * #beforeHeaders}.
   * With the tracer's decision log on, a preflight is logged with the headers the browser asks to
   * send.
   */
  public boolean isPreflight(HttpServerRequest request) {
    try {
      boolean preflight = "OPTIONS".equals(request.method()) && request.header(ACCESS_CONTROL_REQUEST_METHOD) != null;
      if (preflight && decisions.isEnabled()) decisions.corsPreflight(request.header(ACCESS_CONTROL_REQUEST_HEADERS));
      return preflight;
    } catch (RuntimeException e) {
      LOG.failed(e);
      return false;
    }
  }

  /**
   * Continues the incoming trace and starts the request's {@code http.server} transaction (not made
   * current: the adapter does that on the threads that run the request). Returns null only when the
   * instrumentation itself failed (logged); the adapter then passes the request on untraced.
   */
  public Span start(HttpServerRequest request) {
    String method;
    String path;
    Span transaction;
    try {
      PropagationContext incoming = tracer.extract(request, HEADERS);
      method = bounded(request.method(), MAX_METHOD_LENGTH);
      path = path(request);
      String custom = customName(request);
      transaction = tracer.startTransaction(custom != null ? custom : method + ' ' + path, OP, incoming);
      if (custom == null) transaction.setName(method + ' ' + path, TransactionNameSource.URL);
    } catch (RuntimeException e) {
      LOG.failed(e);
      return null;
    }
    if (transaction.isRecording()) {
      try {
        recordRequest(transaction, request, method, path);
      } catch (RuntimeException e) {
        LOG.failed(e); // the transaction goes on without the rest of the request data
      }
    }
    return transaction;
  }

  /**
   * Finishes {@code transaction} of a response whose writes did not fail: {@link #finish(Span, int,
   * Throwable, Throwable) finish(transaction, statusCode, error, null)}.
   */
  public void finish(Span transaction, int statusCode, Throwable error) {
    finish(transaction, statusCode, error, null);
  }

  /**
   * Finishes {@code transaction} (null: does nothing) with {@code http.response.status_code} (when
   * {@code statusCode} is positive) and a status, the first that applies:
   *
   * <ul>
   *   <li>{@code cancelled} (Sentry's status for 499) when writing the response failed with an I/O
   *       error: {@code writeFailure} is an {@link IOException} or caused by one. Only a committed
   *       response is written to the connection, so the client went away mid-response (a closed
   *       tab, a dropped connection, a client's timeout): no error of the service, whatever the app
   *       made of the failure. Otherwise anyone could raise a service's error rate by leaving.
   *   <li>{@code internal_error} when the app threw {@code error} (non-null).
   *   <li>The status of {@code statusCode}; {@code unknown} when no response was sent (0 or less).
   * </ul>
   *
   * <p>{@code writeFailure} is what a write or flush of the response body threw, as the adapter's
   * response wrapper saw it (null when none failed); an I/O error elsewhere, such as a database
   * call's, is the app's {@code error}. Safe on any thread; the second call for a transaction does
   * nothing.
   */
  public void finish(Span transaction, int statusCode, Throwable error, Throwable writeFailure) {
    if (transaction == null || transaction.isFinished()) return;
    try {
      if (statusCode > 0) transaction.setData(HttpSpanData.STATUS_CODE, statusCode);
      if (isIoFailure(writeFailure)) transaction.setStatus(SpanStatus.CANCELLED);
      else if (error != null) transaction.setStatus(SpanStatus.INTERNAL_ERROR);
      else transaction.setStatus(statusCode > 0 ? SpanStatus.fromHttpStatus(statusCode) : SpanStatus.UNKNOWN);
      transaction.finish();
    } catch (RuntimeException e) {
      LOG.failed(e);
    }
  }

  /**
   * Whether {@code failure} is an {@link IOException} or one of its first causes is: a reactive
   * server's write failure may come wrapped in an unchecked exception. A cycle ends the search.
   */
  static boolean isIoFailure(Throwable failure) {
    Throwable t = failure;
    for (int i = 0; t != null && i <= MAX_CAUSES; i++) {
      if (t instanceof IOException) return true;
      Throwable cause = t.getCause();
      t = cause == t ? null : cause;
    }
    return false;
  }

  /**
   * Adds the handler's headers to {@code response} right before its headers are sent, when the
   * app's own values are known; call it at the last moment they can still change, on the thread
   * that commits the response. Returns whether the response is settled: a header was set (or
   * adding it failed, logged), so later calls for the same response have nothing to do; false when
   * the response was left as it is, and a later call (say, after the app set its {@code
   * Content-Type}) may still add one.
   *
   * <ul>
   *   <li>A CORS preflight ({@code transaction} null, see {@link #isPreflight}): {@code sentry-trace}
   *       and {@code baggage} merged into the {@code Access-Control-Allow-Headers} of the app's
   *       CORS answer ({@link Builder#corsAllowHeaders}); an answer without CORS headers is left
   *       alone.
   *   <li>A traced response: the trace in {@code Server-Timing}, after the app's own metrics, when
   *       the policy ({@link Builder#serverTiming}) takes the response's {@code Content-Type} and
   *       the app did not put it there. Freezes the trace's DSC.
   * </ul>
   */
  public boolean beforeHeaders(Span transaction, HttpServerResponse response) {
    try {
      String name;
      String value;
      if (transaction == null) {
        name = Cors.ALLOW_HEADERS_HEADER;
        value = preflightAllowHeaders(response.header(Cors.ALLOW_HEADERS_HEADER), response.header(ALLOW_ORIGIN));
      } else {
        name = ServerTiming.HEADER;
        value = serverTiming(transaction, response.contentType(), response.header(ServerTiming.HEADER));
      }
      if (value == null) return false;
      response.setHeader(name, value);
    } catch (RuntimeException e) {
      LOG.failed(e); // once is enough: the response goes on without the header
    }
    return true;
  }

  /**
   * The {@code Access-Control-Allow-Headers} value for the app's answer to a preflight, or null to
   * leave that answer as it is. {@code allowHeaders} and {@code allowOrigin} are the answer's own
   * headers (null when absent; several lines joined with {@code ","}). An answer with neither is no
   * CORS answer and is left alone: the handler never grants cross-origin access by itself.
   * Otherwise {@code sentry-trace} and {@code baggage} are merged into the app's list, each name
   * once. Null as well when the CORS help is off ({@link Builder#corsAllowHeaders}).
   */
  String preflightAllowHeaders(String allowHeaders, String allowOrigin) {
    if (!corsAllowHeaders || (allowHeaders == null && allowOrigin == null)) {
      if (decisions.isEnabled()) {
        decisions.corsAnswer(
            allowHeaders, corsAllowHeaders ? "no CORS answer from the app: left alone" : "corsAllowHeaders off: left as the app wrote it");
      }
      return null;
    }
    try {
      String allowed = Cors.allowHeaders(allowHeaders);
      if (decisions.isEnabled()) decisions.corsAnswer(allowed, "sentry-trace and baggage merged into the app's list");
      return allowed;
    } catch (RuntimeException e) {
      LOG.failed(e);
      return null;
    }
  }

  /**
   * The {@code Server-Timing} value to set on a response of {@code transaction}, or null to leave
   * the response as it is: when the policy ({@link Builder#serverTiming}) skips a response with
   * this {@code contentType} (may be null), when there is no transaction (a preflight), or when
   * {@code existing} (the app's own {@code Server-Timing}, several lines joined with {@code ","};
   * may be null) already carries a {@code sentry-trace} metric. Otherwise the app's metrics
   * followed by {@code sentry-trace;desc="<trace>-<span>-<flag>", baggage;desc="<dsc>"} ({@link
   * ServerTiming#header}), so the trace is there once. Freezes the trace's DSC.
   */
  String serverTiming(Span transaction, String contentType, String existing) {
    if (transaction == null || !serverTiming.appliesTo(contentType)) return null;
    try {
      if (existing == null || existing.isBlank()) return ServerTiming.header(transaction);
      if (hasMetric(existing, "sentry-trace")) return null;
      return existing + ", " + ServerTiming.header(transaction);
    } catch (RuntimeException e) {
      LOG.failed(e);
      return null;
    }
  }

  /**
   * The {@code <meta>} tags that let the browser SDK continue {@code transaction}'s trace in its
   * pageload ({@link MetaTags#render}); empty when there is no transaction (a preflight) or when
   * rendering failed.
   */
  public String metaTags(Span transaction) {
    if (transaction == null) return "";
    try {
      return MetaTags.render(transaction);
    } catch (RuntimeException e) {
      LOG.failed(e);
      return "";
    }
  }

  private String customName(HttpServerRequest request) {
    if (transactionName == null) return null;
    try {
      String name = transactionName.apply(request);
      return name == null || name.isEmpty() ? null : name;
    } catch (RuntimeException e) {
      LOG.failed(new IllegalStateException("the transactionName function threw; named METHOD /path instead", e));
      return null;
    }
  }

  private static String path(HttpServerRequest request) {
    String path = request.path();
    return path == null || path.isEmpty() ? "/" : bounded(path, MAX_PATH_LENGTH);
  }

  private static String bounded(String value, int max) {
    if (value == null) return "";
    return value.length() <= max ? value : value.substring(0, max);
  }

  private static void recordRequest(Span transaction, HttpServerRequest request, String method, String path) {
    transaction.setData(HttpSpanData.METHOD, method);
    String url = url(request, path);
    if (url != null) transaction.setData(HttpSpanData.URL, url);
    String query = request.query();
    if (query != null && !query.isEmpty()) transaction.setData(HttpSpanData.QUERY, bounded(query, MAX_PATH_LENGTH));
  }

  /**
   * {@code scheme://host[:port]path} by the rules of {@link RequestUrl}: the host from the {@code
   * Host} header when it is a plain host (and port), else the local address; null when neither is
   * known.
   */
  static String url(HttpServerRequest request, String path) {
    String scheme = "https".equalsIgnoreCase(request.scheme()) ? "https" : "http";
    String host = request.header("Host");
    if (host != null && isPlainHost(host)) return RequestUrl.ofAuthority(scheme, host, path).withoutQuery();
    InetSocketAddress local = request.localAddress();
    if (local == null) return null;
    String address = local.getAddress() != null ? local.getAddress().getHostAddress() : local.getHostString();
    int zone = address.indexOf('%'); // an IPv6 scope id has no place in a URL
    return RequestUrl.of(scheme, zone < 0 ? address : address.substring(0, zone), local.getPort(), path, null).withoutQuery();
  }

  /**
   * A host name or IPv4 address, or a bracketed IPv6 literal, with an optional port of 1 to 5
   * digits: nothing else of an attacker's Host header goes into the data.
   */
  static boolean isPlainHost(String host) {
    int n = host.length();
    if (n == 0 || n > MAX_HOST_LENGTH) return false;
    int i = 0;
    if (host.charAt(0) == '[') {
      int close = host.indexOf(']');
      if (close < 2) return false;
      for (i = 1; i < close; i++) {
        char c = host.charAt(i);
        if (!(isHex(c) || c == ':' || c == '.')) return false;
      }
      i = close + 1;
    } else {
      while (i < n && (isAlnum(host.charAt(i)) || host.charAt(i) == '.' || host.charAt(i) == '-')) i++;
      if (i == 0) return false;
    }
    if (i == n) return true;
    if (host.charAt(i) != ':' || n - i - 1 < 1 || n - i - 1 > 5) return false;
    for (i++; i < n; i++) if (host.charAt(i) < '0' || host.charAt(i) > '9') return false;
    return true;
  }

  private static boolean isAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /**
   * Whether the {@code Server-Timing} list {@code header} has a metric named {@code name} (compared
   * case-insensitively); commas inside quoted descriptions do not split it. One pass.
   */
  static boolean hasMetric(String header, String name) {
    int n = header.length();
    int i = 0;
    while (i < n) {
      while (i < n && (header.charAt(i) == ' ' || header.charAt(i) == '\t' || header.charAt(i) == ',')) i++;
      if (header.regionMatches(true, i, name, 0, name.length())) {
        int end = i + name.length();
        if (end == n || header.charAt(end) == ';' || header.charAt(end) == ',' || header.charAt(end) == ' ' || header.charAt(end) == '\t') {
          return true;
        }
      }
      // Skip to the next element: the first comma outside a quoted string.
      boolean quoted = false;
      for (; i < n; i++) {
        char c = header.charAt(i);
        if (quoted && c == '\\') i++;
        else if (c == '"') quoted = !quoted;
        else if (c == ',' && !quoted) break;
      }
    }
    return false;
  }

  /**
   * Options for {@link HttpServerHandler}: the server options of every server adapter, checked
   * here once.
   *
   * <pre>{@code
   * HttpServerHandler handler = HttpServerHandler.builder(tracer)
   *     .serverTiming(ServerTimingPolicy.ALL)
   *     .corsAllowHeaders(false)
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private final Tracer tracer;
    private boolean corsAllowHeaders = true;
    private ServerTimingPolicy serverTiming = ServerTimingPolicy.HTML;
    private Function<? super HttpServerRequest, String> transactionName;

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
     * Which responses get the trace in {@code Server-Timing} (default {@link
     * ServerTimingPolicy#HTML}: pages, which is what the browser SDK reads).
     *
     * @throws NullPointerException when {@code policy} is null
     */
    public Builder serverTiming(ServerTimingPolicy policy) {
      this.serverTiming = Objects.requireNonNull(policy, "serverTiming");
      return this;
    }

    /**
     * Names transactions before they start (so a {@code TracesSampler} sees the name), e.g. by
     * route template: the name gets source {@link TransactionNameSource#CUSTOM} and, like every
     * non-URL name, goes into the DSC. The server's own request is {@link
     * HttpServerRequest#unwrap()} (an {@code HttpExchange}, an {@code HttpServletRequest}). A
     * null or empty result, or an exception (logged once), falls back to {@code METHOD /path} with
     * source {@link TransactionNameSource#URL}. Frameworks that match the route later rename the
     * transaction instead ({@link Span#setName(String, TransactionNameSource)}).
     *
     * <pre>{@code
     * .transactionName(request -> {
     *   HttpExchange exchange = (HttpExchange) request.unwrap();
     *   return exchange.getRequestMethod() + " " + exchange.getHttpContext().getPath();
     * })
     * }</pre>
     *
     * @throws NullPointerException when {@code name} is null
     */
    public Builder transactionName(Function<? super HttpServerRequest, String> name) {
      this.transactionName = Objects.requireNonNull(name, "transactionName");
      return this;
    }

    public HttpServerHandler build() {
      return new HttpServerHandler(this);
    }
  }
}
