package io.sentrytrace.demo.collector;

import io.sentrytrace.demo.web.Html;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * A trace's spans arranged by parent: every transaction's own span and its child spans, joined across
 * services by {@code parent_span_id}. Leaf child spans that are neither HTTP nor database work (the
 * browser's resource, paint and UI spans) are counted, not shown.
 *
 * <pre>{@code
 * System.out.print(TraceTree.of(trace).render());
 * }</pre>
 */
public final class TraceTree {
  private static final int MAX_NAME = 72;

  /** One span in the tree, with the transaction (service) it belongs to. */
  static final class Node {
    final ReceivedTransaction transaction;
    final ReceivedSpan span;
    final boolean isTransaction;
    final List<Node> children = new ArrayList<>();

    Node(ReceivedTransaction transaction, ReceivedSpan span, boolean isTransaction) {
      this.transaction = transaction;
      this.span = span;
      this.isTransaction = isTransaction;
    }

    String service() {
      return transaction.service();
    }
  }

  /** A node with its depth and tree prefix, in display order. */
  record Row(Node node, int depth, String prefix) {}

  final Trace trace;
  final List<Node> roots = new ArrayList<>();
  final List<Row> rows = new ArrayList<>();
  final TreeSet<String> hiddenOps = new TreeSet<>();
  int hidden;

  private TraceTree(Trace trace) {
    this.trace = trace;
  }

  public static TraceTree of(Trace trace) {
    TraceTree tree = new TraceTree(trace);
    Map<String, Node> byId = new HashMap<>();
    List<Node> all = new ArrayList<>();
    for (ReceivedTransaction tx : trace.transactions()) {
      Node root = new Node(tx, tx.root(), true);
      all.add(root);
      byId.putIfAbsent(tx.root().spanId(), root);
      for (ReceivedSpan s : tx.spans()) {
        Node child = new Node(tx, s, false);
        all.add(child);
        if (s.spanId() != null) byId.putIfAbsent(s.spanId(), child);
      }
    }
    for (Node n : all) {
      Node parent = n.span.parentSpanId() == null ? null : byId.get(n.span.parentSpanId());
      if (parent != null && parent != n) {
        parent.children.add(n);
      } else if (n.isTransaction) {
        tree.roots.add(n);
      } else {
        // A child span whose parent is missing: show it under its own transaction.
        byId.get(n.transaction.root().spanId()).children.add(n);
      }
    }
    Comparator<Node> byStart = Comparator.comparing(n -> n.span.start(), Comparator.nullsLast(Comparator.naturalOrder()));
    tree.roots.sort(byStart);
    for (Node root : tree.roots) tree.prune(root, byStart);
    for (Node root : tree.roots) tree.flatten(root, 0, "", "");
    return tree;
  }

  /** Drops uninteresting leaves below {@code node}; true when {@code node} itself stays. */
  private boolean prune(Node node, Comparator<Node> order) {
    node.children.removeIf(child -> !prune(child, order));
    node.children.sort(order);
    if (node.isTransaction || !node.children.isEmpty() || isInteresting(node.span.op())) return true;
    hidden++;
    if (node.span.op() != null) hiddenOps.add(node.span.op());
    return false;
  }

  private static boolean isInteresting(String op) {
    return op != null && (op.startsWith("http") || op.startsWith("db"));
  }

  private void flatten(Node node, int depth, String prefix, String childIndent) {
    rows.add(new Row(node, depth, prefix));
    for (int i = 0; i < node.children.size(); i++) {
      boolean isLast = i == node.children.size() - 1;
      flatten(node.children.get(i), depth + 1, childIndent + (isLast ? "`- " : "|- "), childIndent + (isLast ? "   " : "|  "));
    }
  }

  /** The earliest start of any shown span (the waterfall's zero). */
  Instant start() {
    Instant min = null;
    for (Row r : rows) {
      Instant s = r.node.span.start();
      if (s != null && (min == null || s.isBefore(min))) min = s;
    }
    return min;
  }

  Instant end() {
    Instant max = null;
    for (Row r : rows) {
      Instant e = r.node.span.end();
      if (e != null && (max == null || e.isAfter(max))) max = e;
    }
    return max;
  }

  /** The trace as an indented text tree, one span a line, for the terminal. */
  public String render() {
    StringBuilder out = new StringBuilder();
    out.append("trace ").append(Html.printable(trace.traceId())).append("  ")
        .append(summary()).append('\n');
    int serviceWidth = "service".length();
    int opWidth = "op".length();
    int nameWidth = "name".length();
    List<String[]> lines = new ArrayList<>();
    for (Row r : rows) {
      ReceivedSpan s = r.node.span;
      String service = Html.printable(r.node.service());
      String op = Html.printable(s.op() == null ? "-" : s.op());
      String name = r.prefix + shorten(Html.printable(s.description() == null ? "-" : s.description()));
      String status = Html.printable(s.status() == null ? "-" : s.status());
      if (r.depth == 0 && s.parentSpanId() != null) {
        status += "  (parent span " + Html.printable(s.parentSpanId()) + " not received)";
      }
      lines.add(new String[] {service, op, name, millis(s.duration()), status});
      serviceWidth = Math.max(serviceWidth, service.length());
      opWidth = Math.max(opWidth, op.length());
      nameWidth = Math.max(nameWidth, name.length());
    }
    String format = "  %-" + serviceWidth + "s  %-" + opWidth + "s  %-" + nameWidth + "s  %10s  %s%n";
    out.append(String.format(Locale.ROOT, format, "service", "op", "name", "duration", "status"));
    for (String[] l : lines) out.append(String.format(Locale.ROOT, format, (Object[]) l));
    if (hidden > 0) {
      out.append("  (").append(hidden).append(" more spans not shown: ")
          .append(Html.printable(String.join(", ", hiddenOps))).append(")\n");
    }
    return out.toString();
  }

  /** {@code 5 transactions from shop, inventory; connected}. */
  String summary() {
    int n = trace.transactions().size();
    int roots = trace.roots().size();
    return n + (n == 1 ? " transaction" : " transactions") + " from "
        + Html.printable(String.join(", ", trace.services()))
        + (roots == 1 ? "; connected" : "; NOT connected (" + roots + " separate parts)");
  }

  static String millis(Duration d) {
    return String.format(Locale.ROOT, "%.1f ms", d.toNanos() / 1_000_000.0);
  }

  private static String shorten(String s) {
    return s.length() <= MAX_NAME ? s : s.substring(0, MAX_NAME - 3) + "...";
  }
}
