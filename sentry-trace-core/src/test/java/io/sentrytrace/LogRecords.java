package io.sentrytrace;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records what one logger logs (System.Logger goes to java.util.logging when nothing else is
 * installed), at every level, until closed. What it records is not also printed: a test that
 * provokes a warning asserts it instead.
 */
final class LogRecords implements AutoCloseable {
  private final Logger logger;
  private final Level previousLevel;
  private final boolean previousUseParentHandlers;
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
    this.previousUseParentHandlers = logger.getUseParentHandlers();
    logger.setLevel(Level.ALL);
    logger.setUseParentHandlers(false);
    logger.addHandler(handler);
  }

  static LogRecords of(Class<?> loggerClass) {
    return new LogRecords(loggerClass.getName());
  }

  static LogRecords named(String loggerName) {
    return new LogRecords(loggerName);
  }

  /** Each record as {@code LEVEL message}. */
  List<String> lines() {
    return records.stream().map(r -> r.getLevel() + " " + r.getMessage()).toList();
  }

  /** The levels logged so far, in order. */
  List<Level> levels() {
    return records.stream().map(LogRecord::getLevel).toList();
  }

  List<LogRecord> records() {
    return List.copyOf(records);
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
    logger.setLevel(previousLevel);
    logger.setUseParentHandlers(previousUseParentHandlers);
  }
}
