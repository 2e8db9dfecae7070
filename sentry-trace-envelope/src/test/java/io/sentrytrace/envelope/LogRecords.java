package io.sentrytrace.envelope;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records what one logger logs (System.Logger goes to java.util.logging when nothing else is
 * installed), at every level, instead of printing it, until closed.
 */
final class LogRecords implements AutoCloseable {
  private final Logger logger;
  private final Level previousLevel;
  private final boolean previousUseParent;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  private LogRecords(String name) {
    this.logger = Logger.getLogger(name);
    this.previousLevel = logger.getLevel();
    this.previousUseParent = logger.getUseParentHandlers();
    logger.setLevel(Level.ALL);
    logger.setUseParentHandlers(false);
    logger.addHandler(handler);
  }

  static LogRecords of(Class<?> loggerClass) {
    return new LogRecords(loggerClass.getName());
  }

  /** The messages logged at {@code level} or above, formatted. */
  List<String> atLeast(Level level) {
    return records.stream()
        .filter(r -> r.getLevel().intValue() >= level.intValue())
        .map(r -> new java.util.logging.SimpleFormatter().formatMessage(r))
        .toList();
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
    logger.setUseParentHandlers(previousUseParent);
    logger.setLevel(previousLevel);
  }
}
