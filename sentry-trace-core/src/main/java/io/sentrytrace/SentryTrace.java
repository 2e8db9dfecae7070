package io.sentrytrace;

import java.util.Objects;
import java.util.Optional;

/**
 * The value of Sentry's {@code sentry-trace} header: {@code <trace_id>-<span_id>[-<0|1>]}.
 * Immutable.
 *
 * <pre>{@code
 * Optional<SentryTrace> incoming = SentryTrace.parse(request.header(SentryTrace.HEADER));
 * String outgoing = SentryTrace.of(TraceId.random(), SpanId.random(), true).toString();
 * }</pre>
 */
public final class SentryTrace {
  /** The header name. */
  public static final String HEADER = "sentry-trace";

  private static final int TRACE_ID_OFFSET = 0;
  private static final int SPAN_ID_OFFSET = TraceId.HEX_LENGTH + 1;
  private static final int FLAG_OFFSET = SPAN_ID_OFFSET + SpanId.HEX_LENGTH + 1;
  private static final int LENGTH_DEFERRED = SPAN_ID_OFFSET + SpanId.HEX_LENGTH; // 49
  private static final int LENGTH_SAMPLED = FLAG_OFFSET + 1; // 51

  private final TraceId traceId;
  private final SpanId spanId;
  private final Boolean sampled;

  private SentryTrace(TraceId traceId, SpanId spanId, Boolean sampled) {
    this.traceId = traceId;
    this.spanId = spanId;
    this.sampled = sampled;
  }

  /** A header value for these ids; {@code sampled} null means the decision is deferred. */
  public static SentryTrace of(TraceId traceId, SpanId spanId, Boolean sampled) {
    return new SentryTrace(
        Objects.requireNonNull(traceId, "traceId"), Objects.requireNonNull(spanId, "spanId"), sampled);
  }

  /**
   * Parses a header value. Spaces and tabs around it are ignored and upper-case hex is accepted;
   * anything else that is not exactly {@code <32 hex>-<16 hex>[-0|-1]} with non-zero ids gives an
   * empty result. Never throws, never logs: {@link Tracer#continueTrace} logs rejected headers.
   */
  public static Optional<SentryTrace> parse(CharSequence value) {
    if (value == null) return Optional.empty();
    int start = Strings.skipOws(value, 0, value.length());
    int end = Strings.trimOws(value, start, value.length());
    int length = end - start;
    if (length != LENGTH_DEFERRED && length != LENGTH_SAMPLED) return Optional.empty();
    if (value.charAt(start + SPAN_ID_OFFSET - 1) != '-') return Optional.empty();
    Boolean sampled = null;
    if (length == LENGTH_SAMPLED) {
      if (value.charAt(start + FLAG_OFFSET - 1) != '-') return Optional.empty();
      char flag = value.charAt(start + FLAG_OFFSET);
      if (flag == '1') sampled = Boolean.TRUE;
      else if (flag == '0') sampled = Boolean.FALSE;
      else return Optional.empty();
    }
    // One pass over the 48 hex chars, 8 at a time; any non-hex char makes its group -1.
    long h1 = Hex.read8(value, start + TRACE_ID_OFFSET);
    long h2 = Hex.read8(value, start + TRACE_ID_OFFSET + 8);
    long l1 = Hex.read8(value, start + TRACE_ID_OFFSET + 16);
    long l2 = Hex.read8(value, start + TRACE_ID_OFFSET + 24);
    long s1 = Hex.read8(value, start + SPAN_ID_OFFSET);
    long s2 = Hex.read8(value, start + SPAN_ID_OFFSET + 8);
    if ((h1 | h2 | l1 | l2 | s1 | s2) < 0) return Optional.empty();
    TraceId traceId = TraceId.of((h1 << 32) | h2, (l1 << 32) | l2);
    SpanId spanId = SpanId.of((s1 << 32) | s2);
    if (traceId == null || spanId == null) return Optional.empty();
    return Optional.of(new SentryTrace(traceId, spanId, sampled));
  }

  public TraceId traceId() {
    return traceId;
  }

  public SpanId spanId() {
    return spanId;
  }

  /** The sampling decision; null when deferred to the receiver. */
  public Boolean sampled() {
    return sampled;
  }

  /** The header value, lower case, without a flag when the decision is deferred. */
  @Override
  public String toString() {
    return format(traceId, spanId, sampled);
  }

  /**
   * The header value. The ids cache their hex form, and string concatenation sizes the result
   * exactly: the result is the only allocation once the ids were rendered.
   */
  static String format(TraceId traceId, SpanId spanId, Boolean sampled) {
    if (sampled == null) return traceId.toString() + '-' + spanId.toString();
    return traceId.toString() + '-' + spanId.toString() + (sampled ? "-1" : "-0");
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof SentryTrace)) return false;
    SentryTrace that = (SentryTrace) o;
    return traceId.equals(that.traceId) && spanId.equals(that.spanId) && Objects.equals(sampled, that.sampled);
  }

  @Override
  public int hashCode() {
    return Objects.hash(traceId, spanId, sampled);
  }
}
