package io.sentrytrace.spring.boot;

/** A {@code sentry-trace.*} property with a value the tracer cannot use; {@link SentryTraceFailureAnalyzer} explains it. */
final class InvalidSentryTracePropertyException extends RuntimeException {
  private final String property;
  private final String problem;
  private final String action;

  InvalidSentryTracePropertyException(String property, String problem, String action, Throwable cause) {
    super(property + " " + problem, cause);
    this.property = property;
    this.problem = problem;
    this.action = action;
  }

  /** The full name, e.g. {@code sentry-trace.dsn}. */
  String property() {
    return property;
  }

  /** What is wrong, after the property's name: {@code "is 1.5: ..."}. */
  String problem() {
    return problem;
  }

  String action() {
    return action;
  }
}
