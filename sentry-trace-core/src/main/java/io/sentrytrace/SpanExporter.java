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

  /**
   * Hears of {@code quantity} items of {@code category} discarded for {@code reason} before they
   * reached {@link #export}, so that an exporter can tell Sentry (its "client reports"). The tracer
   * calls it when a transaction it traced finishes unsampled: {@code ("sample_rate", "transaction", 1)}
   * and {@code ("sample_rate", "span", 1)} (an unsampled transaction records no child spans, so its
   * own span is the one counted). Called on the thread that finished the transaction: it must
   * return quickly; an exception it throws is dropped. Does nothing by default.
   *
   * @param reason a client-report discard reason, such as {@code sample_rate}
   * @param category a data category, such as {@code transaction} or {@code span}
   * @param quantity how many; positive
   */
  default void onDiscarded(String reason, String category, long quantity) {}

  /** Waits until what was exported has been handled; true when it was in time. */
  default boolean flush(Duration timeout) {
    return true;
  }

  /** Flushes and releases resources. */
  @Override
  default void close() {}
}
