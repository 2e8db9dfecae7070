package io.sentrytrace.spring.boot;

import io.sentrytrace.Dsn;
import io.sentrytrace.PropagationTargets;
import io.sentrytrace.SpanExporter;
import io.sentrytrace.Tracer;
import io.sentrytrace.envelope.EnvelopeExporter;
import io.sentrytrace.internal.OpenTelemetryAgent;
import java.beans.PropertyDescriptor;
import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.BeanUtils;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

/**
 * What sentry-trace logs once the context is refreshed, on the logger {@value #LOGGER}: one INFO
 * line saying what was set up, and a WARN for each setting that would otherwise do nothing
 * without a word: a {@code sentry-trace.*} key no property binds (a typo), and a DSN without a
 * sample rate.
 *
 * <pre>
 * sentry-trace: tracing on (sample rate 0.2); servlet filter with route names; RestClient and RestTemplate traced;
 *   &#64;Async hand-off; transactions to o1.ingest.sentry.io project 2; headers to 3 targets
 * </pre>
 *
 * <p>Unknown keys are found with Spring's own binder ({@link NoUnboundElementsBindHandler}, as
 * {@code @ConfigurationProperties(ignoreUnknownFields = false)} would), so every relaxed form
 * Spring binds (camelCase, underscores, {@code [0]} indexes) counts as known. Environment
 * variables in the {@code SENTRY_TRACE_TRACES_SAMPLE_RATE} form are mapped by Spring to names
 * outside {@code sentry-trace} ({@code sentry.trace.traces.sample.rate}), so they are checked here
 * by the same rule Spring uses to find them: the property's dashed name with {@code -} and {@code
 * .} as {@code _}.
 */
final class SentryTraceStartupReport implements ApplicationListener<ContextRefreshedEvent> {
  /** The logger of every line here. */
  static final String LOGGER = "io.sentrytrace.spring.boot";

  private static final Log LOG = LogFactory.getLog(LOGGER);
  private static final String PREFIX = SentryTraceProperties.PREFIX;
  private static final String RATE = PREFIX + ".traces-sample-rate";
  private static final String FILTER_CLASS = "io.sentrytrace.servlet.TracingServletFilter";
  private static final String REGISTRATION_CLASS = "org.springframework.boot.web.servlet.FilterRegistrationBean";

  /** The dashed names of the properties, by their uniform form (lower case letters and digits only). */
  private static final Map<String, String> KNOWN = knownProperties();

  private final ApplicationContext context;
  private final SentryTraceProperties properties;
  private final AtomicBoolean reported = new AtomicBoolean();

  SentryTraceStartupReport(ApplicationContext context, SentryTraceProperties properties) {
    this.context = context;
    this.properties = properties;
  }

  @Override
  public void onApplicationEvent(ContextRefreshedEvent event) {
    // A child context's events reach the parent's listeners too: report for this context, once.
    if (event.getApplicationContext() != context || !reported.compareAndSet(false, true)) return;
    try {
      report();
    } catch (RuntimeException e) {
      // A report is never worth a failed start.
      LOG.debug("sentry-trace: the start-up report failed", e);
    }
  }

  private void report() {
    if (LOG.isWarnEnabled() && context.getEnvironment() instanceof ConfigurableEnvironment environment) {
      for (String warning : unknownKeys(environment)) LOG.warn(warning);
    }
    Tracer tracer = context.getBeanProvider(Tracer.class).getIfUnique();
    boolean ours = context.containsBean("sentryTraceTracer");
    if (LOG.isInfoEnabled() && tracer != null) LOG.info(summary(tracer, ours));
    if (ours && tracer != null && StringUtils.hasText(properties.getDsn()) && !tracer.isTracingEnabled()) {
      LOG.warn(PREFIX + ".dsn is set but " + RATE + " is not: no transactions will be recorded or sent to Sentry "
          + "(trace headers are still continued and propagated). To record them, set " + RATE
          + " to a number from 0.0 to 1.0 (0.2 records one trace in five; as an environment variable "
          + "SENTRY_TRACE_TRACES_SAMPLE_RATE).");
    }
  }

  // --- the INFO line ------------------------------------------------------------------------------

  /** The one line saying what was set up. */
  String summary(Tracer tracer, boolean ours) {
    List<String> parts = new ArrayList<>();
    String application = ours ? "" : ", the application's Tracer";
    if (tracer.tracesSampleRate() != null) {
      parts.add("tracing on (sample rate " + plain(tracer.tracesSampleRate()) + application + ")");
    } else if (tracer.isTracingEnabled()) {
      parts.add("tracing on (traces sampler" + application + ")");
    } else {
      parts.add("propagation only (no " + RATE + ": no transactions recorded" + application + ")");
    }
    if (OpenTelemetryAgent.extensionActive()) {
      parts.add(AgentExtensionAbsent.STEPPED_BACK);
    } else {
      parts.add(serverSide());
      parts.add(clients());
    }
    if (context.containsBean("sentryTraceTaskDecorator")) parts.add("@Async hand-off");
    if (ours) parts.add(destination(tracer));
    parts.add(headers(tracer, ours));
    return "sentry-trace: " + String.join("; ", parts);
  }

  private String serverSide() {
    if (context.containsBean("sentryTraceFilter")) {
      return context.containsBean("sentryTraceWebMvcConfigurer") ? "servlet filter with route names" : "servlet filter";
    }
    ClassLoader loader = context.getClassLoader();
    if (ClassUtils.isPresent(FILTER_CLASS, loader) && ClassUtils.isPresent(REGISTRATION_CLASS, loader)
        && ServletFilters.present(context)) {
      return "the application's servlet filter";
    }
    return "no servlet filter";
  }

  private String clients() {
    List<String> clients = new ArrayList<>();
    if (context.containsBean("sentryTraceRestClientCustomizer")) clients.add("RestClient");
    if (context.containsBean("sentryTraceRestTemplateCustomizer")) clients.add("RestTemplate");
    return clients.isEmpty() ? "no RestClient or RestTemplate tracing" : String.join(" and ", clients) + " traced";
  }

  /** Where our tracer's transactions go: the DSN's host and project, never its key. */
  private String destination(Tracer tracer) {
    SpanExporter exporter = context.getBeanProvider(SpanExporter.class).getIfUnique();
    Dsn dsn = tracer.dsn();
    if (exporter instanceof EnvelopeExporter && context.containsBean("sentryTraceEnvelopeExporter") && dsn != null) {
      URI uri = dsn.envelopeUri();
      return "transactions to " + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
          + " project " + dsn.projectId();
    }
    if (exporter != null) return "transactions to " + exporter.getClass().getSimpleName();
    return "transactions not sent (no " + PREFIX + ".dsn)";
  }

  private String headers(Tracer tracer, boolean ours) {
    PropagationTargets targets = tracer.propagationTargets();
    if (targets == PropagationTargets.all()) return "headers to every URL";
    if (targets == PropagationTargets.none()) return "headers to no URL";
    List<String> given = ours ? properties.getTracePropagationTargets() : null;
    if (given == null) return "headers to the application's targets";
    return "headers to " + given.size() + (given.size() == 1 ? " target" : " targets");
  }

  private static String plain(double rate) {
    return BigDecimal.valueOf(rate).stripTrailingZeros().toPlainString();
  }

  /** Kept apart so that the servlet classes are loaded only when present. */
  private static final class ServletFilters {
    static boolean present(ListableBeanFactory beans) {
      if (beans.getBeanNamesForType(io.sentrytrace.servlet.TracingServletFilter.class, false, false).length > 0) {
        return true;
      }
      for (org.springframework.boot.web.servlet.FilterRegistrationBean<?> registration :
          beans.getBeansOfType(org.springframework.boot.web.servlet.FilterRegistrationBean.class, false, false).values()) {
        if (registration.getFilter() instanceof io.sentrytrace.servlet.TracingServletFilter) return true;
      }
      return false;
    }
  }

  // --- unknown keys -------------------------------------------------------------------------------

  /** One warning per {@code sentry-trace.*} key that no property takes, in the order of the sources. */
  static List<String> unknownKeys(ConfigurableEnvironment environment) {
    Set<String> warnings = new LinkedHashSet<>();
    for (ConfigurationProperty unbound : unbound(environment)) {
      ConfigurationPropertyName name = unbound.getName();
      PropertySource<?> source = propertySource(unbound);
      boolean variable = source != null && isEnvironmentVariables(source);
      String key = unbound.getOrigin() instanceof PropertySourceOrigin o ? o.getPropertyName() : name.toString();
      List<String> rest = new ArrayList<>();
      for (int i = 1; i < name.getNumberOfElements() && !name.isNumericIndex(i); i++) {
        rest.add(name.getElement(i, Form.UNIFORM));
      }
      warnings.add(unknown(key, where(unbound.getOrigin(), source), String.join("", rest), variable));
    }
    for (PropertySource<?> source : environment.getPropertySources()) {
      if (!(source instanceof EnumerablePropertySource<?> names) || !isEnvironmentVariables(source)) continue;
      for (String key : names.getPropertyNames()) {
        String warning = unknownVariable(key, source);
        if (warning != null) warnings.add(warning);
      }
    }
    return List.copyOf(warnings);
  }

  /**
   * The keys under {@code sentry-trace} that binding a fresh {@link SentryTraceProperties} leaves
   * unbound. When a value does not convert, binding stops before the check and nothing is
   * reported here: the application's own binding fails on it with the property named.
   */
  private static Collection<ConfigurationProperty> unbound(ConfigurableEnvironment environment) {
    try {
      Binder.get(environment).bind(PREFIX, Bindable.of(SentryTraceProperties.class),
          new NoUnboundElementsBindHandler(BindHandler.DEFAULT));
      return List.of();
    } catch (BindException e) {
      return e.getCause() instanceof UnboundConfigurationPropertiesException u ? u.getUnboundProperties() : List.of();
    }
  }

  /**
   * An environment variable in the {@code SENTRY_TRACE_*} form that maps to no property; null when
   * it is one, or not of that form. Spring finds {@code sentry-trace.traces-sample-rate} as {@code
   * SENTRY_TRACE_TRACES_SAMPLE_RATE} (and a list element as {@code ..._0}); the {@code
   * SENTRYTRACE_*} form maps under {@code sentry-trace} and the binder checks it.
   */
  static String unknownVariable(String key, PropertySource<?> source) {
    String[] parts = key.toLowerCase(Locale.ROOT).split("_", -1);
    if (parts.length < 3 || !parts[0].equals("sentry") || !parts[1].equals("trace")) return null;
    List<String> head = new ArrayList<>();
    for (int i = 2; i < parts.length && !isNumber(parts[i]); i++) head.add(parts[i]);
    String dashed = String.join("-", head);
    if (KNOWN.containsValue(dashed)) return null;
    // Other tools share the prefix (this project's own build sets SENTRY_TRACE_REQUIRE_BROWSER): a
    // variable is taken for a typo only when it is near a property, not merely unknown.
    String uniform = String.join("", head);
    if (!nearAProperty(uniform)) return null;
    return unknown(key, where(null, source), uniform, true);
  }

  /** Whether {@code uniform} is a few edits from a known property: up to a quarter of its length, at least 2. */
  static boolean nearAProperty(String uniform) {
    int least = Integer.MAX_VALUE;
    for (String known : KNOWN.keySet()) least = Math.min(least, distance(uniform, known));
    return least <= Math.max(2, uniform.length() / 4);
  }

  private static String unknown(String key, String where, String uniform, boolean variable) {
    String closest = closest(uniform);
    String suggestion = variable
        ? "SENTRY_TRACE_" + closest.replace('-', '_').toUpperCase(Locale.ROOT) + " (" + PREFIX + "." + closest + ")"
        : PREFIX + "." + closest;
    return "sentry-trace: unknown " + (variable ? "environment variable " : "property ") + key + " (" + where
        + ") is ignored; the closest known property is " + suggestion;
  }

  private static String where(Origin origin, PropertySource<?> source) {
    Origin inner = origin instanceof PropertySourceOrigin o ? o.getOrigin() : null;
    if (inner != null) return inner.toString();
    return source == null ? "unknown source" : "property source '" + source.getName() + "'";
  }

  private static PropertySource<?> propertySource(ConfigurationProperty property) {
    if (property.getOrigin() instanceof PropertySourceOrigin o) return o.getPropertySource();
    return property.getSource() != null && property.getSource().getUnderlyingSource() instanceof PropertySource<?> p
        ? p : null;
  }

  /** As Spring Boot tells the environment variables apart from other sources. */
  static boolean isEnvironmentVariables(PropertySource<?> source) {
    String name = source.getName();
    String env = StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME;
    return source instanceof SystemEnvironmentPropertySource || name.equals(env) || name.endsWith("-" + env);
  }

  private static boolean isNumber(String s) {
    if (s.isEmpty()) return false;
    for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
    return true;
  }

  /** The known property nearest to {@code uniform} by edit distance (a swap of two letters counts one). */
  static String closest(String uniform) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (Map.Entry<String, String> known : KNOWN.entrySet()) {
      int d = distance(uniform, known.getKey());
      if (d < bestDistance) {
        best = known.getValue();
        bestDistance = d;
      }
    }
    return best;
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) d[i][0] = i;
    for (int j = 0; j <= b.length(); j++) d[0][j] = j;
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  /** The bound properties of {@link SentryTraceProperties}: a property added there is known here too. */
  private static Map<String, String> knownProperties() {
    Map<String, String> known = new TreeMap<>();
    for (PropertyDescriptor p : BeanUtils.getPropertyDescriptors(SentryTraceProperties.class)) {
      if (p.getWriteMethod() == null) continue;
      String dashed = DataObjectPropertyName.toDashedForm(p.getName());
      known.put(dashed.replace("-", ""), dashed);
    }
    return java.util.Collections.unmodifiableMap(known);
  }
}
