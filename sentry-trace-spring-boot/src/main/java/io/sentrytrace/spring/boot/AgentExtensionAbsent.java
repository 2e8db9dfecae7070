package io.sentrytrace.spring.boot;

import io.sentrytrace.internal.OpenTelemetryAgent;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The OpenTelemetry Java agent does not run here with sentry-trace's extension sending to Sentry.
 * When it does, the agent instruments the server and the clients and its spans reach Sentry
 * through the extension, so the starter's filter and interceptors step back: otherwise each
 * request would be sent as two transactions and each call would carry two sets of headers.
 */
final class AgentExtensionAbsent extends SpringBootCondition {
  static final String STEPPED_BACK = "the OpenTelemetry Java agent with sentry-trace's extension traces requests and"
      + " clients (the starter's filter and interceptors step back)";

  @Override
  public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
    return OpenTelemetryAgent.extensionActive()
        ? ConditionOutcome.noMatch(STEPPED_BACK)
        : ConditionOutcome.match("no OpenTelemetry Java agent with sentry-trace's extension");
  }
}
