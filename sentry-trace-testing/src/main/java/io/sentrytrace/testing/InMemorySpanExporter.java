package io.sentrytrace.testing;

import io.sentrytrace.SpanExporter;
import io.sentrytrace.TransactionData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps exported transactions in memory, for tests.
 *
 * <pre>{@code
 * InMemorySpanExporter exporter = new InMemorySpanExporter();
 * Tracer tracer = Tracer.builder().tracesSampleRate(1.0).exporter(exporter).build();
 * // ... finish a transaction ...
 * assertThat(exporter.transactions()).hasSize(1);
 * }</pre>
 */
public final class InMemorySpanExporter implements SpanExporter {
  private final List<TransactionData> transactions = new ArrayList<>();

  @Override
  public synchronized void export(TransactionData transaction) {
    transactions.add(transaction);
    notifyAll();
  }

  /** A copy of what was exported so far. */
  public synchronized List<TransactionData> transactions() {
    return List.copyOf(transactions);
  }

  /**
   * Waits until at least {@code count} transactions were exported, for transactions finished on
   * other threads; returns what is there when the time is up.
   */
  public synchronized List<TransactionData> await(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (transactions.size() < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) break;
      wait(Math.max(1, left / 1_000_000));
    }
    return List.copyOf(transactions);
  }

  /** Forgets what was exported so far. */
  public synchronized void reset() {
    transactions.clear();
  }
}
