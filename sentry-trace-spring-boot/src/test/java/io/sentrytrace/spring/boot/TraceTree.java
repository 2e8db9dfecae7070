package io.sentrytrace.spring.boot;

import io.sentrytrace.SpanData;
import io.sentrytrace.SpanId;
import io.sentrytrace.TransactionData;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Prints one exported transaction with its spans as an indented tree (for the report). */
final class TraceTree {
  private TraceTree() {}

  static String render(String incoming, TransactionData tx) {
    StringBuilder out = new StringBuilder();
    out.append("trace ").append(tx.root().traceId()).append("  (browser span ").append(incoming).append(")\n");
    out.append(line(tx.root(), tx.name() + "  [source " + tx.nameSource().wireName() + "]", 0));
    appendChildren(out, tx.spans(), tx.root().spanId(), 1);
    return out.toString();
  }

  private static void appendChildren(StringBuilder out, List<SpanData> spans, SpanId parent, int depth) {
    List<SpanData> children = new ArrayList<>();
    for (SpanData s : spans) if (Objects.equals(s.parentSpanId(), parent)) children.add(s);
    children.sort((a, b) -> a.startTimestamp().compareTo(b.startTimestamp()));
    for (SpanData child : children) {
      out.append(line(child, child.description(), depth));
      appendChildren(out, spans, child.spanId(), depth + 1);
    }
  }

  private static String line(SpanData span, String name, int depth) {
    return String.format("%s%-12s %-60s span %s parent %s %6.1f ms %s%n", "  ".repeat(depth), span.op(), name,
        span.spanId(), span.parentSpanId(), span.duration().toNanos() / 1e6, span.status());
  }
}
