package io.sentrytrace.load;

import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Counts what one of our loggers says (System.Logger goes to java.util.logging here) and keeps it
 * off the console while the soak runs: the first WARNING and the DEBUG records after it.
 */
final class LogCounter extends Handler implements AutoCloseable {
  private final Logger logger;
  private final Level oldLevel;
  private final boolean oldUseParent;
  final AtomicLong warnings = new AtomicLong();
  final AtomicLong debug = new AtomicLong();
  volatile String firstWarning;

  LogCounter(String name) {
    logger = Logger.getLogger(name);
    oldLevel = logger.getLevel();
    oldUseParent = logger.getUseParentHandlers();
    logger.setLevel(Level.ALL);
    logger.setUseParentHandlers(false);
    logger.addHandler(this);
  }

  @Override
  public void publish(LogRecord record) {
    if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
      if (warnings.incrementAndGet() == 1) firstWarning = text(record);
    } else {
      debug.incrementAndGet();
    }
  }

  /** The message as written: a supplied message is not a pattern (it may hold braces). */
  private static String text(LogRecord record) {
    Object[] parameters = record.getParameters();
    if (parameters == null || parameters.length == 0) return record.getMessage();
    try {
      return java.text.MessageFormat.format(record.getMessage(), parameters);
    } catch (IllegalArgumentException e) {
      return record.getMessage();
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
    logger.setLevel(oldLevel);
    logger.setUseParentHandlers(oldUseParent);
  }

  @Override
  public String toString() {
    return warnings.get() + " at WARNING, " + debug.get() + " below";
  }
}
