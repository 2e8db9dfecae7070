package io.sentrytrace.opentelemetry;

import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurablePropagatorProvider;
import io.sentrytrace.Tracer;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Makes {@link SentryTracePropagator} available by the name {@code sentry-trace} to the SDK's
 * autoconfigure and to the Java agent (this module's {@code -agent} jar as an extension). Options
 * are read from {@code sentry-trace.*} system properties or {@code SENTRY_TRACE_*} environment
 * variables: {@code dsn}, {@code release}, {@code environment}, {@code traces-sample-rate}, {@code
 * trace-propagation-targets} (comma-separated, {@code \,} for a comma inside one; absent: all URLs,
 * empty: none), {@code strict-trace-continuation} and {@code debug} ({@code true} logs every
 * propagation decision with its reason on the logger {@code io.sentrytrace.decisions} at INFO, see
 * {@link io.sentrytrace.DecisionLog}). A bad value fails the SDK's start with a message naming it.
 *
 * <pre>{@code
 * java -Dotel.propagators=tracecontext,baggage,sentry-trace \
 *      -Dsentry-trace.dsn=https://public@o1.ingest.sentry.io/2 -Dsentry-trace.release=shop@1.4.0 -jar app.jar
 * }</pre>
 */
public final class SentryTracePropagatorProvider implements ConfigurablePropagatorProvider {
  private static final System.Logger LOG = System.getLogger(SentryTracePropagatorProvider.class.getName());
  private static final String TARGETS = "sentry-trace.trace-propagation-targets";
  private static final String DEBUG = "sentry-trace.debug";
  /** The name in {@code otel.propagators}. */
  public static final String NAME = "sentry-trace";

  /** For {@link java.util.ServiceLoader}. */
  public SentryTracePropagatorProvider() {}

  @Override
  public String getName() {
    return NAME;
  }

  @Override
  public TextMapPropagator getPropagator(ConfigProperties config) {
    warnWhenBaggageComesLater(config.getList("otel.propagators"));
    return SentryTracePropagator.create(tracer(config));
  }

  /** The tracer whose options the propagator uses, from the {@code sentry-trace.*} properties. */
  static Tracer tracer(ConfigProperties config) {
    Tracer.Builder builder = Tracer.builder();
    try {
      String dsn = config.getString("sentry-trace.dsn");
      if (dsn != null && !dsn.isBlank()) builder.dsn(dsn);
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("sentry-trace.dsn: " + e.getMessage(), e);
    }
    builder.release(config.getString("sentry-trace.release"));
    builder.environment(config.getString("sentry-trace.environment"));
    try {
      builder.tracesSampleRate(config.getDouble("sentry-trace.traces-sample-rate"));
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("sentry-trace.traces-sample-rate: " + e.getMessage(), e);
    }
    String targets = config.getString(TARGETS);
    if (targets != null) builder.tracePropagationTargets(splitTargets(targets));
    builder.strictTraceContinuation(config.getBoolean("sentry-trace.strict-trace-continuation", false));
    builder.debug(config.getBoolean(DEBUG, false));
    return builder.build();
  }

  /**
   * Comma-separated targets, trimmed; empty entries left out, so an empty value means none. A comma
   * inside a target (a regex's {@code {2,8}}) is written {@code \,}. A target that reads like a
   * regex but does not compile is a mistake, most likely a regex cut at an unescaped comma: it
   * fails the start naming the property, instead of matching as a substring that never matches.
   *
   * @throws ConfigurationException for such a target
   */
  static List<String> splitTargets(String value) {
    List<String> targets = new ArrayList<>();
    StringBuilder target = new StringBuilder();
    for (int i = 0; i <= value.length(); i++) {
      char c = i < value.length() ? value.charAt(i) : ',';
      if (c == '\\' && i + 1 < value.length() && value.charAt(i + 1) == ',') {
        target.append(',');
        i++;
      } else if (c == ',') {
        String t = target.toString().trim();
        if (!t.isEmpty()) targets.add(checked(t, targets.size()));
        target.setLength(0);
      } else {
        target.append(c);
      }
    }
    return targets;
  }

  private static String checked(String target, int index) {
    if (!readsLikeARegex(target)) return target;
    try {
      Pattern.compile(target);
      return target;
    } catch (PatternSyntaxException e) {
      throw new ConfigurationException(
          TARGETS + ": target " + index + " \"" + target + "\" reads like a regex but does not compile ("
              + e.getDescription() + "). Targets are separated by commas; write a comma inside a target as \\,"
              + " (e.g. ^https://[a-z]{2\\,8}\\.example\\.com/.*)");
    }
  }

  /** Chars that start a regex construct: a plain host or URL part has none of them. */
  private static boolean readsLikeARegex(String target) {
    for (int i = 0; i < target.length(); i++) {
      if ("[{(\\^$".indexOf(target.charAt(i)) >= 0) return true;
    }
    return false;
  }

  /**
   * The propagator listed last writes the {@code baggage} header that stays: after ours, W3C
   * baggage would replace the DSC of traces this service starts.
   */
  private static void warnWhenBaggageComesLater(List<String> propagators) {
    int ours = propagators.indexOf(NAME);
    int baggage = propagators.indexOf("baggage");
    if (ours >= 0 && baggage > ours) {
      LOG.log(System.Logger.Level.WARNING,
          "otel.propagators lists baggage after sentry-trace: the W3C baggage propagator then replaces the"
              + " Sentry members of outgoing baggage headers; list sentry-trace after baggage");
    }
  }
}
