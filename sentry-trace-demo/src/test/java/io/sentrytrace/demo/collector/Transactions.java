package io.sentrytrace.demo.collector;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds received transactions for tree and check tests; each starts 10 ms after the previous one. */
final class Transactions {
  static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private int next;

  /** {@code children}: span id, parent span id, op, description; four strings each. */
  ReceivedTransaction tx(String service, String spanId, String parent, String op, String name, String... children) {
    Instant start = T0.plusMillis(10L * next++);
    List<ReceivedSpan> spans = new ArrayList<>();
    for (int i = 0; i < children.length; i += 4) {
      spans.add(new ReceivedSpan(TRACE, children[i], children[i + 1], children[i + 2], children[i + 3], "ok",
          start.plusMillis(1 + i), start.plusMillis(5 + i)));
    }
    return new ReceivedTransaction(service, name, new ReceivedSpan(TRACE, spanId, parent, op, name, "ok", start, start.plusMillis(40)),
        List.copyOf(spans), Map.of(), service + "@1", "test", "1", start);
  }

  static Trace trace(ReceivedTransaction... txs) {
    Trace trace = new Trace(TRACE, List.of(), T0);
    for (ReceivedTransaction tx : txs) trace = trace.plus(tx);
    return trace;
  }
}
