package io.sentrytrace.demo.collector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The collector's memory: traces by id, bounded, oldest dropped first. Thread-safe.
 *
 * <pre>{@code
 * Optional<Trace> trace = collector.store().await(traceId, t -> t.transactions().size() == 5, Duration.ofSeconds(20));
 * }</pre>
 */
public final class TraceStore {
  static final int MAX_TRACES = 200;
  static final int MAX_TRANSACTIONS_PER_TRACE = 500;

  private final Map<String, Trace> traces = new LinkedHashMap<>(); // guarded by this

  synchronized void add(ReceivedTransaction tx) {
    Trace trace = traces.remove(tx.traceId()); // re-inserted last: most recently active
    if (trace == null) trace = new Trace(tx.traceId(), Collections.emptyList(), tx.receivedAt());
    if (trace.transactions().size() < MAX_TRANSACTIONS_PER_TRACE) trace = trace.plus(tx);
    traces.put(tx.traceId(), trace);
    if (traces.size() > MAX_TRACES) {
      Iterator<String> oldest = traces.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    notifyAll();
  }

  synchronized Optional<Trace> trace(String traceId) {
    return Optional.ofNullable(traces.get(traceId));
  }

  /** All traces, most recently active first. */
  synchronized List<Trace> traces() {
    List<Trace> out = new ArrayList<>(traces.values());
    Collections.reverse(out);
    return out;
  }

  /**
   * Waits until the trace satisfies {@code done}, at most {@code timeout}; returns the trace as it
   * then is (satisfying or not), or empty when nothing of it arrived.
   */
  public synchronized Optional<Trace> await(String traceId, Predicate<Trace> done, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Trace trace = traces.get(traceId);
      if (trace != null && done.test(trace)) return Optional.of(trace);
      long left = deadline - System.nanoTime();
      if (left <= 0) return Optional.ofNullable(trace);
      long millis = Math.max(1, left / 1_000_000);
      wait(millis);
    }
  }
}
