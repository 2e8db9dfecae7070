package io.sentrytrace;

import java.time.Duration;

/**
 * Receives every finished, sampled transaction. Called on the thread that finished it, so it must
 * return quickly (queue, do not send); an exception it throws is logged and dropped.
 *
 * <pre>{@code
 * Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(tx -> queue.offer(tx)).build();
 * }</pre>
 */
@FunctionalInterface
public interface SpanExporter extends AutoCloseable {
  void export(TransactionData transaction);

  /** Waits until what was exported has been handled; true when it was in time. */
  default boolean flush(Duration timeout) {
    return true;
  }

  /** Flushes and releases resources. */
  @Override
  default void close() {}
}
