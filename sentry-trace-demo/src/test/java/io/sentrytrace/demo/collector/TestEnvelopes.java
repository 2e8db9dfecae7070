package io.sentrytrace.demo.collector;

import io.sentrytrace.demo.web.Html;
import java.time.Instant;
import java.util.List;

/** Hand-written transaction envelopes, as an SDK would send them, for collector tests. */
final class TestEnvelopes {
  private TestEnvelopes() {}

  /** A child span for {@link #transaction}. */
  record Child(String spanId, String parentSpanId, String op, String description) {}

  /** A one-item transaction envelope; every string is written as a JSON string literal, escaped. */
  static String transaction(String release, String traceId, String spanId, String parentSpanId, String op, String name,
      List<Child> children) {
    double start = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond();
    StringBuilder spans = new StringBuilder();
    for (Child c : children) {
      if (spans.length() > 0) spans.append(',');
      spans.append("{\"trace_id\":").append(Html.jsString(traceId))
          .append(",\"span_id\":").append(Html.jsString(c.spanId()))
          .append(",\"parent_span_id\":").append(Html.jsString(c.parentSpanId()))
          .append(",\"op\":").append(Html.jsString(c.op()))
          .append(",\"description\":").append(Html.jsString(c.description()))
          .append(",\"status\":\"ok\",\"start_timestamp\":").append(start + 0.010)
          .append(",\"timestamp\":").append(start + 0.020).append('}');
    }
    return "{\"event_id\":\"0123456789abcdef0123456789abcdef\",\"trace\":{\"trace_id\":" + Html.jsString(traceId)
        + ",\"release\":" + Html.jsString(release) + "}}\n"
        + "{\"type\":\"transaction\"}\n"
        + "{\"type\":\"transaction\",\"transaction\":" + Html.jsString(name)
        + ",\"release\":" + Html.jsString(release)
        + ",\"start_timestamp\":" + start + ",\"timestamp\":" + (start + 0.050)
        + ",\"contexts\":{\"trace\":{\"trace_id\":" + Html.jsString(traceId) + ",\"span_id\":" + Html.jsString(spanId)
        + (parentSpanId == null ? "" : ",\"parent_span_id\":" + Html.jsString(parentSpanId))
        + ",\"op\":" + Html.jsString(op) + ",\"status\":\"ok\"}}"
        + ",\"spans\":[" + spans + "]}\n";
  }
}
