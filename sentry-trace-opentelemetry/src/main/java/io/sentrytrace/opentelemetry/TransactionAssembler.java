package io.sentrytrace.opentelemetry;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.sentrytrace.Baggage;
import io.sentrytrace.SpanId;
import io.sentrytrace.TraceId;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Groups finished OpenTelemetry spans into transactions. A local root (no parent, or a remote one)
 * becomes a transaction with every descendant that finished before it. Children usually finish
 * first, so they wait for their root; a span whose parent was already sent (it finished after its
 * transaction) becomes a transaction of its own, in the same trace under that parent, with the
 * same DSC. Waiting is bounded: at most {@code maxWaiting} spans, none longer than {@code
 * maxWaitNanos} (checked as spans arrive and by {@link #expire}, which the exporter runs on a
 * timer); spans pushed out are counted as dropped. Not thread-safe: the exporter synchronizes.
 */
final class TransactionAssembler {
  /** Sentry drops spans past 1000 per transaction; so do we. */
  static final int MAX_CHILDREN = 1000;

  private final Tracer tracer;
  private final int maxWaiting;
  private final long maxWaitNanos;
  private final LongSupplier nanoTime;

  /** Spans waiting for their root, oldest first, by span id. */
  private final LinkedHashMap<String, Waiting> waiting = new LinkedHashMap<>();
  /** The same spans by parent span id. */
  private final Map<String, List<Waiting>> byParent = new LinkedHashMap<>();
  /** Span ids already sent (recent ones), each with its transaction's DSC, for late children. */
  private final LinkedHashMap<String, Baggage> sent;
  private long dropped;

  TransactionAssembler(
      Tracer tracer, int maxWaiting, long maxWaitNanos, LongSupplier nanoTime) {
    this.tracer = tracer;
    this.maxWaiting = maxWaiting;
    this.maxWaitNanos = maxWaitNanos;
    this.nanoTime = nanoTime;
    int maxSent = Math.max(1024, 4 * maxWaiting);
    this.sent =
        new LinkedHashMap<>() {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Baggage> eldest) {
            return size() > maxSent;
          }
        };
  }

  /** Adds finished spans; what became complete transactions is added to {@code out}. */
  void add(SpanData span, List<TransactionData> out) {
    long now = nanoTime.getAsLong();
    SpanContext parent = span.getParentSpanContext();
    if (!parent.isValid() || parent.isRemote()) {
      out.add(transaction(span, dscOfRoot(span)));
    } else if (sent.containsKey(parent.getSpanId())) {
      out.add(transaction(span, sent.get(parent.getSpanId())));
    } else {
      Waiting w = new Waiting(span, now);
      waiting.put(span.getSpanContext().getSpanId(), w);
      byParent.computeIfAbsent(parent.getSpanId(), k -> new ArrayList<>(2)).add(w);
    }
    evict(now);
  }

  /** Spans still waiting for their root. */
  int waitingCount() {
    return waiting.size();
  }

  long droppedCount() {
    return dropped;
  }

  /**
   * Drops the spans that waited {@code maxWait} or longer, and returns the nanos until the oldest
   * left will have waited that long (-1 when none waits): the exporter's timer runs this then, so a
   * quiet service drops them too, not only one that keeps finishing spans.
   */
  long expire() {
    long now = nanoTime.getAsLong();
    evict(now);
    if (waiting.isEmpty()) return -1;
    return Math.max(0, waiting.values().iterator().next().arrivedNanos + maxWaitNanos - now);
  }

  /** Gives up on every waiting span (shutdown): they are counted as dropped. */
  void dropAll() {
    dropped += waiting.size();
    waiting.clear();
    byParent.clear();
  }

  private void evict(long now) {
    Iterator<Waiting> oldest = waiting.values().iterator();
    while (oldest.hasNext()) {
      Waiting w = oldest.next();
      if (waiting.size() <= maxWaiting && now - w.arrivedNanos < maxWaitNanos) break;
      oldest.remove();
      String parentId = w.span.getParentSpanContext().getSpanId();
      List<Waiting> siblings = byParent.get(parentId);
      if (siblings != null) {
        siblings.remove(w);
        if (siblings.isEmpty()) byParent.remove(parentId);
      }
      dropped++;
    }
  }

  private Baggage dscOfRoot(SpanData root) {
    String incoming = root.getAttributes().get(SpanMapping.SENTRY_BAGGAGE);
    if (incoming != null) return Baggage.parse(incoming);
    String traceId = root.getTraceId();
    return tracer.headDynamicSamplingContext(
        TraceId.fromHex(traceId), TraceIdSampleRand.of(traceId), root.getSpanContext().isSampled());
  }

  private TransactionData transaction(SpanData root, Baggage dsc) {
    List<SpanData> descendants = new ArrayList<>();
    ArrayDeque<String> parents = new ArrayDeque<>();
    parents.add(root.getSpanContext().getSpanId());
    while (!parents.isEmpty()) {
      List<Waiting> children = byParent.remove(parents.poll());
      if (children == null) continue;
      for (Waiting child : children) {
        String id = child.span.getSpanContext().getSpanId();
        waiting.remove(id);
        descendants.add(child.span);
        parents.add(id);
      }
    }
    sent.put(root.getSpanContext().getSpanId(), dsc);
    List<io.sentrytrace.SpanData> spans = new ArrayList<>(Math.min(descendants.size(), MAX_CHILDREN));
    for (SpanData d : descendants) {
      sent.put(d.getSpanContext().getSpanId(), dsc);
      if (spans.size() < MAX_CHILDREN) spans.add(convert(d, SpanMapping.of(d)));
      else dropped++;
    }
    SpanMapping rootMapping = SpanMapping.of(root);
    TransactionData tx = TransactionData.create(
        rootMapping.description, rootMapping.source, convert(root, rootMapping), spans, dsc, tracer.release(), tracer.environment());
    // The envelope exporter reports sent or dropped to the tracer's decision log.
    return tracer.decisionLog().isEnabled() ? tx.withDecisionLog(tracer.decisionLog()) : tx;
  }

  private static io.sentrytrace.SpanData convert(SpanData span, SpanMapping m) {
    SpanContext parent = span.getParentSpanContext();
    return io.sentrytrace.SpanData.create(
        TraceId.fromHex(span.getTraceId()),
        SpanId.fromHex(span.getSpanId()),
        parent.isValid() ? SpanId.fromHex(parent.getSpanId()) : null,
        m.op,
        m.description,
        m.status,
        m.data,
        instant(span.getStartEpochNanos()),
        instant(Math.max(span.getStartEpochNanos(), span.getEndEpochNanos())));
  }

  private static Instant instant(long epochNanos) {
    return Instant.ofEpochSecond(0, epochNanos);
  }

  private static final class Waiting {
    final SpanData span;
    final long arrivedNanos;

    Waiting(SpanData span, long arrivedNanos) {
      this.span = span;
      this.arrivedNanos = arrivedNanos;
    }
  }
}
