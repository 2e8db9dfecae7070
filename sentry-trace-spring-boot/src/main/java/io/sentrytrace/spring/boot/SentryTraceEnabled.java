package io.sentrytrace.spring.boot;

import java.util.Locale;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * {@code sentry-trace.enabled} is true or unset. Unlike {@code @ConditionalOnBooleanProperty},
 * which reads every value but "true" as false, any value other than true or false (in any case)
 * stops start-up: {@code nope}, {@code ture} or {@code yes} would otherwise turn tracing off
 * without a word.
 */
final class SentryTraceEnabled extends SpringBootCondition {
  static final String PROPERTY = SentryTraceProperties.PREFIX + ".enabled";

  @Override
  public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
    String value = context.getEnvironment().getProperty(PROPERTY);
    if (value == null) return ConditionOutcome.match(PROPERTY + " is not set");
    switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "true":
        return ConditionOutcome.match(PROPERTY + " is true");
      case "false":
        return ConditionOutcome.noMatch(PROPERTY + " is false");
      default:
        // Spring Boot wraps this in "Error processing condition on ..."; the analyzer finds it.
        throw new InvalidSentryTracePropertyException(PROPERTY,
            "is \"" + value + "\", but it takes only true or false.",
            "Set " + PROPERTY + " to true (the default, the same as leaving it out) or to false "
                + "(no tracer, filter, interceptor or header at all).", null);
    }
  }
}
