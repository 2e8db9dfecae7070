package io.sentrytrace.envelope;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import io.sentrytrace.Dsn;
import io.sentrytrace.SpanData;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.TransactionData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a finished transaction as a Sentry envelope: an envelope header line, one {@code
 * transaction} item header line (with the payload's byte length) and the transaction payload.
 * Stateless and thread-safe.
 */
final class EnvelopeEncoder {
  static final String CONTENT_TYPE = "application/x-sentry-envelope";

  /** Thread-safe once built; generators are cheap to create from it. */
  private static final JsonFactory JSON = JsonFactory.builder().build();
  private static final byte NEWLINE = '\n';
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  // Field names quoted and UTF-8 encoded once: the generator copies them instead of escaping each.
  private static final SerializableString TYPE = name("type");
  private static final SerializableString EVENT_ID = name("event_id");
  private static final SerializableString SENT_AT = name("sent_at");
  private static final SerializableString DSN = name("dsn");
  private static final SerializableString SDK = name("sdk");
  private static final SerializableString NAME = name("name");
  private static final SerializableString VERSION = name("version");
  private static final SerializableString TRACE = name("trace");
  private static final SerializableString LENGTH = name("length");
  private static final SerializableString TRANSACTION = name("transaction");
  private static final SerializableString TRANSACTION_INFO = name("transaction_info");
  private static final SerializableString SOURCE = name("source");
  private static final SerializableString START_TIMESTAMP = name("start_timestamp");
  private static final SerializableString TIMESTAMP = name("timestamp");
  private static final SerializableString CONTEXTS = name("contexts");
  private static final SerializableString SPANS = name("spans");
  private static final SerializableString TRACE_ID = name("trace_id");
  private static final SerializableString SPAN_ID = name("span_id");
  private static final SerializableString PARENT_SPAN_ID = name("parent_span_id");
  private static final SerializableString OP = name("op");
  private static final SerializableString STATUS = name("status");
  private static final SerializableString DATA = name("data");
  private static final SerializableString DESCRIPTION = name("description");
  private static final SerializableString RELEASE = name("release");
  private static final SerializableString ENVIRONMENT = name("environment");
  private static final SerializableString PLATFORM = name("platform");

  private EnvelopeEncoder() {}

  private static SerializableString name(String name) {
    return new SerializedString(name);
  }

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

  static byte[] encode(TransactionData tx, Dsn dsn, String eventId, Instant sentAt) throws IOException {
    // The item header needs the payload's length, so the payload is written first.
    ByteArrayOutputStream payload = new ByteArrayOutputStream(2048);
    try (JsonGenerator g = JSON.createGenerator(payload)) {
      writeTransaction(g, tx, eventId);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.size() + 512);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.setRootValueSeparator(new SerializedString("\n")); // the two header lines in one generator
      writeEnvelopeHeader(g, tx, dsn, eventId, sentAt);
      g.writeStartObject();
      g.writeFieldName(TYPE);
      g.writeString("transaction");
      g.writeFieldName(LENGTH);
      g.writeNumber(payload.size());
      g.writeEndObject();
      g.flush();
      out.write(NEWLINE);
      payload.writeTo(out);
      out.write(NEWLINE);
    }
    return out.toByteArray();
  }

  private static void writeEnvelopeHeader(JsonGenerator g, TransactionData tx, Dsn dsn, String eventId, Instant sentAt)
      throws IOException {
    g.writeStartObject();
    g.writeFieldName(EVENT_ID);
    g.writeString(eventId);
    g.writeFieldName(SENT_AT);
    char[] iso = new char[Timestamps.MAX_ISO_LENGTH];
    int length = Timestamps.isoInstant(sentAt, iso);
    if (length > 0) g.writeString(iso, 0, length);
    else g.writeString(DateTimeFormatter.ISO_INSTANT.format(sentAt));
    g.writeFieldName(DSN);
    g.writeString(dsn.toString());
    writeSdk(g);
    Map<String, String> dsc = tx.dynamicSamplingContext().sentryValues();
    // A trace continued from an SDK that sent no baggage has no usable DSC: leave the header out
    // rather than send one without the trace id Sentry needs.
    if (dsc.containsKey("trace_id")) {
      g.writeFieldName(TRACE);
      g.writeStartObject();
      for (Map.Entry<String, String> e : dsc.entrySet()) g.writeStringField(e.getKey(), e.getValue());
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private static void writeSdk(JsonGenerator g) throws IOException {
    g.writeFieldName(SDK);
    g.writeStartObject();
    g.writeFieldName(NAME);
    g.writeString(Sdk.NAME);
    g.writeFieldName(VERSION);
    g.writeString(Sdk.VERSION);
    g.writeEndObject();
  }

  private static void writeTransaction(JsonGenerator g, TransactionData tx, String eventId) throws IOException {
    SpanData root = tx.root();
    char[] scratch = new char[Timestamps.MAX_DECIMAL_LENGTH];
    g.writeStartObject();
    g.writeFieldName(TYPE);
    g.writeString("transaction");
    g.writeFieldName(EVENT_ID);
    g.writeString(eventId);
    writeStringIfPresent(g, TRANSACTION, tx.name());
    g.writeFieldName(TRANSACTION_INFO);
    g.writeStartObject();
    g.writeFieldName(SOURCE);
    g.writeString(tx.nameSource().wireName());
    g.writeEndObject();
    writeTimestamp(g, START_TIMESTAMP, root.startTimestamp(), scratch);
    writeTimestamp(g, TIMESTAMP, root.endTimestamp(), scratch);
    g.writeFieldName(CONTEXTS);
    g.writeStartObject();
    g.writeFieldName(TRACE);
    g.writeStartObject();
    g.writeFieldName(TYPE);
    g.writeString("trace");
    writeIdsOpStatusData(g, root);
    g.writeEndObject();
    g.writeEndObject();
    g.writeFieldName(SPANS);
    g.writeStartArray();
    for (SpanData span : tx.spans()) {
      g.writeStartObject();
      writeIdsOpStatusData(g, span);
      writeStringIfPresent(g, DESCRIPTION, span.description());
      writeTimestamp(g, START_TIMESTAMP, span.startTimestamp(), scratch);
      writeTimestamp(g, TIMESTAMP, span.endTimestamp(), scratch);
      g.writeEndObject();
    }
    g.writeEndArray();
    writeStringIfPresent(g, RELEASE, tx.release());
    writeStringIfPresent(g, ENVIRONMENT, tx.environment());
    g.writeFieldName(PLATFORM);
    g.writeString("java");
    writeSdk(g);
    g.writeEndObject();
  }

  /** What the trace context and a span share. An unset status is sent as {@code ok}, as Sentry assumes. */
  private static void writeIdsOpStatusData(JsonGenerator g, SpanData span) throws IOException {
    g.writeFieldName(TRACE_ID);
    g.writeString(span.traceId().toString());
    g.writeFieldName(SPAN_ID);
    g.writeString(span.spanId().toString());
    if (span.parentSpanId() != null) {
      g.writeFieldName(PARENT_SPAN_ID);
      g.writeString(span.parentSpanId().toString());
    }
    writeStringIfPresent(g, OP, span.op());
    SpanStatus status = span.status();
    g.writeFieldName(STATUS);
    g.writeString(status == null ? SpanStatus.OK.wireName() : status.wireName());
    if (!span.data().isEmpty()) {
      g.writeFieldName(DATA);
      g.writeStartObject();
      for (Map.Entry<String, Object> e : span.data().entrySet()) {
        g.writeFieldName(e.getKey());
        writeValue(g, e.getValue());
      }
      g.writeEndObject();
    }
  }

  /** Span data holds strings, numbers and booleans; anything else is sent as its string form. */
  private static void writeValue(JsonGenerator g, Object value) throws IOException {
    if (value instanceof String) {
      g.writeString((String) value);
    } else if (value instanceof Boolean) {
      g.writeBoolean((Boolean) value);
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
        || value instanceof AtomicInteger || value instanceof AtomicLong) {
      g.writeNumber(((Number) value).longValue());
    } else if (value instanceof BigInteger) {
      g.writeNumber((BigInteger) value);
    } else if (value instanceof BigDecimal) {
      g.writeNumber((BigDecimal) value);
    } else if (value instanceof Number) {
      double d = ((Number) value).doubleValue();
      // JSON has no NaN or infinity: send those as strings rather than break the payload.
      if (Double.isFinite(d)) g.writeNumber(d);
      else g.writeString(Double.toString(d));
    } else {
      g.writeString(String.valueOf(value));
    }
  }

  /** Seconds since the epoch as a decimal with microsecond precision, e.g. {@code 1700000000.123456}. */
  private static void writeTimestamp(JsonGenerator g, SerializableString field, Instant instant, char[] scratch)
      throws IOException {
    g.writeFieldName(field);
    g.writeNumber(scratch, 0, Timestamps.epochSecondsWithMicros(instant, scratch));
  }

  private static void writeStringIfPresent(JsonGenerator g, SerializableString field, String value) throws IOException {
    if (value != null) {
      g.writeFieldName(field);
      g.writeString(value);
    }
  }
}
