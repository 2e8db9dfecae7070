package io.sentrytrace.envelope;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.sentrytrace.Dsn;
import io.sentrytrace.SpanData;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.TransactionData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.UUID;
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

  private EnvelopeEncoder() {}

  /** A fresh event id: 32 lowercase hex digits (a UUID without dashes), as Sentry expects. */
  static String newEventId() {
    UUID uuid = UUID.randomUUID();
    return hex16(uuid.getMostSignificantBits()) + hex16(uuid.getLeastSignificantBits());
  }

  private static String hex16(long bits) {
    String s = Long.toHexString(bits);
    return "0".repeat(16 - s.length()) + s;
  }

  static byte[] encode(TransactionData tx, Dsn dsn, String eventId, Instant sentAt) throws IOException {
    // The item header needs the payload's length, so the payload is written first.
    ByteArrayOutputStream payload = new ByteArrayOutputStream(1024);
    try (JsonGenerator g = JSON.createGenerator(payload)) {
      writeTransaction(g, tx, eventId);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.size() + 512);
    try (JsonGenerator g = generator(out)) {
      writeEnvelopeHeader(g, tx, dsn, eventId, sentAt);
    }
    out.write(NEWLINE);
    try (JsonGenerator g = generator(out)) {
      g.writeStartObject();
      g.writeStringField("type", "transaction");
      g.writeNumberField("length", payload.size());
      g.writeEndObject();
    }
    out.write(NEWLINE);
    payload.writeTo(out);
    out.write(NEWLINE);
    return out.toByteArray();
  }

  /** A generator that leaves {@code out} open, so the lines can follow each other in it. */
  private static JsonGenerator generator(OutputStream out) throws IOException {
    return JSON.createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
  }

  private static void writeEnvelopeHeader(JsonGenerator g, TransactionData tx, Dsn dsn, String eventId, Instant sentAt)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("event_id", eventId);
    g.writeStringField("sent_at", DateTimeFormatter.ISO_INSTANT.format(sentAt));
    g.writeStringField("dsn", dsn.toString());
    writeSdk(g);
    Map<String, String> dsc = tx.dynamicSamplingContext().sentryValues();
    // A trace continued from an SDK that sent no baggage has no usable DSC: leave the header out
    // rather than send one without the trace id Sentry needs.
    if (dsc.containsKey("trace_id")) {
      g.writeObjectFieldStart("trace");
      for (Map.Entry<String, String> e : dsc.entrySet()) g.writeStringField(e.getKey(), e.getValue());
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private static void writeSdk(JsonGenerator g) throws IOException {
    g.writeObjectFieldStart("sdk");
    g.writeStringField("name", Sdk.NAME);
    g.writeStringField("version", Sdk.VERSION);
    g.writeEndObject();
  }

  private static void writeTransaction(JsonGenerator g, TransactionData tx, String eventId) throws IOException {
    SpanData root = tx.root();
    g.writeStartObject();
    g.writeStringField("type", "transaction");
    g.writeStringField("event_id", eventId);
    writeStringIfPresent(g, "transaction", tx.name());
    g.writeObjectFieldStart("transaction_info");
    g.writeStringField("source", tx.nameSource().wireName());
    g.writeEndObject();
    writeTimestamp(g, "start_timestamp", root.startTimestamp());
    writeTimestamp(g, "timestamp", root.endTimestamp());
    g.writeObjectFieldStart("contexts");
    g.writeObjectFieldStart("trace");
    g.writeStringField("type", "trace");
    writeIdsOpStatusData(g, root);
    g.writeEndObject();
    g.writeEndObject();
    g.writeArrayFieldStart("spans");
    for (SpanData span : tx.spans()) {
      g.writeStartObject();
      writeIdsOpStatusData(g, span);
      writeStringIfPresent(g, "description", span.description());
      writeTimestamp(g, "start_timestamp", span.startTimestamp());
      writeTimestamp(g, "timestamp", span.endTimestamp());
      g.writeEndObject();
    }
    g.writeEndArray();
    writeStringIfPresent(g, "release", tx.release());
    writeStringIfPresent(g, "environment", tx.environment());
    g.writeStringField("platform", "java");
    writeSdk(g);
    g.writeEndObject();
  }

  /** What the trace context and a span share. An unset status is sent as {@code ok}, as Sentry assumes. */
  private static void writeIdsOpStatusData(JsonGenerator g, SpanData span) throws IOException {
    g.writeStringField("trace_id", span.traceId().toString());
    g.writeStringField("span_id", span.spanId().toString());
    if (span.parentSpanId() != null) g.writeStringField("parent_span_id", span.parentSpanId().toString());
    writeStringIfPresent(g, "op", span.op());
    SpanStatus status = span.status();
    g.writeStringField("status", status == null ? SpanStatus.OK.wireName() : status.wireName());
    if (!span.data().isEmpty()) {
      g.writeObjectFieldStart("data");
      for (Map.Entry<String, Object> e : span.data().entrySet()) {
        g.writeFieldName(e.getKey());
        writeValue(g, e.getValue());
      }
      g.writeEndObject();
    }
  }

  /** Span data holds strings, numbers and booleans; anything else is sent as its string form. */
  private static void writeValue(JsonGenerator g, Object value) throws IOException {
    if (value instanceof Boolean) {
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
  private static void writeTimestamp(JsonGenerator g, String field, Instant instant) throws IOException {
    long micros = Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    g.writeNumberField(field, BigDecimal.valueOf(micros, 6));
  }

  private static void writeStringIfPresent(JsonGenerator g, String field, String value) throws IOException {
    if (value != null) g.writeStringField(field, value);
  }
}
