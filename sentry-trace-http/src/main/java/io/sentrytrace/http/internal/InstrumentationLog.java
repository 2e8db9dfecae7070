package io.sentrytrace.http.internal;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Not API: may change without notice.
 *
 * <p>Reports what goes wrong inside an instrumentation without flooding the user's log: the first
 * failure at WARNING with its stack trace, later ones at DEBUG; a hint about the set-up once, at
 * INFO. A broken logging backend is ignored too: the request always goes on unchanged.
 *
 * <pre>{@code
 * private static final InstrumentationLog LOG = InstrumentationLog.of(MyInterceptor.class, "OkHttp");
 * LOG.failed(e);
 * }</pre>
 */
public final class InstrumentationLog {
  private final System.Logger logger;
  private final String what;
  private final AtomicBoolean warned = new AtomicBoolean();
  private final AtomicBoolean hinted = new AtomicBoolean();

  private InstrumentationLog(System.Logger logger, String what) {
    this.logger = logger;
    this.what = what;
  }

  /** A log named after {@code owner}; {@code library} names the instrumented library in messages. */
  public static InstrumentationLog of(Class<?> owner, String library) {
    return new InstrumentationLog(System.getLogger(owner.getName()), library);
  }

  /** A failure inside the instrumentation; the request went on unchanged. */
  public void failed(Throwable error) {
    failed("the request went on unchanged", error);
  }

  /**
   * A failure inside the instrumentation, with what became of the request, e.g. {@code "sent
   * without trace headers"}.
   */
  public void failed(String outcome, Throwable error) {
    try {
      if (warned.compareAndSet(false, true)) {
        logger.log(
            System.Logger.Level.WARNING,
            "sentry-trace " + what + " instrumentation failed; " + outcome + " (logged once; later failures at DEBUG)",
            error);
      } else if (logger.isLoggable(System.Logger.Level.DEBUG)) {
        logger.log(System.Logger.Level.DEBUG, "sentry-trace " + what + " instrumentation failed; " + outcome, error);
      }
    } catch (RuntimeException ignored) {
      // A broken logging backend must not break the request either.
    }
  }

  /** Advice about the way the instrumentation was set up, logged the first time only. */
  public void hint(String message) {
    try {
      if (hinted.compareAndSet(false, true)) logger.log(System.Logger.Level.INFO, message);
    } catch (RuntimeException ignored) {
      // As above.
    }
  }
}
