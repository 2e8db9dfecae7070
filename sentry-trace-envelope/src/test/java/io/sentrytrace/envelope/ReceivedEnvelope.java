package io.sentrytrace.envelope;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.sentrytrace.Span;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A transaction envelope read back with jackson-core's streaming parser, as Relay would: a header
 * line, an item header line, then exactly {@code length} bytes of payload. Each part must be one
 * complete JSON object with nothing after it. Numbers with a fraction are read as BigDecimal so
 * timestamps keep every digit sent.
 *
 * <pre>{@code
 * ReceivedEnvelope envelope = ReceivedEnvelope.parse(request.body);
 * assertThat(envelope.traceContext().get("trace_id")).isEqualTo(traceId);
 * }</pre>
 */
public final class ReceivedEnvelope {
  private static final JsonFactory JSON = new JsonFactory();

  public final Map<String, Object> header;
  /** The first item's header and payload: the transaction's, or a client report's on its own. */
  public final Map<String, Object> itemHeader;
  public final Map<String, Object> payload;
  public final byte[] payloadBytes;
  /** Every item in order (header, payload), the first included. */
  public final List<Map.Entry<Map<String, Object>, Map<String, Object>>> items;

  private ReceivedEnvelope(Map<String, Object> header, List<Map.Entry<Map<String, Object>, Map<String, Object>>> items,
      byte[] payloadBytes) {
    this.header = header;
    this.items = List.copyOf(items);
    this.itemHeader = items.get(0).getKey();
    this.payload = items.get(0).getValue();
    this.payloadBytes = payloadBytes;
  }

  public static ReceivedEnvelope parse(byte[] body) throws IOException {
    int headerEnd = indexOf(body, (byte) '\n', 0);
    if (headerEnd < 0) throw new IOException("no envelope header line");
    Map<String, Object> header = parseObject(Arrays.copyOfRange(body, 0, headerEnd));
    List<Map.Entry<Map<String, Object>, Map<String, Object>>> items = new ArrayList<>();
    byte[] firstPayload = null;
    int at = headerEnd + 1;
    do {
      int itemHeaderEnd = indexOf(body, (byte) '\n', at);
      if (itemHeaderEnd < 0) throw new IOException("no item header line");
      Map<String, Object> itemHeader = parseObject(Arrays.copyOfRange(body, at, itemHeaderEnd));
      Object length = itemHeader.get("length");
      if (!(length instanceof Number)) throw new IOException("item header has no length: " + itemHeader);
      int start = itemHeaderEnd + 1;
      int end = start + ((Number) length).intValue();
      if (end > body.length) throw new IOException("payload shorter than length " + length);
      if (end < body.length && body[end] != '\n') throw new IOException("unexpected bytes after the payload");
      byte[] payloadBytes = Arrays.copyOfRange(body, start, end);
      if (firstPayload == null) firstPayload = payloadBytes;
      items.add(Map.entry(itemHeader, parseObject(payloadBytes)));
      at = end + 1;
    } while (at < body.length);
    return new ReceivedEnvelope(header, items, firstPayload);
  }

  /** The payloads of the items of {@code type}. */
  public List<Map<String, Object>> payloads(String type) {
    return items.stream().filter(i -> type.equals(i.getKey().get("type"))).map(Map.Entry::getValue).toList();
  }

  /**
   * The {@code discarded_events} of the envelope's client reports, summed as {@code
   * "reason/category" -> quantity}.
   */
  @SuppressWarnings("unchecked")
  public Map<String, Long> discarded() {
    Map<String, Long> sums = new java.util.TreeMap<>();
    for (Map<String, Object> report : payloads("client_report")) {
      for (Object e : (List<Object>) report.get("discarded_events")) {
        Map<String, Object> event = (Map<String, Object>) e;
        sums.merge(event.get("reason") + "/" + event.get("category"), ((Number) event.get("quantity")).longValue(), Long::sum);
      }
    }
    return sums;
  }

  /** {@code contexts.trace} of the payload. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> traceContext() {
    return (Map<String, Object>) ((Map<String, Object>) payload.get("contexts")).get("trace");
  }

  @SuppressWarnings("unchecked")
  public List<Map<String, Object>> spans() {
    return (List<Map<String, Object>>) (List<?>) payload.get("spans");
  }

  /** The envelope header's {@code trace} (the DSC). */
  @SuppressWarnings("unchecked")
  public Map<String, Object> dsc() {
    return (Map<String, Object>) header.get("trace");
  }

  /**
   * Asserts this envelope carries {@code transaction} (finished) and exactly {@code children}:
   * ids, parent ids, ops, descriptions, and the trace's DSC in the envelope header.
   */
  public void assertCarries(Span transaction, List<Span> children) {
    assertThat(header.get("event_id")).isEqualTo(payload.get("event_id"));
    assertThat(itemHeader).containsEntry("type", "transaction");
    assertThat(dsc()).isEqualTo(transaction.dynamicSamplingContext().sentryValues());
    assertThat(dsc()).containsEntry("trace_id", transaction.traceId().toString());
    assertThat(payload).containsEntry("type", "transaction").containsEntry("transaction", transaction.description());
    Map<String, Object> trace = traceContext();
    assertThat(trace)
        .containsEntry("trace_id", transaction.traceId().toString())
        .containsEntry("span_id", transaction.spanId().toString())
        .containsEntry("op", transaction.op());
    if (transaction.parentSpanId() == null) assertThat(trace).doesNotContainKey("parent_span_id");
    else assertThat(trace).containsEntry("parent_span_id", transaction.parentSpanId().toString());
    Map<Object, Map<String, Object>> byId =
        spans().stream().collect(Collectors.toMap(s -> s.get("span_id"), Function.identity()));
    assertThat(byId).hasSize(children.size());
    for (Span child : children) {
      assertThat(byId).containsKey(child.spanId().toString());
      assertThat(byId.get(child.spanId().toString()))
          .containsEntry("trace_id", transaction.traceId().toString())
          .containsEntry("parent_span_id", child.parentSpanId().toString())
          .containsEntry("op", child.op())
          .containsEntry("description", child.description());
    }
  }

  private static Map<String, Object> parseObject(byte[] json) throws IOException {
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException("not a JSON object: " + new String(json));
      Map<String, Object> value = readObject(p);
      if (p.nextToken() != null) throw new IOException("trailing content after the object");
      return value;
    }
  }

  private static Map<String, Object> readObject(JsonParser p) throws IOException {
    Map<String, Object> map = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      if (map.put(name, readValue(p)) != null) throw new IOException("duplicate key " + name);
    }
    return map;
  }

  private static Object readValue(JsonParser p) throws IOException {
    switch (p.currentToken()) {
      case START_OBJECT:
        return readObject(p);
      case START_ARRAY:
        List<Object> list = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) list.add(readValue(p));
        return list;
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return p.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return p.getDecimalValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new IOException("unexpected token " + p.currentToken());
    }
  }

  private static int indexOf(byte[] bytes, byte b, int from) {
    for (int i = from; i < bytes.length; i++) if (bytes[i] == b) return i;
    return -1;
  }
}
