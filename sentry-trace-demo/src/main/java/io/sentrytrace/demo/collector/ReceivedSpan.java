package io.sentrytrace.demo.collector;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * A span as read from a received transaction event: the transaction's own span ({@code
 * contexts.trace}) or one of its {@code spans}. Timestamps may be missing (null) in bad input.
 *
 * <pre>{@code
 * Duration took = transaction.root().duration();
 * }</pre>
 */
public record ReceivedSpan(
    String traceId,
    String spanId,
    String parentSpanId,
    String op,
    String description,
    String status,
    Instant start,
    Instant end) {

  Duration duration() {
    return start == null || end == null ? Duration.ZERO : Duration.between(start, end);
  }

  /** A span of the event's {@code spans} array. */
  static ReceivedSpan fromChild(Map<String, Object> span, String defaultTraceId) {
    String traceId = Envelope.string(span, "trace_id");
    return new ReceivedSpan(
        traceId == null ? defaultTraceId : traceId,
        Envelope.string(span, "span_id"),
        Envelope.string(span, "parent_span_id"),
        Envelope.string(span, "op"),
        Envelope.string(span, "description"),
        Envelope.string(span, "status"),
        timestamp(span.get("start_timestamp")),
        timestamp(span.get("timestamp")));
  }

  /** Sentry timestamps: seconds since the epoch as a number, or an RFC 3339 string. */
  static Instant timestamp(Object value) {
    if (value instanceof Number) {
      double seconds = ((Number) value).doubleValue();
      if (!Double.isFinite(seconds)) return null;
      long whole = (long) Math.floor(seconds);
      return Instant.ofEpochSecond(whole, Math.round((seconds - whole) * 1_000_000_000L));
    }
    if (value instanceof String) {
      try {
        return OffsetDateTime.parse((String) value).toInstant();
      } catch (DateTimeParseException e) {
        try {
          return Instant.parse(value + "Z"); // naive UTC, as some SDKs write it
        } catch (DateTimeParseException e2) {
          return null;
        }
      }
    }
    return null;
  }
}
