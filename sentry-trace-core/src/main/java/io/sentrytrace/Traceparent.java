package io.sentrytrace;

/**
 * W3C {@code traceparent}: {@code 00-<trace_id>-<span_id>-<flags>}. Package-private: users see it
 * only through {@link Span#toTraceparent()} and the tracer's options.
 */
final class Traceparent {
  static final String HEADER = "traceparent";

  private static final int TRACE_ID_OFFSET = 3;
  private static final int SPAN_ID_OFFSET = TRACE_ID_OFFSET + TraceId.HEX_LENGTH + 1; // 36
  private static final int FLAGS_OFFSET = SPAN_ID_OFFSET + SpanId.HEX_LENGTH + 1; // 53
  private static final int LENGTH = FLAGS_OFFSET + 2; // 55

  private Traceparent() {}

  /** Formats version 00; a deferred decision is sent as not sampled ({@code 00}), as Sentry does. */
  static String format(TraceId traceId, SpanId spanId, Boolean sampled) {
    return "00-" + traceId.toString() + '-' + spanId.toString() + (Boolean.TRUE.equals(sampled) ? "-01" : "-00");
  }

  /**
   * Parses a {@code traceparent} into the equivalent {@link SentryTrace}, or null when invalid.
   * Versions other than 00 are read by their first 55 chars, as the W3C spec asks.
   */
  static SentryTrace parse(CharSequence value) {
    if (value == null) return null;
    int start = 0;
    int end = value.length();
    while (start < end && Strings.isOws(value.charAt(start))) start++;
    while (end > start && Strings.isOws(value.charAt(end - 1))) end--;
    int length = end - start;
    if (length < LENGTH) return null;
    if (!Hex.isHex(value, start, start + 2)) return null;
    boolean version00 = value.charAt(start) == '0' && value.charAt(start + 1) == '0';
    if (version00 && length != LENGTH) return null;
    if (value.charAt(start) == 'f' && value.charAt(start + 1) == 'f') return null;
    if (!version00 && length > LENGTH && value.charAt(start + LENGTH) != '-') return null;
    if (value.charAt(start + 2) != '-'
        || value.charAt(start + SPAN_ID_OFFSET - 1) != '-'
        || value.charAt(start + FLAGS_OFFSET - 1) != '-') {
      return null;
    }
    for (int i = start; i < start + LENGTH; i++) {
      char c = value.charAt(i);
      if (c >= 'A' && c <= 'F') return null; // W3C: lower case only
    }
    if (!Hex.isHex(value, start + TRACE_ID_OFFSET, start + TRACE_ID_OFFSET + TraceId.HEX_LENGTH)
        || !Hex.isHex(value, start + SPAN_ID_OFFSET, start + SPAN_ID_OFFSET + SpanId.HEX_LENGTH)
        || !Hex.isHex(value, start + FLAGS_OFFSET, start + FLAGS_OFFSET + 2)) {
      return null;
    }
    TraceId traceId = TraceId.parseValid(value, start + TRACE_ID_OFFSET);
    SpanId spanId = SpanId.parseValid(value, start + SPAN_ID_OFFSET);
    if (traceId == null || spanId == null) return null;
    boolean sampled = (Hex.value(value.charAt(start + FLAGS_OFFSET + 1)) & 1) == 1;
    return SentryTrace.of(traceId, spanId, sampled);
  }
}
