package io.sentrytrace.demo.collector;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A transaction event received by the collector, with what the demo shows: the service that sent it
 * (the release's name part), its own span, its child spans and the envelope's {@code trace} header
 * (the dynamic sampling context it was sent with).
 *
 * <pre>{@code
 * trace.transaction(tx -> "pageload".equals(tx.op())).map(ReceivedTransaction::service);
 * }</pre>
 */
public record ReceivedTransaction(
    String service,
    String name,
    ReceivedSpan root,
    List<ReceivedSpan> spans,
    Map<String, String> envelopeTrace,
    String release,
    String sdk,
    String project,
    Instant receivedAt) {

  public String traceId() {
    return root.traceId();
  }

  public String op() {
    return root.op();
  }

  /**
   * Reads a {@code transaction} item.
   *
   * @throws IllegalArgumentException when the event has no {@code contexts.trace} with a trace id
   *     and span id
   */
  static ReceivedTransaction from(Envelope envelope, Envelope.Item item, String project, Instant receivedAt) {
    Map<String, Object> event = Envelope.asMap(item.payload());
    Map<String, Object> trace = Envelope.asMap(Envelope.asMap(event.get("contexts")).get("trace"));
    String traceId = Envelope.string(trace, "trace_id");
    String spanId = Envelope.string(trace, "span_id");
    if (traceId == null || spanId == null) {
      throw new IllegalArgumentException("transaction without contexts.trace.trace_id/span_id");
    }
    String name = Envelope.string(event, "transaction");
    ReceivedSpan root =
        new ReceivedSpan(
            traceId,
            spanId,
            Envelope.string(trace, "parent_span_id"),
            Envelope.string(trace, "op"),
            name,
            Envelope.string(trace, "status"),
            ReceivedSpan.timestamp(event.get("start_timestamp")),
            ReceivedSpan.timestamp(event.get("timestamp")));
    List<ReceivedSpan> spans = new ArrayList<>();
    for (Object s : Envelope.asList(event.get("spans"))) {
      if (s instanceof Map) spans.add(ReceivedSpan.fromChild(Envelope.asMap(s), traceId));
    }
    Map<String, String> dsc = new LinkedHashMap<>();
    Envelope.asMap(envelope.header().get("trace")).forEach((k, v) -> dsc.put(k, v == null ? null : v.toString()));
    String release = Envelope.string(event, "release");
    String sdk = Envelope.string(Envelope.asMap(event.get("sdk")), "name");
    if (sdk == null) sdk = Envelope.string(Envelope.asMap(envelope.header().get("sdk")), "name");
    return new ReceivedTransaction(
        service(release, sdk),
        name,
        root,
        Collections.unmodifiableList(spans),
        Collections.unmodifiableMap(dsc),
        release,
        sdk,
        project,
        receivedAt);
  }

  /** {@code shop@0.1.0} -> {@code shop}; without a release, the SDK's name. */
  static String service(String release, String sdk) {
    if (release != null && !release.isEmpty()) {
      int at = release.indexOf('@');
      return at > 0 ? release.substring(0, at) : release;
    }
    return sdk != null ? sdk : "unknown";
  }
}
