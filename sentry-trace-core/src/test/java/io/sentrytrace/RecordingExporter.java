package io.sentrytrace;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps exported transactions for core's own tests: sentry-trace-testing's InMemorySpanExporter
 * depends on core, so core's tests cannot use it.
 */
final class RecordingExporter implements SpanExporter {
  private final List<TransactionData> transactions = new ArrayList<>();

  @Override
  public synchronized void export(TransactionData transaction) {
    transactions.add(transaction);
    notifyAll();
  }

  synchronized List<TransactionData> transactions() {
    return List.copyOf(transactions);
  }

  /** Waits until at least {@code count} transactions were exported or the time is up. */
  synchronized List<TransactionData> await(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (transactions.size() < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) break;
      wait(Math.max(1, left / 1_000_000));
    }
    return List.copyOf(transactions);
  }

  synchronized void reset() {
    transactions.clear();
  }
}
