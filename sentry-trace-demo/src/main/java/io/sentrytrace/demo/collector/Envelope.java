package io.sentrytrace.demo.collector;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Sentry envelope as the collector received it: a JSON header line, then items, each a JSON
 * header line and a payload (exactly {@code length} bytes when the item header says so, else up to
 * the next newline). Payloads are kept as parsed JSON (maps, lists, strings, numbers, booleans).
 *
 * <pre>{@code
 * Map<String, Object> report = Envelope.asMap(Envelope.parseJson(body, 0, body.length));
 * }</pre>
 */
public record Envelope(Map<String, Object> header, List<Item> items) {
  private static final JsonFactory JSON = new JsonFactory();
  /** Most items read from one envelope; the SDKs send one or two. */
  private static final int MAX_ITEMS = 100;

  record Item(String type, Map<String, Object> header, Object payload) {}

  /**
   * Parses an envelope.
   *
   * @throws IllegalArgumentException saying what is malformed
   */
  static Envelope parse(byte[] body) {
    Cursor cursor = new Cursor(body);
    Object header = cursor.jsonLine("envelope header");
    if (!(header instanceof Map)) throw new IllegalArgumentException("envelope header is not a JSON object");
    List<Item> items = new ArrayList<>();
    while (cursor.skipBlankLines() && items.size() < MAX_ITEMS) {
      Object itemHeader = cursor.jsonLine("item header");
      if (!(itemHeader instanceof Map)) throw new IllegalArgumentException("item header is not a JSON object");
      Map<String, Object> h = asMap(itemHeader);
      Object length = h.get("length");
      byte[] payload;
      if (length instanceof Number) {
        payload = cursor.bytes(((Number) length).intValue());
      } else {
        payload = cursor.line();
      }
      Object type = h.get("type");
      items.add(new Item(type == null ? "" : type.toString(), h, parseJsonOrNull(payload)));
    }
    return new Envelope(asMap(header), Collections.unmodifiableList(items));
  }

  /** The items of one type. */
  List<Item> items(String type) {
    List<Item> out = new ArrayList<>();
    for (Item item : items) if (item.type().equals(type)) out.add(item);
    return out;
  }

  @SuppressWarnings("unchecked")
  public static Map<String, Object> asMap(Object value) {
    return value instanceof Map ? (Map<String, Object>) value : Collections.emptyMap();
  }

  static List<?> asList(Object value) {
    return value instanceof List ? (List<?>) value : Collections.emptyList();
  }

  /** A string value (numbers and booleans as written), or null. */
  static String string(Map<String, Object> map, String key) {
    Object v = map.get(key);
    return v == null || v instanceof Map || v instanceof List ? null : v.toString();
  }

  private static Object parseJsonOrNull(byte[] payload) {
    try {
      return parseJson(payload, 0, payload.length);
    } catch (IllegalArgumentException e) {
      return null; // attachments and other non-JSON payloads: kept as "not JSON"
    }
  }

  public static Object parseJson(byte[] data, int offset, int length) {
    try (JsonParser parser = JSON.createParser(data, offset, length)) {
      JsonToken first = parser.nextToken();
      if (first == null) throw new IllegalArgumentException("empty JSON");
      Object value = read(parser, first);
      if (parser.nextToken() != null) throw new IllegalArgumentException("trailing data after JSON value");
      return value;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("invalid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("invalid JSON: " + e.getMessage(), e);
    }
  }

  private static Object read(JsonParser parser, JsonToken token) throws IOException {
    switch (token) {
      case START_OBJECT: {
        Map<String, Object> map = new LinkedHashMap<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
          String name = parser.currentName();
          map.put(name, read(parser, parser.nextToken()));
        }
        return map;
      }
      case START_ARRAY: {
        List<Object> list = new ArrayList<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
          list.add(read(parser, t));
        }
        return list;
      }
      case VALUE_STRING: return parser.getText();
      case VALUE_NUMBER_INT:
        // One type for whole numbers, whatever their size: Long unless it does not fit.
        return parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? parser.getBigIntegerValue() : (Object) parser.getLongValue();
      case VALUE_NUMBER_FLOAT: return parser.getDoubleValue();
      case VALUE_TRUE: return Boolean.TRUE;
      case VALUE_FALSE: return Boolean.FALSE;
      case VALUE_NULL: return null;
      default: throw new IOException("unexpected JSON token " + token);
    }
  }

  /** Walks the envelope's bytes line by line. */
  private static final class Cursor {
    private final byte[] data;
    private int pos;

    Cursor(byte[] data) {
      this.data = data;
    }

    /** Skips empty lines; true when there is more to read. */
    boolean skipBlankLines() {
      while (pos < data.length && (data[pos] == '\n' || data[pos] == '\r')) pos++;
      return pos < data.length;
    }

    Object jsonLine(String what) {
      int start = pos;
      byte[] line = line();
      if (line.length == 0) throw new IllegalArgumentException(what + " missing at byte " + start);
      try {
        return parseJson(line, 0, line.length);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(what + " at byte " + start + ": " + e.getMessage(), e);
      }
    }

    /** Up to the next newline (not included), which is consumed. */
    byte[] line() {
      int start = pos;
      while (pos < data.length && data[pos] != '\n') pos++;
      int end = pos > start && data[pos - 1] == '\r' ? pos - 1 : pos;
      if (pos < data.length) pos++;
      byte[] out = new byte[end - start];
      System.arraycopy(data, start, out, 0, out.length);
      return out;
    }

    /** Exactly {@code n} bytes, then an optional newline. */
    byte[] bytes(int n) {
      if (n < 0 || n > data.length - pos) {
        throw new IllegalArgumentException("item length " + n + " runs past the end of the envelope");
      }
      byte[] out = new byte[n];
      System.arraycopy(data, pos, out, 0, n);
      pos += n;
      if (pos < data.length && data[pos] == '\n') pos++;
      return out;
    }
  }
}
