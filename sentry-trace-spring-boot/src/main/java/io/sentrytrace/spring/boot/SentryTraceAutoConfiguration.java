package io.sentrytrace.spring.boot;

import io.sentrytrace.Dsn;
import io.sentrytrace.SpanExporter;
import io.sentrytrace.Tracer;
import io.sentrytrace.envelope.EnvelopeExporter;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
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
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = SentryTraceProperties.PREFIX + ".enabled", matchIfMissing = true)
@EnableConfigurationProperties(SentryTraceProperties.class)
public class SentryTraceAutoConfiguration {
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

  /** The tracer the properties describe; a bad value throws {@link InvalidSentryTracePropertyException}. */
  static Tracer tracer(SentryTraceProperties properties, SpanExporter exporter) {
    Tracer.Builder builder = Tracer.builder();
    Dsn dsn = dsn(properties);
    if (dsn != null) builder.dsn(dsn.toString());
    builder.tracesSampleRate(sampleRate(properties));
    List<String> targets = properties.getTracePropagationTargets();
    if (targets != null) builder.tracePropagationTargets(targets);
    return builder
        .release(properties.getRelease())
        .environment(properties.getEnvironment())
        .propagateTraceparent(properties.isPropagateTraceparent())
        .continueFromTraceparent(properties.isContinueFromTraceparent())
        .strictTraceContinuation(properties.isStrictTraceContinuation())
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
