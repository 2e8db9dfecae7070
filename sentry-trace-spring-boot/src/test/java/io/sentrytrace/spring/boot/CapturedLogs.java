package io.sentrytrace.spring.boot;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.slf4j.LoggerFactory;

/**
 * What some loggers log while open, kept off the console so a passing test prints nothing: Logback
 * loggers (Spring's own logging) and java.util.logging ones (the core's System.Logger).
 */
final class CapturedLogs implements AutoCloseable {
  /** One captured line: level, logger, message and the message of its exception, if any. */
  record Line(String level, String logger, String message, String thrown) {
    @Override
    public String toString() {
      return level + " " + logger + ": " + message + (thrown == null ? "" : " [" + thrown + "]");
    }
  }

  private final List<Line> lines = new CopyOnWriteArrayList<>();
  private final List<Runnable> restore = new ArrayList<>();

  private CapturedLogs() {}

  /** Captures the Logback loggers {@code logback} and the java.util.logging loggers {@code jul}. */
  static CapturedLogs of(List<String> logback, List<String> jul) {
    CapturedLogs logs = new CapturedLogs();
    for (String name : logback) logs.captureLogback(name);
    for (String name : jul) logs.captureJul(name);
    return logs;
  }

  private void captureLogback(String name) {
    Logger logger = (Logger) LoggerFactory.getLogger(name);
    ListAppender<ILoggingEvent> appender =
        new ListAppender<>() {
          @Override
          protected void append(ILoggingEvent e) {
            lines.add(new Line(e.getLevel().toString(), e.getLoggerName(), e.getFormattedMessage(),
                e.getThrowableProxy() == null ? null : e.getThrowableProxy().getMessage()));
          }
        };
    appender.start();
    Level level = logger.getLevel();
    boolean additive = logger.isAdditive();
    logger.addAppender(appender);
    logger.setAdditive(false);
    logger.setLevel(Level.INFO);
    restore.add(() -> {
      logger.detachAppender(appender);
      logger.setAdditive(additive);
      logger.setLevel(level);
    });
  }

  private void captureJul(String name) {
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            String message = java.text.MessageFormat.format(r.getMessage(), r.getParameters());
            lines.add(new Line(r.getLevel().getName(), r.getLoggerName(), message,
                r.getThrown() == null ? null : r.getThrown().getMessage()));
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    java.util.logging.Level level = logger.getLevel();
    boolean parents = logger.getUseParentHandlers();
    logger.addHandler(handler);
    logger.setUseParentHandlers(false);
    logger.setLevel(java.util.logging.Level.INFO);
    restore.add(() -> {
      logger.removeHandler(handler);
      logger.setUseParentHandlers(parents);
      logger.setLevel(level);
    });
  }

  List<Line> lines() {
    return List.copyOf(lines);
  }

  @Override
  public void close() {
    restore.forEach(Runnable::run);
  }
}
