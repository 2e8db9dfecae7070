package io.sentrytrace.opentelemetry;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What a class logs through {@code System.Logger} (java.util.logging underneath), at every level,
 * kept off the console until closed: a test asserts the lines it provokes.
 */
final class CapturedLog implements AutoCloseable {
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

  CapturedLog(Class<?> owner) {
    this(owner.getName());
  }

  CapturedLog(String name) {
    logger = Logger.getLogger(name);
    previousLevel = logger.getLevel();
    previousUseParent = logger.getUseParentHandlers();
    logger.setLevel(Level.ALL);
    logger.setUseParentHandlers(false);
    logger.addHandler(handler);
  }

  List<LogRecord> records() {
    return List.copyOf(records);
  }

  /** Each record as {@code LEVEL message}. */
  List<String> lines() {
    return records.stream().map(r -> r.getLevel() + " " + r.getMessage()).toList();
  }

  /** The records at {@code level} or above. */
  List<LogRecord> atLeast(Level level) {
    return records.stream().filter(r -> r.getLevel().intValue() >= level.intValue()).toList();
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
    logger.setUseParentHandlers(previousUseParent);
    logger.setLevel(previousLevel);
  }
}
