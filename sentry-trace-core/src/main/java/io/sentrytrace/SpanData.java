package io.sentrytrace;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A finished span, as exporters see it. Immutable.
 *
 * <pre>{@code
 * for (SpanData child : transaction.spans()) System.out.println(child.op() + " " + child.duration());
 * }</pre>
 */
public final class SpanData {
  private final TraceId traceId;
  private final SpanId spanId;
  private final SpanId parentSpanId;
  private final String op;
  private final String description;
  private final SpanStatus status;
  private final Map<String, Object> data;
  private final Instant startTimestamp;
  private final Instant endTimestamp;

  SpanData(
      TraceId traceId,
      SpanId spanId,
      SpanId parentSpanId,
      String op,
      String description,
      SpanStatus status,
      Map<String, Object> data,
      Instant startTimestamp,
      Instant endTimestamp) {
    this.traceId = traceId;
    this.spanId = spanId;
    this.parentSpanId = parentSpanId;
    this.op = op;
    this.description = description;
    this.status = status;
    this.data = data;
    this.startTimestamp = startTimestamp;
    this.endTimestamp = endTimestamp;
  }

  public TraceId traceId() {
    return traceId;
  }

  public SpanId spanId() {
    return spanId;
  }

  /** Null for a transaction that starts a trace. */
  public SpanId parentSpanId() {
    return parentSpanId;
  }

  public String op() {
    return op;
  }

  /** The transaction name for a transaction, the description for a child span; may be null. */
  public String description() {
    return description;
  }

  /** Null when never set. */
  public SpanStatus status() {
    return status;
  }

  /** Unmodifiable, in insertion order. */
  public Map<String, Object> data() {
    return data;
  }

  public Instant startTimestamp() {
    return startTimestamp;
  }

  public Instant endTimestamp() {
    return endTimestamp;
  }

  public Duration duration() {
    return Duration.between(startTimestamp, endTimestamp);
  }

  @Override
  public String toString() {
    return "SpanData{" + op + " '" + description + "' span=" + spanId + " parent=" + parentSpanId
        + " status=" + status + " data=" + data + '}';
  }
}
