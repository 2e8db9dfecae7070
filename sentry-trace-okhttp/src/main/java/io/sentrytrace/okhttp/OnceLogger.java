package io.sentrytrace.okhttp;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Logs an instrumentation failure the first time only: a broken tracer must not flood the user's
 * logs on every request, and one report is enough to find it.
 */
final class OnceLogger {
  private static final System.Logger LOG = System.getLogger(SentryTraceInterceptor.class.getName());

  private final AtomicBoolean failureLogged = new AtomicBoolean();
  private final AtomicBoolean hintLogged = new AtomicBoolean();

  /** A failure inside the instrumentation; the request went on unchanged. */
  void failure(Throwable t) {
    if (failureLogged.compareAndSet(false, true)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "sentry-trace OkHttp instrumentation failed; the request went on unchanged. Later failures are not logged.",
          t);
    }
  }

  /** Advice about the way the interceptor was registered. */
  void hint(String message) {
    if (hintLogged.compareAndSet(false, true)) {
      LOG.log(System.Logger.Level.INFO, message);
    }
  }
}
