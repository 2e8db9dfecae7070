package io.sentrytrace.spring.boot;

import io.sentrytrace.Dsn;
import io.sentrytrace.SpanExporter;
import io.sentrytrace.Tracer;
import io.sentrytrace.envelope.EnvelopeExporter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * The {@link Tracer}, the {@link EnvelopeExporter} (when {@code sentry-trace.dsn} is set) and a
 * {@link TaskDecorator} that hands the current trace to Spring's task executor, from the {@code
 * sentry-trace.*} properties ({@link SentryTraceProperties}). Each bean backs off when the
 * application defines its own; {@code sentry-trace.enabled=false} turns all of it off.
 *
 * <pre>{@code
 * @Bean   // an application's own tracer replaces the auto-configured one
 * Tracer tracer() { return Tracer.builder().tracesSampleRate(1.0).build(); }
 * }</pre>
 *
 * <p>The tracer is closed when the context closes: it closes its exporter, which sends what is
 * still queued (up to its close timeout) first.
 *
 * <p>Once the context is refreshed, the logger {@code io.sentrytrace.spring.boot} says in one INFO
 * line what was set up, and warns about a {@code sentry-trace.*} key no property takes (naming the
 * closest one) and about a DSN without a sample rate.
 */
@AutoConfiguration
@Conditional(SentryTraceEnabled.class)
@EnableConfigurationProperties(SentryTraceProperties.class)
public class SentryTraceAutoConfiguration {
  private static final String TARGETS = SentryTraceProperties.PREFIX + ".trace-propagation-targets";

  /** Created by Spring Boot's auto-configuration. */
  public SentryTraceAutoConfiguration() {}

  /**
   * Sends finished transactions to the DSN's project. Spring closes it with the context; Spring's
   * own shutdown hook closes the context, so the exporter registers no hook of its own.
   */
  @Bean
  @ConditionalOnMissingBean(SpanExporter.class)
  @Conditional(DsnSet.class)
  EnvelopeExporter sentryTraceEnvelopeExporter(SentryTraceProperties properties) {
    return EnvelopeExporter.builder(dsn(properties)).shutdownHook(false).build();
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  Tracer sentryTraceTracer(SentryTraceProperties properties, ObjectProvider<SpanExporter> exporter) {
    return tracer(properties, exporter.getIfUnique());
  }

  /**
   * Boot applies every {@code TaskDecorator} bean to its auto-configured executor (several are
   * composed), so {@code @Async} methods and {@code CompletableFuture}s on it run under the
   * submitter's span. Backs off only for a bean of the same name: an application's own decorators
   * are composed with it.
   */
  @Bean
  @ConditionalOnMissingBean(name = "sentryTraceTaskDecorator")
  TaskDecorator sentryTraceTaskDecorator(Tracer tracer) {
    return tracer::wrap;
  }

  /**
   * Logs, once the context is refreshed, one INFO line saying what was set up and a WARN for each
   * unknown {@code sentry-trace.*} key and for a DSN without a sample rate.
   */
  @Bean
  SentryTraceStartupReport sentryTraceStartupReport(ApplicationContext context, SentryTraceProperties properties) {
    return new SentryTraceStartupReport(context, properties);
  }

  /** The tracer the properties describe; a bad value throws {@link InvalidSentryTracePropertyException}. */
  static Tracer tracer(SentryTraceProperties properties, SpanExporter exporter) {
    Tracer.Builder builder = Tracer.builder();
    Dsn dsn = dsn(properties);
    if (dsn != null) builder.dsn(dsn.toString());
    builder.tracesSampleRate(sampleRate(properties));
    List<String> targets = targets(properties);
    if (targets != null) builder.tracePropagationTargets(targets);
    return builder
        .release(properties.getRelease())
        .environment(properties.getEnvironment())
        .propagateTraceparent(properties.isPropagateTraceparent())
        .continueFromTraceparent(properties.isContinueFromTraceparent())
        .strictTraceContinuation(properties.isStrictTraceContinuation())
        .debug(properties.isDebug())
        .exporter(exporter)
        .build();
  }

  /** The parsed DSN; null when none is set. */
  static Dsn dsn(SentryTraceProperties properties) {
    String dsn = properties.getDsn();
    if (!StringUtils.hasText(dsn)) return null;
    try {
      return Dsn.parse(dsn);
    } catch (IllegalArgumentException e) {
      throw new InvalidSentryTracePropertyException(SentryTraceProperties.PREFIX + ".dsn",
          "is not a valid Sentry DSN: " + e.getMessage(),
          "Set sentry-trace.dsn to the DSN of your Sentry project (Settings > Client Keys), of the form "
              + "https://<public_key>@o<org>.ingest.sentry.io/<project_id>, or remove it: traces are then "
              + "still continued and propagated, but nothing is sent to Sentry.", e);
    }
  }

  private static Double sampleRate(SentryTraceProperties properties) {
    Double rate = properties.getTracesSampleRate();
    if (rate != null && !(rate >= 0.0 && rate <= 1.0)) {
      throw new InvalidSentryTracePropertyException(SentryTraceProperties.PREFIX + ".traces-sample-rate",
          "is " + rate + ", but a sample rate is the share of new traces recorded: a number from 0.0 (none) to 1.0 (all).",
          "Set sentry-trace.traces-sample-rate to a number from 0.0 to 1.0 (0.2 records one trace in five), "
              + "or remove it to record no transactions while still propagating traces.", null);
    }
    return rate;
  }

  /**
   * The targets as bound; one that reads like a regex but does not compile throws. Spring Boot
   * binds {@code a,b} to a list at every comma, commas in {@code {2,8}}, {@code [,;]} or {@code
   * (a,b)} too, and the core would take each broken piece as a substring that matches nothing: a
   * silent miss. A piece without any of [ { ( \ ^ $ stays a substring target, as in the core.
   */
  static List<String> targets(SentryTraceProperties properties) {
    List<String> targets = properties.getTracePropagationTargets();
    if (targets == null) return null;
    for (int i = 0; i < targets.size(); i++) {
      String target = targets.get(i);
      PatternSyntaxException error = regexError(target);
      if (error == null || !readsLikeARegex(target)) continue;
      List<String> rejoined = rejoined(targets);
      if (rejoined == null) throw notARegex(target, i, error, targets);
      throw splitAtCommas(target, error, String.join(",", targets.subList(i, wholeUntil(targets, i))), rejoined);
    }
    return targets;
  }

  private static InvalidSentryTracePropertyException splitAtCommas(
      String piece, PatternSyntaxException error, String whole, List<String> rejoined) {
    return new InvalidSentryTracePropertyException(TARGETS,
        "was split at commas: \"" + piece + "\" is not a valid regex (" + describe(error) + "), but \""
            + whole + "\" is. Spring Boot reads a comma-separated value as a list, commas inside a regex too.",
        "Give each target its own index, so that none is split:" + indexed(rejoined), null);
  }

  private static InvalidSentryTracePropertyException notARegex(
      String target, int index, PatternSyntaxException error, List<String> targets) {
    return new InvalidSentryTracePropertyException(TARGETS,
        "has \"" + target + "\" at [" + index + "], which reads like a regex but is not one: " + describe(error) + ".",
        "Correct the regex (java.util.regex syntax), or, to match a part of the URL as it is, write it without any of "
            + "[ { ( \\ ^ $. A value with a comma is split into several targets: give each target its own index, "
            + "so that none is split:" + indexed(targets), null);
  }

  /**
   * The list with each piece that reads like a regex but does not compile joined (with commas) to
   * the pieces after it, up to the first join that compiles; null when there is no such join.
   */
  private static List<String> rejoined(List<String> pieces) {
    List<String> whole = new ArrayList<>();
    for (int i = 0; i < pieces.size(); ) {
      int end = regexError(pieces.get(i)) != null && readsLikeARegex(pieces.get(i)) ? wholeUntil(pieces, i) : i + 1;
      if (end < 0) return null;
      whole.add(String.join(",", pieces.subList(i, end)));
      i = end;
    }
    return whole;
  }

  /** The end (exclusive) of the shortest run of pieces from {@code start} whose join compiles; -1 if none. */
  private static int wholeUntil(List<String> pieces, int start) {
    String joined = pieces.get(start);
    for (int end = start + 1; end <= pieces.size(); end++) {
      if (end > start + 1) joined += "," + pieces.get(end - 1);
      if (regexError(joined) == null) return end;
    }
    return -1;
  }

  /** The targets as application.properties lines and as an application.yaml list. */
  private static String indexed(List<String> targets) {
    StringBuilder text = new StringBuilder("\n\n  # application.properties\n");
    for (int i = 0; i < targets.size(); i++) {
      // In a .properties file a backslash escapes the next char: a regex's \. is written \\.
      text.append("  ").append(TARGETS).append('[').append(i).append("]=")
          .append(targets.get(i).replace("\\", "\\\\")).append('\n');
    }
    text.append("\n  # application.yaml\n  sentry-trace:\n    trace-propagation-targets:");
    // Single-quoted YAML keeps backslashes as they are; a quote is doubled.
    for (String t : targets) text.append("\n      - '").append(t.replace("'", "''")).append('\'');
    return text.toString();
  }

  private static boolean readsLikeARegex(String target) {
    for (int i = 0; i < target.length(); i++) {
      if ("[{(\\^$".indexOf(target.charAt(i)) >= 0) return true;
    }
    return false;
  }

  /** Why {@code target} does not compile as a regex; null when it does. */
  private static PatternSyntaxException regexError(String target) {
    try {
      Pattern.compile(target);
      return null;
    } catch (PatternSyntaxException e) {
      return e;
    }
  }

  private static String describe(PatternSyntaxException e) {
    return e.getIndex() < 0 ? e.getDescription() : e.getDescription() + " near index " + e.getIndex();
  }

  /** {@code sentry-trace.dsn} has text: a blank value counts as unset. */
  static final class DsnSet extends SpringBootCondition {
    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
      return StringUtils.hasText(context.getEnvironment().getProperty(SentryTraceProperties.PREFIX + ".dsn"))
          ? ConditionOutcome.match("sentry-trace.dsn is set")
          : ConditionOutcome.noMatch("sentry-trace.dsn is not set");
    }
  }
}
