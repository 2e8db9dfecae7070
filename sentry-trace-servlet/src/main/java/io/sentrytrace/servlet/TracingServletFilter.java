package io.sentrytrace.servlet;

import io.sentrytrace.Scope;
import io.sentrytrace.Span;
import io.sentrytrace.Tracer;
import io.sentrytrace.http.HttpServerHandler;
import io.sentrytrace.http.ServerTimingPolicy;
import io.sentrytrace.http.internal.InstrumentationLog;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A Jakarta Servlet (6.0+) filter that continues the trace of each incoming request and records it
 * as an {@code http.server} transaction, in Tomcat, Jetty or any other servlet container.
 *
 * <pre>{@code
 * FilterRegistration.Dynamic sentry = servletContext.addFilter("sentry-trace", TracingServletFilter.create(tracer));
 * sentry.setAsyncSupported(true);
 * sentry.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC), false, "/*");
 * // in a servlet, JSP or template:
 * Span tx = (Span) request.getAttribute(TracingServletFilter.SPAN_ATTRIBUTE);   // or tracer.currentSpan()
 * String head = "<head>" + MetaTags.render(tx) + "</head>";
 * }</pre>
 *
 * <p>Server options (Server-Timing, CORS help, transaction names) are {@link HttpServerHandler}'s,
 * set once on its builder: {@code TracingServletFilter.create(HttpServerHandler.builder(tracer)
 * .serverTiming(ServerTimingPolicy.ALL).build())}. A transaction name function gets the
 * container's {@code HttpServletRequest} from {@link io.sentrytrace.http.HttpServerRequest#unwrap()}.
 *
 * <p>The rules are {@link HttpServerHandler}'s, the same for every sentry-trace server adapter: the
 * filter continues the trace of the incoming {@code sentry-trace} and {@code baggage} headers (and
 * {@code traceparent} when the tracer continues from it; missing, invalid or refused headers start
 * a new trace: bad headers never fail the request), starts a transaction named {@code METHOD
 * /path} (the request URI without path parameters such as {@code ;jsessionid=…}; source {@code
 * url}, so the raw path stays out of the DSC) with op {@code http.server}, and makes it current on
 * the request thread while the rest of the chain runs, so {@link Tracer#currentSpan()} and traced
 * clients see it as the parent. A framework that knows the route renames it: {@code
 * tx.setName("GET /orders/{id}", TransactionNameSource.ROUTE)}.
 *
 * <p><b>Status.</b> The transaction finishes with the final response status, {@code sendError}'s
 * included. An exception out of the chain marks it {@code internal_error} (status 500 when the
 * response was not committed yet) and is rethrown unchanged. A client that goes away while the
 * page is written is no error of the service: when a write or flush of the body stream (or {@code
 * flushBuffer}) throws an {@link IOException}, or the container reports an I/O error of an async
 * request after its response was committed, the transaction is {@code cancelled}, with the status
 * that was sent, whether the app rethrew the failure or not. (The container's writer keeps its
 * failures from the app: a page written with {@code getWriter()} then finishes with its status.)
 *
 * <p><b>Asynchronous requests.</b> When the chain put the request into async mode ({@code
 * request.startAsync()}, as Spring's {@code Callable} and {@code DeferredResult} do), the
 * transaction finishes when the async request completes, times out or fails (an {@code
 * AsyncListener}), with the status of the completed response, not when the filter returns. The
 * transaction is current only on the threads the container runs the request on; work you hand to
 * other threads keeps it as the parent when you wrap it: {@code asyncContext.start(tracer.wrap(task))}
 * or {@code tracer.wrap(executor)}. Register the filter for {@code ASYNC} dispatches too (and with
 * {@code asyncSupported}): an async dispatch (Spring rendering a {@code DeferredResult}) then runs
 * with the transaction current and its response gets the {@code Server-Timing} header.
 *
 * <p><b>One transaction per request.</b> Only a {@code REQUEST} dispatch starts one; the request
 * holds it under {@link #SPAN_ATTRIBUTE}. Forwards, includes, async and error dispatches, and this
 * filter registered twice, find it there and start none (they make it current again and pass on).
 *
 * <p><b>Server-Timing</b> ({@link HttpServerHandler.Builder#serverTiming}, default {@link
 * ServerTimingPolicy#HTML}):
 * right before an HTML response is committed (its first written byte, a flush, {@code sendError},
 * {@code sendRedirect}, or the end of the chain), {@code Server-Timing} gets {@code
 * sentry-trace;desc="…", baggage;desc="…"} after the app's own metrics, unless the app already put
 * it there. {@code @sentry/browser} continues the trace from it when a page has no meta tags. A
 * response already committed is left alone. Pages written in async work get it too: the {@code
 * AsyncContext} of {@code request.startAsync()} hands out the filter's response (not the
 * container's own, past this filter) and adds the header before {@code complete()} commits; so does
 * a page written to the response of {@code startAsync(request, response)} or rendered in an async
 * dispatch. A page written to the container's response unwrapped by the app gets none.
 *
 * <p><b>CORS</b> ({@link HttpServerHandler.Builder#corsAllowHeaders}, on by default): on a
 * preflight ({@code OPTIONS} with {@code Access-Control-Request-Method}) that the app (or a CORS filter registered after this
 * one) answers with CORS headers, {@code sentry-trace} and {@code baggage} are merged into its
 * {@code Access-Control-Allow-Headers} before the answer is committed, each name once. A preflight
 * the app answers without CORS headers is left alone; preflights get no transaction.
 *
 * <p><b>Registration from {@code web.xml}.</b> The container creates the filter with its public
 * no-arg constructor; {@link #init} then takes the {@link Tracer} from the {@code ServletContext}
 * attribute {@value #TRACER_ATTRIBUTE} (another attribute name with the init-param {@value
 * #TRACER_ATTRIBUTE_PARAM}), which a {@code ServletContextListener} sets in {@code
 * contextInitialized} (listeners run before filters are initialized). The init-params {@value
 * #SERVER_TIMING_PARAM} ({@code OFF}, {@code HTML}, {@code ALL}) and {@value
 * #CORS_ALLOW_HEADERS_PARAM} ({@code true}, {@code false}) set the options; a filter made with
 * {@link #create} ignores init-params. A missing tracer, a bad value or an
 * init-param it does not know (a typo such as {@code cors-allow-header}) fails {@code init} with a
 * message that says what to fix. {@link TracingContextListener} sets the attribute from {@code
 * sentry-trace.*} context-params and closes the tracer when the web application stops.
 *
 * <p>Failures inside the filter never fail a request: they are logged once via {@link
 * System.Logger} and the request is passed on untraced.
 */
public final class TracingServletFilter implements Filter {
  /**
   * The request attribute that holds the request's transaction ({@link Span}); read-only. The same
   * key as every server adapter's: {@link HttpServerHandler#SPAN_ATTRIBUTE}.
   */
  public static final String SPAN_ATTRIBUTE = HttpServerHandler.SPAN_ATTRIBUTE;

  /** The default {@code ServletContext} attribute under which a {@code web.xml}-made filter finds its {@link Tracer}. */
  public static final String TRACER_ATTRIBUTE = "io.sentrytrace.Tracer";

  /** Init-param: the name of the {@code ServletContext} attribute holding the {@link Tracer}. */
  public static final String TRACER_ATTRIBUTE_PARAM = "tracer-attribute";

  /** Init-param: {@code OFF}, {@code HTML} or {@code ALL} ({@link ServerTimingPolicy}). */
  public static final String SERVER_TIMING_PARAM = "server-timing";

  /** Init-param: {@code true} or {@code false} ({@link HttpServerHandler.Builder#corsAllowHeaders}). */
  public static final String CORS_ALLOW_HEADERS_PARAM = "cors-allow-headers";

  /** Every init-param a {@code web.xml}-made filter reads; any other fails {@link #init}. */
  private static final List<String> INIT_PARAMS = List.of(TRACER_ATTRIBUTE_PARAM, SERVER_TIMING_PARAM, CORS_ALLOW_HEADERS_PARAM);

  /** Marks a preflight this filter already helps, so a second registration does not wrap it again. */
  private static final String PREFLIGHT_ATTRIBUTE = TracingServletFilter.class.getName() + ".preflight";

  static final InstrumentationLog LOG = InstrumentationLog.of(TracingServletFilter.class, "Servlet");

  /** Set at construction ({@link #create}) or by {@link #init} (web.xml). */
  private volatile HttpServerHandler handler;

  /**
   * For {@code web.xml} and containers that instantiate filters by class name: the filter takes its
   * {@link Tracer} from the {@code ServletContext} in {@link #init}. In code, use {@link
   * #create(Tracer)} or {@link #create(HttpServerHandler)}.
   */
  public TracingServletFilter() {}

  private TracingServletFilter(HttpServerHandler handler) {
    this.handler = handler;
  }

  /**
   * The filter with the default server options.
   *
   * @throws NullPointerException when {@code tracer} is null
   */
  public static TracingServletFilter create(Tracer tracer) {
    return create(HttpServerHandler.create(tracer));
  }

  /**
   * The filter with the server options of {@code handler} ({@link HttpServerHandler#builder}).
   *
   * @throws NullPointerException when {@code handler} is null
   */
  public static TracingServletFilter create(HttpServerHandler handler) {
    return new TracingServletFilter(Objects.requireNonNull(handler, "handler"));
  }

  /**
   * For a filter made with the no-arg constructor ({@code web.xml}): finds the tracer and reads the
   * options (see the class documentation). Does nothing for a filter made in code.
   *
   * @throws ServletException when the {@code ServletContext} holds no {@link Tracer} under the
   *     attribute, an init-param has a value it does not know, or the filter has an init-param it
   *     does not know
   */
  @Override
  public void init(FilterConfig config) throws ServletException {
    if (handler != null) return;
    rejectUnknownParams(config);
    String attribute = param(config, TRACER_ATTRIBUTE_PARAM, TRACER_ATTRIBUTE);
    Object tracer = config.getServletContext().getAttribute(attribute);
    if (!(tracer instanceof Tracer)) {
      throw new ServletException("TracingServletFilter '" + config.getFilterName() + "': the ServletContext attribute '"
          + attribute + "' holds " + (tracer == null ? "nothing" : "a " + tracer.getClass().getName())
          + ", not an io.sentrytrace.Tracer. Declare the listener " + TracingContextListener.class.getName()
          + " in web.xml (it makes the Tracer from sentry-trace.* context-params and closes it on undeploy),"
          + " set it in your own ServletContextListener's contextInitialized"
          + " (servletContext.setAttribute(TracingServletFilter.TRACER_ATTRIBUTE, tracer)), or register"
          + " TracingServletFilter.create(tracer) with ServletContext.addFilter instead.");
    }
    HttpServerHandler.Builder options = HttpServerHandler.builder((Tracer) tracer);
    String timing = param(config, SERVER_TIMING_PARAM, null);
    if (timing != null) {
      try {
        options.serverTiming(ServerTimingPolicy.valueOf(timing.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new ServletException("TracingServletFilter '" + config.getFilterName() + "': init-param "
            + SERVER_TIMING_PARAM + " is '" + timing + "'; use OFF, HTML or ALL.");
      }
    }
    String cors = param(config, CORS_ALLOW_HEADERS_PARAM, null);
    if (cors != null) {
      if (!cors.equalsIgnoreCase("true") && !cors.equalsIgnoreCase("false")) {
        throw new ServletException("TracingServletFilter '" + config.getFilterName() + "': init-param "
            + CORS_ALLOW_HEADERS_PARAM + " is '" + cors + "'; use true or false.");
      }
      options.corsAllowHeaders(Boolean.parseBoolean(cors.toLowerCase(Locale.ROOT)));
    }
    handler = options.build();
  }

  /**
   * A misspelt init-param ({@code cors-allow-header}) would leave its option at the default without
   * a word, so it fails deployment like a bad value does: the developer who wrote it is there to
   * fix it, and nothing half-configured runs.
   */
  private static void rejectUnknownParams(FilterConfig config) throws ServletException {
    Enumeration<String> names = config.getInitParameterNames();
    while (names != null && names.hasMoreElements()) {
      String name = names.nextElement();
      if (INIT_PARAMS.contains(name)) continue;
      String shown = name.length() > 100 ? name.substring(0, 100) + "…" : name;
      throw new ServletException("TracingServletFilter '" + config.getFilterName() + "': unknown init-param '" + shown
          + "' (did you mean " + ParamNames.closest(name, INIT_PARAMS) + "?). Its init-params are "
          + String.join(", ", INIT_PARAMS) + (name.startsWith(TracingContextListener.PREFIX)
              ? "; the " + TracingContextListener.PREFIX + "* settings are context-params, read by TracingContextListener."
              : "."));
    }
  }

  private static String param(FilterConfig config, String name, String fallback) {
    String value = config.getInitParameter(name);
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
    HttpServerHandler handler = this.handler;
    if (handler == null || !(req instanceof HttpServletRequest) || !(res instanceof HttpServletResponse)) {
      if (handler == null) LOG.hint("TracingServletFilter was used before init(): requests pass untraced");
      chain.doFilter(req, res);
      return;
    }
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;

    Span transaction = null;
    TracedResponse traced = null;
    try {
      Object existing = request.getAttribute(SPAN_ATTRIBUTE);
      if (existing instanceof Span) {
        // A forward, include, async or error dispatch, or this filter registered twice.
        redispatch(request, response, chain, (Span) existing, handler);
        return;
      }
      if (request.getDispatcherType() == DispatcherType.REQUEST && request.getAttribute(PREFLIGHT_ATTRIBUTE) == null) {
        ServletRequestAdapter adapted = new ServletRequestAdapter(request);
        if (handler.isPreflight(adapted)) {
          request.setAttribute(PREFLIGHT_ATTRIBUTE, Boolean.TRUE);
          traced = new TracedResponse(response, null, handler); // CORS help only, no transaction
        } else {
          transaction = handler.start(adapted);
          if (transaction != null) {
            request.setAttribute(SPAN_ATTRIBUTE, transaction);
            traced = new TracedResponse(response, transaction, handler);
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.failed(e);
      transaction = null; // never finished: nothing is exported for a request passed on untraced
      traced = null;
    }
    if (traced == null) {
      chain.doFilter(req, res);
    } else if (transaction == null) {
      chain.doFilter(req, traced);
      if (!request.isAsyncStarted()) traced.beforeCommit();
    } else {
      traceRequest(request, response, traced, chain, transaction, handler);
    }
  }

  @SuppressWarnings("try") // the scope is used for its close()
  private static void traceRequest(
      HttpServletRequest request, HttpServletResponse response, TracedResponse traced, FilterChain chain, Span transaction,
      HttpServerHandler handler) throws IOException, ServletException {
    Throwable failure = null;
    try (Scope scope = transaction.makeCurrent()) {
      chain.doFilter(new TracedRequest(request, traced), traced);
    } catch (Throwable t) {
      failure = t;
      throw t;
    } finally {
      if (failure != null) {
        handler.finish(transaction, response.isCommitted() ? response.getStatus() : 500, failure, traced.writeFailure());
      } else if (!finishesLater(request, response, traced, transaction, handler)) {
        traced.beforeCommit(); // nothing committed it yet: the container will, after this filter returns
        handler.finish(transaction, response.getStatus(), null, traced.writeFailure());
      }
    }
  }

  /**
   * Whether the request went async and the transaction will finish when it completes (a listener
   * is registered). False when it did not, or when it completed meanwhile.
   */
  private static boolean finishesLater(
      HttpServletRequest request, HttpServletResponse response, TracedResponse traced, Span transaction, HttpServerHandler handler) {
    try {
      if (!request.isAsyncStarted()) return false;
      AsyncContext async = request.getAsyncContext();
      async.addListener(new AsyncCompletion(transaction, response, traced, handler));
      return true;
    } catch (IllegalStateException completedMeanwhile) {
      return false;
    } catch (RuntimeException e) {
      LOG.failed(e);
      return false;
    }
  }

  /** A dispatch of a request that already has its transaction: make it current again and pass on. */
  @SuppressWarnings("try")
  private static void redispatch(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain, Span transaction, HttpServerHandler handler)
      throws IOException, ServletException {
    // An async dispatch gets the container's own response, not the wrapper of the first dispatch.
    TracedResponse traced = request.getDispatcherType() == DispatcherType.ASYNC && !transaction.isFinished()
        ? new TracedResponse(response, transaction, handler)
        : null;
    try (Scope scope = transaction.makeCurrent()) {
      if (traced == null) chain.doFilter(request, response);
      else chain.doFilter(new TracedRequest(request, traced), traced);
    }
    if (traced != null && !request.isAsyncStarted()) traced.beforeCommit();
  }

  @Override
  public void destroy() {}
}
