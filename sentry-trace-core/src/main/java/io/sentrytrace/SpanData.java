package io.sentrytrace;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A finished span, as exporters see it. Immutable. Made by the tracer, or by {@link #create} for
 * spans recorded elsewhere (an OpenTelemetry bridge).
 *
 * <pre>{@code
 * for (SpanData child : transaction.spans()) System.out.println(child.op() + " " + child.duration());
 * SpanData span = SpanData.create(traceId, spanId, parentId, "db", "SELECT 1", SpanStatus.OK, Map.of(), start, end);
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

  /**
   * A finished span recorded outside this library. {@code data} is copied (insertion order kept;
   * null keys and values left out); {@code parentSpanId}, {@code op}, {@code description} and
   * {@code status} may be null.
   *
   * @throws NullPointerException when an id or a timestamp is null
   * @throws IllegalArgumentException when {@code end} is before {@code start}
   */
  public static SpanData create(
      TraceId traceId,
      SpanId spanId,
      SpanId parentSpanId,
      String op,
      String description,
      SpanStatus status,
      Map<String, ?> data,
      Instant start,
      Instant end) {
    Objects.requireNonNull(traceId, "traceId");
    Objects.requireNonNull(spanId, "spanId");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (end.isBefore(start)) throw new IllegalArgumentException("end " + end + " is before start " + start);
    Map<String, Object> copy = new LinkedHashMap<>();
    if (data != null) {
      for (Map.Entry<String, ?> e : data.entrySet()) {
        if (e.getKey() != null && e.getValue() != null) copy.put(e.getKey(), e.getValue());
      }
    }
    Map<String, Object> d = copy.isEmpty() ? Collections.emptyMap() : Collections.unmodifiableMap(copy);
    return new SpanData(traceId, spanId, parentSpanId, op, description, status, d, start, end);
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
