package io.sentrytrace;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Logs one kind of trouble at WARNING the first time and at DEBUG after: a mistake repeated on
 * every request must not flood the log, but the first one must be seen.
 */
final class WarnOnce {
  private final System.Logger log;
  private final AtomicBoolean warned = new AtomicBoolean();

  WarnOnce(System.Logger log) {
    this.log = log;
  }

  /** {@code error} (may be null) is only asked for when the message is logged. */
  void log(Supplier<String> message, Supplier<? extends Throwable> error) {
    try {
      System.Logger.Level level =
          !warned.get() && warned.compareAndSet(false, true) ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG;
      if (!log.isLoggable(level)) return;
      Throwable t = error == null ? null : error.get();
      if (t == null) log.log(level, message);
      else log.log(level, message, t);
    } catch (RuntimeException ignored) {
      // A broken logging backend must not reach the request (this runs inside Scope.close).
    }
  }

  /** Warns again next time (tests). */
  void reset() {
    warned.set(false);
  }
}
