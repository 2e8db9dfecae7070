package io.sentrytrace.envelope;

import io.sentrytrace.Dsn;
import io.sentrytrace.SpanData;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.TransactionData;
import io.sentrytrace.TransactionNameSource;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a finished transaction as a Sentry envelope: an envelope header line, one {@code
 * transaction} item header line (with the payload's byte length) and the transaction payload.
 *
 * <p>One encoder per exporter, used by its sender thread only (not thread-safe): it keeps its two
 * buffers from one envelope to the next, so an envelope costs one allocation of its exact size.
 * The payload is written first (the item header needs its length), then the header lines, then
 * both are copied into the result.
 */
final class EnvelopeEncoder {
  static final String CONTENT_TYPE = "application/x-sentry-envelope";

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private static final byte[] EVENT_ID = JsonOut.quotedName("event_id");
  private static final byte[] SENT_AT = JsonOut.quotedName("sent_at");
  private static final byte[] DSN = JsonOut.quotedName("dsn");
  private static final byte[] TRACE = JsonOut.quotedName("trace");
  private static final byte[] LENGTH = JsonOut.quotedName("length");
  private static final byte[] TRANSACTION = JsonOut.quotedName("transaction");
  private static final byte[] TRANSACTION_INFO = JsonOut.quotedName("transaction_info");
  private static final byte[] START_TIMESTAMP = JsonOut.quotedName("start_timestamp");
  private static final byte[] TIMESTAMP = JsonOut.quotedName("timestamp");
  private static final byte[] CONTEXTS = JsonOut.quotedName("contexts");
  private static final byte[] SPANS = JsonOut.quotedName("spans");
  private static final byte[] TRACE_ID = JsonOut.quotedName("trace_id");
  private static final byte[] SPAN_ID = JsonOut.quotedName("span_id");
  private static final byte[] PARENT_SPAN_ID = JsonOut.quotedName("parent_span_id");
  private static final byte[] OP = JsonOut.quotedName("op");
  private static final byte[] DATA = JsonOut.quotedName("data");
  private static final byte[] DESCRIPTION = JsonOut.quotedName("description");
  private static final byte[] RELEASE = JsonOut.quotedName("release");
  private static final byte[] ENVIRONMENT = JsonOut.quotedName("environment");
  // Members that are the same in every envelope, or one of a few: written once, copied each time.
  private static final byte[] SDK = new JsonOut(128).name("sdk").beginObject()
      .name("name").string(Sdk.NAME).name("version").string(Sdk.VERSION).endObject().toByteArray();
  private static final byte[] TYPE_TRANSACTION = JsonOut.quotedMember("type", "transaction");
  private static final byte[] TYPE_TRACE = JsonOut.quotedMember("type", "trace");
  private static final byte[] PLATFORM_JAVA = JsonOut.quotedMember("platform", "java");
  private static final byte[][] STATUS = new byte[SpanStatus.values().length][];
  private static final byte[][] SOURCE = new byte[TransactionNameSource.values().length][];

  static {
    for (SpanStatus s : SpanStatus.values()) STATUS[s.ordinal()] = JsonOut.quotedMember("status", s.wireName());
    for (TransactionNameSource s : TransactionNameSource.values()) {
      SOURCE[s.ordinal()] = JsonOut.quotedMember("source", s.wireName());
    }
  }

  private final JsonOut header = new JsonOut(1024);
  private final JsonOut payload = new JsonOut(4096);

  /**
   * A fresh event id: a random (version 4) UUID as 32 lowercase hex digits, as Sentry expects. From
   * {@link ThreadLocalRandom}, like trace and span ids: {@code UUID.randomUUID()} takes a lock on
   * one shared {@code SecureRandom}, and an event id needs to be unique, not unguessable.
   */
  static String newEventId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
    long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L; // IETF variant
    char[] hex = new char[32];
    writeHex(high, hex, 0);
    writeHex(low, hex, 16);
    return new String(hex);
  }

  private static void writeHex(long bits, char[] out, int at) {
    for (int i = 15; i >= 0; i--, bits >>>= 4) out[at + i] = HEX[(int) (bits & 0xF)];
  }

  /**
   * The envelope's bytes.
   *
   * @throws ArithmeticException for a timestamp beyond what Sentry's format can hold
   */
  byte[] encode(TransactionData tx, Dsn dsn, String eventId, Instant sentAt) {
    try {
      payload.reset();
      writeTransaction(payload, tx, eventId);
      header.reset();
      writeEnvelopeHeader(header, tx, dsn, eventId, sentAt);
      header.newline();
      header.beginObject().member(TYPE_TRANSACTION).name(LENGTH).number(payload.size()).endObject();
      header.newline();
      byte[] envelope = new byte[header.size() + payload.size() + 1];
      int at = header.copyTo(envelope, 0);
      at = payload.copyTo(envelope, at);
      envelope[at] = '\n';
      return envelope;
    } finally {
      // Lets go of a buffer an unusually large transaction grew, rather than keep it until the next.
      payload.reset();
      header.reset();
    }
  }

  /** The header line of an envelope that carries no event (a client report on its own). */
  byte[] encodeHeaderOnly(Dsn dsn, Instant sentAt) {
    try {
      header.reset();
      header.beginObject().name(SENT_AT).isoInstant(sentAt).name(DSN).string(dsn.toString()).member(SDK).endObject();
      header.newline();
      return header.toByteArray();
    } finally {
      header.reset();
    }
  }

  private static void writeEnvelopeHeader(JsonOut out, TransactionData tx, Dsn dsn, String eventId, Instant sentAt) {
    out.beginObject();
    out.name(EVENT_ID).plainString(eventId);
    out.name(SENT_AT).isoInstant(sentAt);
    out.name(DSN).string(dsn.toString());
    out.member(SDK);
    Map<String, String> dsc = tx.dynamicSamplingContext().sentryValues();
    // A trace continued from an SDK that sent no baggage has no usable DSC: leave the header out
    // rather than send one without the trace id Sentry needs.
    if (dsc.containsKey("trace_id")) {
      out.name(TRACE).beginObject();
      for (Map.Entry<String, String> e : dsc.entrySet()) out.name(e.getKey()).string(e.getValue());
      out.endObject();
    }
    out.endObject();
  }

  private static void writeTransaction(JsonOut out, TransactionData tx, String eventId) {
    SpanData root = tx.root();
    out.beginObject();
    out.member(TYPE_TRANSACTION);
    out.name(EVENT_ID).plainString(eventId);
    writeStringIfPresent(out, TRANSACTION, tx.name());
    out.name(TRANSACTION_INFO).beginObject().member(SOURCE[tx.nameSource().ordinal()]).endObject();
    out.name(START_TIMESTAMP).epochSecondsWithMicros(root.startTimestamp());
    out.name(TIMESTAMP).epochSecondsWithMicros(root.endTimestamp());
    out.name(CONTEXTS).beginObject().name(TRACE).beginObject();
    out.member(TYPE_TRACE);
    writeIdsOpStatusData(out, root);
    out.endObject().endObject();
    out.name(SPANS).beginArray();
    for (SpanData span : tx.spans()) {
      out.beginObject();
      writeIdsOpStatusData(out, span);
      writeStringIfPresent(out, DESCRIPTION, span.description());
      out.name(START_TIMESTAMP).epochSecondsWithMicros(span.startTimestamp());
      out.name(TIMESTAMP).epochSecondsWithMicros(span.endTimestamp());
      out.endObject();
    }
    out.endArray();
    writeStringIfPresent(out, RELEASE, tx.release());
    writeStringIfPresent(out, ENVIRONMENT, tx.environment());
    out.member(PLATFORM_JAVA);
    out.member(SDK);
    out.endObject();
  }

  /** What the trace context and a span share. An unset status is sent as {@code ok}, as Sentry assumes. */
  private static void writeIdsOpStatusData(JsonOut out, SpanData span) {
    // Ids are hex digits by construction: nothing to escape.
    out.name(TRACE_ID).plainString(span.traceId().toString());
    out.name(SPAN_ID).plainString(span.spanId().toString());
    if (span.parentSpanId() != null) out.name(PARENT_SPAN_ID).plainString(span.parentSpanId().toString());
    writeStringIfPresent(out, OP, span.op());
    SpanStatus status = span.status();
    out.member(STATUS[(status == null ? SpanStatus.OK : status).ordinal()]);
    if (!span.data().isEmpty()) {
      out.name(DATA).beginObject();
      for (Map.Entry<String, Object> e : span.data().entrySet()) {
        out.name(e.getKey());
        writeValue(out, e.getValue());
      }
      out.endObject();
    }
  }

  /** Span data holds strings, numbers and booleans; anything else is sent as its string form. */
  private static void writeValue(JsonOut out, Object value) {
    if (value instanceof String) {
      out.string((String) value);
    } else if (value instanceof Boolean) {
      out.bool((Boolean) value);
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
        || value instanceof AtomicInteger || value instanceof AtomicLong) {
      out.number(((Number) value).longValue());
    } else if (value instanceof BigInteger || value instanceof BigDecimal) {
      out.ascii(value.toString()); // digits, sign, point and exponent: a JSON number as it stands
    } else if (value instanceof Number) {
      double d = ((Number) value).doubleValue();
      // JSON has no NaN or infinity: send those as strings rather than break the payload.
      if (Double.isFinite(d)) out.number(d);
      else out.string(Double.toString(d));
    } else {
      out.string(String.valueOf(value));
    }
  }

  private static void writeStringIfPresent(JsonOut out, byte[] field, String value) {
    if (value != null) out.name(field).string(value);
  }
}
