package io.sentrytrace.test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Records what a java.util.logging logger and those below it log, until closed ({@code
 * System.Logger} goes to java.util.logging when nothing else is installed; Tomcat logs there too).
 * What it records is not also printed: a test that provokes a warning asserts it instead, and a
 * passing run prints nothing.
 *
 * <pre>{@code
 * try (LogRecords log = LogRecords.of(Tracer.class)) { ...; assertThat(log.lines()).containsExactly(...); }
 * }</pre>
 */
public final class LogRecords implements AutoCloseable {
  private static final SimpleFormatter FORMATTER = new SimpleFormatter();

  private final Logger logger;
  private final boolean setsLevel;
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

  private LogRecords(String name, Level level, boolean setsLevel) {
    this.logger = Logger.getLogger(name);
    this.setsLevel = setsLevel;
    this.previousLevel = logger.getLevel();
    this.previousUseParentHandlers = logger.getUseParentHandlers();
    if (setsLevel) logger.setLevel(level);
    logger.setUseParentHandlers(false);
    logger.addHandler(handler);
  }

  /** What the logger named after {@code loggerClass} logs, at every level. */
  public static LogRecords of(Class<?> loggerClass) {
    return named(loggerClass.getName());
  }

  /** What the logger {@code name} and those below it log, at every level. */
  public static LogRecords named(String name) {
    return named(name, Level.ALL);
  }

  /** What the logger {@code name} and those below it log at {@code level} and above. */
  public static LogRecords named(String name, Level level) {
    return new LogRecords(name, level, true);
  }

  /**
   * What the logger {@code name} and those below it log at the levels they are set to: for a wide
   * logger ({@code "org.apache"}, {@code "io.sentrytrace"}), where every level would be a flood of
   * debug records, or would add the decision log's lines to what a test asserts.
   */
  public static LogRecords asConfigured(String name) {
    return new LogRecords(name, null, false);
  }

  /** The records themselves, in order. */
  public List<LogRecord> records() {
    return List.copyOf(records);
  }

  /** The levels logged so far, in order. */
  public List<Level> levels() {
    return records.stream().map(LogRecord::getLevel).toList();
  }

  /**
   * Each record as {@code LEVEL message}, the message formatted as a handler prints it, followed by
   * {@code " / "} and its exception when it has one.
   */
  public List<String> lines() {
    return records.stream()
        .map(r -> r.getLevel() + " " + message(r) + (r.getThrown() == null ? "" : " / " + r.getThrown()))
        .toList();
  }

  /** The messages logged at {@code level} or above, formatted as a handler prints them. */
  public List<String> atLeast(Level level) {
    return records.stream()
        .filter(r -> r.getLevel().intValue() >= level.intValue())
        .map(LogRecords::message)
        .toList();
  }

  private static String message(LogRecord record) {
    return FORMATTER.formatMessage(record);
  }

  /** Stops recording; the logger logs as before. */
  @Override
  public void close() {
    logger.removeHandler(handler);
    if (setsLevel) logger.setLevel(previousLevel);
    logger.setUseParentHandlers(previousUseParentHandlers);
  }
}
