package io.sentrytrace.http;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What a java.util.logging logger and those below it log, kept off the console until closed: for
 * the failures a test provokes on purpose ({@code System.Logger} and Tomcat log through
 * java.util.logging).
 *
 * <pre>{@code
 * try (CapturedLog log = new CapturedLog(HttpServerHandler.class.getName())) { ...; assertThat(log.lines()).... }
 * }</pre>
 */
public final class CapturedLog implements AutoCloseable {
  private final Logger logger;
  private final boolean parentHandlers;
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

  /** Starts capturing what the logger {@code name} (and those below it) logs. */
  public CapturedLog(String name) {
    logger = Logger.getLogger(name);
    parentHandlers = logger.getUseParentHandlers();
    logger.addHandler(handler);
    logger.setUseParentHandlers(false);
  }

  /** Each record as {@code LEVEL message}, with the message of its exception when it has one. */
  public List<String> lines() {
    return records.stream()
        .map(r -> r.getLevel() + " " + r.getMessage() + (r.getThrown() == null ? "" : " / " + r.getThrown()))
        .toList();
  }

  /** The records themselves, in order. */
  public List<LogRecord> records() {
    return List.copyOf(records);
  }

  /** Stops capturing; the logger logs as before. */
  @Override
  public void close() {
    logger.setUseParentHandlers(parentHandlers);
    logger.removeHandler(handler);
  }
}
