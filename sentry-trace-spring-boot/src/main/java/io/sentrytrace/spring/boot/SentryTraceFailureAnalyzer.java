package io.sentrytrace.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a bad {@code sentry-trace.*} value into Spring Boot's start-up report ("APPLICATION FAILED
 * TO START", the property, what is wrong, what to do) instead of a stack trace. Registered in
 * {@code META-INF/spring.factories}; Spring Boot calls it, the application never does.
 *
 * <pre>{@code
 * Description: The property 'sentry-trace.traces-sample-rate' is 1.5: a sample rate is a share of traces.
 * Action: Set sentry-trace.traces-sample-rate to a number from 0.0 to 1.0, ...
 * }</pre>
 */
public final class SentryTraceFailureAnalyzer extends AbstractFailureAnalyzer<InvalidSentryTracePropertyException> {
  /** Created by Spring Boot from {@code META-INF/spring.factories}. */
  public SentryTraceFailureAnalyzer() {}

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, InvalidSentryTracePropertyException cause) {
    return new FailureAnalysis("The property '" + cause.property() + "' " + cause.problem(), cause.action(), cause);
  }
}
