package io.sentrytrace.opentelemetry;

import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.sentrytrace.Tracer;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code sentry-trace.*} options as OpenTelemetry's {@link ConfigProperties} give them (system
 * properties, {@code SENTRY_TRACE_*} environment variables, the SDK's config file), read in one
 * place for every provider of this module: the propagator, the exporter and the auto-configuration
 * read the same keys with the same checks.
 */
final class SentryTraceConfig {
  static final String DSN = "sentry-trace.dsn";
  static final String TRACES_SAMPLE_RATE = "sentry-trace.traces-sample-rate";
  static final String TARGETS = "sentry-trace.trace-propagation-targets";
  static final String DEBUG = "sentry-trace.debug";

  private SentryTraceConfig() {}

  /** True when a DSN is set: the auto-configuration then sets up the exporter. */
  static boolean hasDsn(ConfigProperties config) {
    String dsn = config.getString(DSN);
    return dsn != null && !dsn.isBlank();
  }

  /**
   * The tracer whose options the propagator, the exporter and the sampler use, from the {@code
   * sentry-trace.*} properties.
   *
   * @throws ConfigurationException for a bad value, naming its property
   */
  static Tracer tracer(ConfigProperties config) {
    Tracer.Builder builder = Tracer.builder();
    try {
      String dsn = config.getString(DSN);
      if (dsn != null && !dsn.isBlank()) builder.dsn(dsn);
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(DSN + ": " + e.getMessage(), e);
    }
    builder.release(config.getString("sentry-trace.release"));
    builder.environment(config.getString("sentry-trace.environment"));
    try {
      builder.tracesSampleRate(config.getDouble(TRACES_SAMPLE_RATE));
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(TRACES_SAMPLE_RATE + ": " + e.getMessage(), e);
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

}
