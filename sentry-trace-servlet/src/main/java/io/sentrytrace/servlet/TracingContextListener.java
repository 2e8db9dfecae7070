package io.sentrytrace.servlet;

import io.sentrytrace.Dsn;
import io.sentrytrace.SpanExporter;
import io.sentrytrace.Tracer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Makes the {@link Tracer} of a {@code web.xml} application and closes it when the application
 * stops, so that a redeploy leaves no thread (and no class loader) behind. It reads the {@code
 * sentry-trace.*} context-params (the names of the Spring Boot starter's properties) or, for a
 * name without a context-param, the environment variable {@code SENTRY_TRACE_…} ({@code
 * sentry-trace.traces-sample-rate}: {@code SENTRY_TRACE_TRACES_SAMPLE_RATE}); with a DSN it also
 * makes an {@code EnvelopeExporter} (module {@code sentry-trace-envelope}, which must then be in
 * the application) that sends the transactions there.
 *
 * <pre>{@code
 * <listener>
 *   <listener-class>io.sentrytrace.servlet.TracingContextListener</listener-class>
 * </listener>
 * <context-param>
 *   <param-name>sentry-trace.traces-sample-rate</param-name>
 *   <param-value>0.2</param-value>
 * </context-param>
 * }</pre>
 *
 * <p>{@code contextInitialized} puts the tracer into the {@code ServletContext} attribute {@value
 * TracingServletFilter#TRACER_ATTRIBUTE}, where a {@link TracingServletFilter} declared in
 * {@code web.xml} finds it (listeners run before filters are initialized), and logs one INFO line
 * saying what it set up. {@code contextDestroyed} (after the filters are destroyed) removes the
 * attribute and closes the tracer: the exporter sends what is queued (up to 5 s) and its threads
 * end.
 *
 * <p>A value that does not parse fails the deployment with a message naming the context-param or
 * environment variable. A {@code sentry-trace.*} context-param this listener does not know is
 * logged at WARNING with the known name closest to it, and so is a DSN without a sample rate (then
 * nothing is recorded, so nothing is sent). A blank value counts as unset.
 */
public final class TracingContextListener implements ServletContextListener {
  /** The prefix of every context-param this listener reads. */
  public static final String PREFIX = "sentry-trace.";
  /** Context-param: the project's DSN; transactions are sent there. */
  public static final String DSN = PREFIX + "dsn";
  /** Context-param: the share of new traces recorded, 0.0 to 1.0; unset: none recorded. */
  public static final String TRACES_SAMPLE_RATE = PREFIX + "traces-sample-rate";
  /** Context-param: the URLs outgoing requests carry trace headers to (one a line, or comma-separated); unset: all. */
  public static final String TRACE_PROPAGATION_TARGETS = PREFIX + "trace-propagation-targets";
  /** Context-param: the release of this service. */
  public static final String RELEASE = PREFIX + "release";
  /** Context-param: the environment, e.g. production. */
  public static final String ENVIRONMENT = PREFIX + "environment";
  /** Context-param: {@code true} also sends W3C {@code traceparent}. */
  public static final String PROPAGATE_TRACEPARENT = PREFIX + "propagate-traceparent";
  /** Context-param: {@code true} continues an incoming {@code traceparent} when there is no {@code sentry-trace}. */
  public static final String CONTINUE_FROM_TRACEPARENT = PREFIX + "continue-from-traceparent";
  /** Context-param: {@code true} refuses incoming traces when only one side has an org id. */
  public static final String STRICT_TRACE_CONTINUATION = PREFIX + "strict-trace-continuation";

  private static final List<String> KNOWN = List.of(DSN, TRACES_SAMPLE_RATE, TRACE_PROPAGATION_TARGETS, RELEASE,
      ENVIRONMENT, PROPAGATE_TRACEPARENT, CONTINUE_FROM_TRACEPARENT, STRICT_TRACE_CONTINUATION);
  /** Spring Boot's names for the filter's options: here they are the filter's init-params. */
  private static final List<String> FILTER_OPTIONS =
      List.of(TracingServletFilter.SERVER_TIMING_PARAM, TracingServletFilter.CORS_ALLOW_HEADERS_PARAM);
  private static final String ENVELOPE_EXPORTER = "io.sentrytrace.envelope.EnvelopeExporter";

  private static final System.Logger LOG = System.getLogger(TracingContextListener.class.getName());

  private final UnaryOperator<String> environment;
  /** The tracer this listener made and closes; null before contextInitialized and after contextDestroyed. */
  private volatile Tracer tracer;

  /** For the container ({@code <listener>} in {@code web.xml}); reads the process environment. */
  public TracingContextListener() {
    this(System::getenv);
  }

  /** For tests: {@code environment} stands for {@link System#getenv(String)}. */
  TracingContextListener(UnaryOperator<String> environment) {
    this.environment = environment;
  }

  /**
   * Makes the tracer (and the exporter, with a DSN) and puts it into the {@code ServletContext}.
   *
   * @throws IllegalArgumentException when a value does not parse, naming it (the deployment fails)
   * @throws IllegalStateException when the attribute already holds something, or a DSN is set
   *     without {@code sentry-trace-envelope} in the application
   */
  @Override
  public void contextInitialized(ServletContextEvent event) {
    ServletContext context = event.getServletContext();
    reportUnknownParams(context);
    Object existing = context.getAttribute(TracingServletFilter.TRACER_ATTRIBUTE);
    if (existing != null) {
      throw new IllegalStateException("TracingContextListener: the ServletContext attribute '"
          + TracingServletFilter.TRACER_ATTRIBUTE + "' already holds a " + existing.getClass().getName()
          + " (another listener set it). Keep one of the two.");
    }
    Settings settings = new Settings(context);
    Dsn dsn = settings.dsn();
    Double rate = settings.sampleRate();
    List<String> targets = settings.targets();
    boolean propagateTraceparent = settings.bool(PROPAGATE_TRACEPARENT);
    boolean continueFromTraceparent = settings.bool(CONTINUE_FROM_TRACEPARENT);
    boolean strict = settings.bool(STRICT_TRACE_CONTINUATION);
    String release = settings.text(RELEASE);
    String environmentName = settings.text(ENVIRONMENT);

    // Everything parsed: only now start the exporter's thread, so that a bad value leaves none.
    SpanExporter exporter = dsn == null ? null : exporter(dsn, settings.source(DSN));
    Tracer.Builder builder = Tracer.builder()
        .tracesSampleRate(rate)
        .release(release)
        .environment(environmentName)
        .propagateTraceparent(propagateTraceparent)
        .continueFromTraceparent(continueFromTraceparent)
        .strictTraceContinuation(strict)
        .exporter(exporter);
    Tracer made;
    try {
      if (dsn != null) builder.dsn(dsn.toString());
      if (targets != null) builder.tracePropagationTargets(targets);
      made = builder.build();
    } catch (RuntimeException e) {
      if (exporter != null) exporter.close();
      throw e;
    }
    tracer = made;
    context.setAttribute(TracingServletFilter.TRACER_ATTRIBUTE, made);
    if (dsn != null && rate == null) {
      LOG.log(Level.WARNING, "sentry-trace: " + settings.source(DSN) + " is set but " + TRACES_SAMPLE_RATE
          + " (or SENTRY_TRACE_TRACES_SAMPLE_RATE) is not: no transaction is recorded, so nothing is sent. Set it to a"
          + " number from 0.0 to 1.0 (0.2 records one trace in five).");
    }
    LOG.log(Level.INFO, describe(context, dsn, rate, targets, release, environmentName));
  }

  /** Removes the attribute and closes the tracer and its exporter (sending what is queued, up to 5 s). */
  @Override
  public void contextDestroyed(ServletContextEvent event) {
    Tracer made = tracer;
    tracer = null;
    if (made == null) return;
    ServletContext context = event.getServletContext();
    if (context.getAttribute(TracingServletFilter.TRACER_ATTRIBUTE) == made) {
      context.removeAttribute(TracingServletFilter.TRACER_ATTRIBUTE);
    }
    made.close();
  }

  /** The envelope module is optional: its classes are touched only when it is there. */
  private static SpanExporter exporter(Dsn dsn, String source) {
    try {
      Class.forName(ENVELOPE_EXPORTER, false, TracingContextListener.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException("TracingContextListener: " + source + " is set, but the module that sends"
          + " transactions to it, sentry-trace-envelope, is not in the web application. Add the dependency"
          + " io.sentrytrace:sentry-trace-envelope (its jar in WEB-INF/lib), or remove " + DSN + ".");
    }
    return EnvelopeSupport.exporter(dsn);
  }

  private static void reportUnknownParams(ServletContext context) {
    for (String name : Collections.list(context.getInitParameterNames())) {
      if (!name.startsWith(PREFIX) || KNOWN.contains(name)) continue;
      String option = name.substring(PREFIX.length());
      if (option.equals("enabled")) {
        LOG.log(Level.WARNING, "sentry-trace: context-param " + name + " is ignored: in web.xml, leave out the listener"
            + " and the filter to switch sentry-trace off.");
      } else if (FILTER_OPTIONS.contains(option)) {
        LOG.log(Level.WARNING, "sentry-trace: context-param " + name + " is ignored: " + option
            + " is an option of the filter here, its init-param " + option + " (<init-param> of TracingServletFilter).");
      } else {
        LOG.log(Level.WARNING, "sentry-trace: unknown context-param " + preview(name) + " is ignored; did you mean "
            + ParamNames.closest(name, KNOWN) + "? Known: " + String.join(", ", KNOWN) + ".");
      }
    }
  }

  private static String describe(
      ServletContext context, Dsn dsn, Double rate, List<String> targets, String release, String environment) {
    String path = context.getContextPath();
    StringBuilder s = new StringBuilder("sentry-trace: web application ").append(path.isEmpty() ? "/" : path)
        .append(": Tracer in the ServletContext attribute ").append(TracingServletFilter.TRACER_ATTRIBUTE).append("; ");
    if (rate == null) {
      s.append("no traces-sample-rate: no transaction recorded (traces still continued and propagated)");
    } else {
      s.append("traces-sample-rate ").append(rate).append(", transactions ")
          .append(dsn == null ? "not sent (no dsn)" : "sent to " + dsn.envelopeUri());
    }
    s.append("; trace headers to ").append(targets == null ? "all URLs" : targets.isEmpty() ? "no URL" : targets.toString());
    if (release != null) s.append("; release ").append(release);
    if (environment != null) s.append("; environment ").append(environment);
    return s.append("; closed when the web application stops").toString();
  }

  /** The values, each from its context-param or else its environment variable; a blank one is unset. */
  private final class Settings {
    private final ServletContext context;

    Settings(ServletContext context) {
      this.context = context;
    }

    /** The value of {@code name}, trimmed; null when unset or blank in both places. */
    String text(String name) {
      String value = context.getInitParameter(name);
      if (value == null || value.isBlank()) value = environment.apply(environmentVariable(name));
      return value == null || value.isBlank() ? null : value.trim();
    }

    /** Where the value of {@code name} comes from, for messages. */
    String source(String name) {
      String value = context.getInitParameter(name);
      return value == null || value.isBlank() ? "the environment variable " + environmentVariable(name) : "context-param " + name;
    }

    Dsn dsn() {
      String value = text(DSN);
      if (value == null) return null;
      try {
        return Dsn.parse(value);
      } catch (IllegalArgumentException e) {
        throw invalid(DSN, "is not a valid Sentry DSN: " + e.getMessage() + ". Set it to the DSN of your Sentry project"
            + " (Settings > Client Keys), https://<public_key>@o<org>.ingest.sentry.io/<project_id>, or remove it: traces"
            + " are then still continued and propagated, but nothing is sent.");
      }
    }

    Double sampleRate() {
      String value = text(TRACES_SAMPLE_RATE);
      if (value == null) return null;
      double rate;
      try {
        rate = Double.parseDouble(value);
      } catch (NumberFormatException e) {
        rate = Double.NaN;
      }
      if (!(rate >= 0.0 && rate <= 1.0)) {
        throw invalid(TRACES_SAMPLE_RATE, "is '" + preview(value) + "', but a sample rate is the share of new traces"
            + " recorded: a number from 0.0 (none) to 1.0 (all), such as 0.2 (one trace in five).");
      }
      return rate;
    }

    /**
     * One target a line when the value has several lines (a regex may then hold commas), else
     * comma-separated; null (every URL) when unset. A target that reads like a regex but is not
     * one fails: the core would take it as a substring that matches nothing.
     */
    List<String> targets() {
      String value = text(TRACE_PROPAGATION_TARGETS);
      if (value == null) return null;
      List<String> targets = new ArrayList<>();
      for (String piece : value.split(value.indexOf('\n') >= 0 ? "\\R" : ",")) {
        String target = piece.trim();
        if (target.isEmpty()) continue;
        if (readsLikeARegex(target)) {
          try {
            Pattern.compile(target);
          } catch (PatternSyntaxException e) {
            throw invalid(TRACE_PROPAGATION_TARGETS, "has '" + preview(target) + "', which reads like a regex but is not"
                + " one: " + e.getDescription() + ". Correct it, or write each target on a line of its own when a regex"
                + " has a comma (a one-line value is split at every comma).");
          }
        }
        targets.add(target);
      }
      return targets;
    }

    boolean bool(String name) {
      String value = text(name);
      if (value == null) return false;
      if (value.equalsIgnoreCase("true")) return true;
      if (value.equalsIgnoreCase("false")) return false;
      throw invalid(name, "is '" + preview(value) + "'; use true or false.");
    }

    private IllegalArgumentException invalid(String name, String problem) {
      return new IllegalArgumentException("TracingContextListener: " + source(name) + " " + problem);
    }
  }

  private static boolean readsLikeARegex(String target) {
    for (int i = 0; i < target.length(); i++) {
      if ("[{(\\^$".indexOf(target.charAt(i)) >= 0) return true;
    }
    return false;
  }

  /** A value as shown in a message: bounded, since it may be anything. */
  static String preview(String value) {
    return value.length() > 100 ? value.substring(0, 100) + "…" : value;
  }

  /** {@code sentry-trace.traces-sample-rate}: {@code SENTRY_TRACE_TRACES_SAMPLE_RATE}, as Spring Boot binds it. */
  static String environmentVariable(String name) {
    return "SENTRY_TRACE_" + name.substring(PREFIX.length()).replace('-', '_').toUpperCase(Locale.ROOT);
  }
}
