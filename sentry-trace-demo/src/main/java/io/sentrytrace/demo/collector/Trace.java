package io.sentrytrace.demo.collector;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The transactions the collector has received for one trace id, in arrival order. Immutable: the
 * store replaces it when more arrive.
 *
 * <pre>{@code
 * boolean connected = trace.roots().size() == 1;
 * }</pre>
 */
public record Trace(String traceId, List<ReceivedTransaction> transactions, Instant lastReceived) {

  Trace plus(ReceivedTransaction tx) {
    List<ReceivedTransaction> more = new ArrayList<>(transactions);
    more.add(tx);
    return new Trace(traceId, Collections.unmodifiableList(more), tx.receivedAt());
  }

  public Optional<ReceivedTransaction> transaction(Predicate<ReceivedTransaction> which) {
    return transactions.stream().filter(which).findFirst();
  }

  public List<ReceivedTransaction> fromService(String service) {
    List<ReceivedTransaction> out = new ArrayList<>();
    for (ReceivedTransaction tx : transactions) if (service.equals(tx.service())) out.add(tx);
    return out;
  }

  /**
   * The services that sent transactions, in the order their first transaction started (arrival
   * order depends on which exporter flushes first).
   */
  Set<String> services() {
    List<ReceivedTransaction> byStart = new ArrayList<>(transactions);
    byStart.sort(java.util.Comparator.comparing((ReceivedTransaction tx) -> tx.root().start()));
    Set<String> out = new LinkedHashSet<>();
    for (ReceivedTransaction tx : byStart) out.add(tx.service());
    return out;
  }

  /** The span with this id: a transaction's own span or one of its children. */
  Optional<ReceivedSpan> span(String spanId) {
    if (spanId == null) return Optional.empty();
    for (ReceivedTransaction tx : transactions) {
      if (spanId.equals(tx.root().spanId())) return Optional.of(tx.root());
      for (ReceivedSpan s : tx.spans()) if (spanId.equals(s.spanId())) return Optional.of(s);
    }
    return Optional.empty();
  }

  /** The transaction that holds the span with this id (as its own span or a child). */
  Optional<ReceivedTransaction> owner(String spanId) {
    if (spanId == null) return Optional.empty();
    for (ReceivedTransaction tx : transactions) {
      if (spanId.equals(tx.root().spanId())) return Optional.of(tx);
      for (ReceivedSpan s : tx.spans()) if (spanId.equals(s.spanId())) return Optional.of(tx);
    }
    return Optional.empty();
  }

  /** Transactions whose parent span is not in this trace: the head, and any that did not connect. */
  public List<ReceivedTransaction> roots() {
    Set<String> known = new HashSet<>();
    for (ReceivedTransaction tx : transactions) {
      known.add(tx.root().spanId());
      for (ReceivedSpan s : tx.spans()) known.add(s.spanId());
    }
    List<ReceivedTransaction> out = new ArrayList<>();
    for (ReceivedTransaction tx : transactions) {
      if (tx.root().parentSpanId() == null || !known.contains(tx.root().parentSpanId())) out.add(tx);
    }
    return out;
  }

  /** True when every transaction hangs from one head transaction. */
  boolean isConnected() {
    return roots().size() == 1;
  }
}
