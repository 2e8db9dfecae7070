package io.sentrytrace.jdkhttp;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Logs an instrumentation failure: the first at WARNING with its stack trace, the rest at DEBUG, so
 * a bug on a hot path cannot flood the log while the requests themselves go on unchanged.
 */
final class FailureLog {
  private final System.Logger logger;
  private final AtomicBoolean warned = new AtomicBoolean();

  FailureLog(Class<?> owner) {
    this.logger = System.getLogger(owner.getName());
  }

  void failed(String what, Throwable error) {
    try {
      if (warned.compareAndSet(false, true)) {
        logger.log(System.Logger.Level.WARNING, what + " (logged once; further failures at DEBUG)", error);
      } else {
        logger.log(System.Logger.Level.DEBUG, what, error);
      }
    } catch (RuntimeException ignored) {
      // A broken logging backend must not break the request either.
    }
  }
}
