package io.sentrytrace.demo.collector;

import io.sentrytrace.demo.web.Html;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The collector's {@code /traces} page: each trace as a waterfall. Every received value is escaped. */
final class TracesPage {
  private static final String[] COLORS = {"#6c5fc7", "#f55459", "#2ba185", "#e9a23b", "#3c74dd", "#c83ba8", "#7a8b99"};
  static final int MAX_TRACES_SHOWN = 20;

  private TracesPage() {}

  static String render(List<Trace> traces) {
    StringBuilder out = new StringBuilder(8192);
    out.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"refresh\" content=\"5\">\n")
        .append("<title>sentry-trace demo: traces</title>\n<style>\n")
        .append("body{font:14px system-ui,sans-serif;margin:2em}code{font-size:13px}\n")
        .append("table{border-collapse:collapse;width:100%;margin-bottom:2em}td,th{padding:2px 8px;text-align:left;white-space:nowrap}\n")
        .append("tr:nth-child(even){background:#f6f6f8}.num{text-align:right}.lane{width:40%;position:relative}\n")
        .append(".bar{position:absolute;top:4px;height:12px;border-radius:2px;min-width:2px}.bad{color:#c00}\n")
        .append("</style></head><body>\n<h1>Traces received by the demo collector</h1>\n");
    if (traces.isEmpty()) {
      out.append("<p>Nothing yet. Open the shop page; its browser and backend transactions arrive here.</p>\n");
    }
    int shown = 0;
    for (Trace trace : traces) {
      if (shown++ == MAX_TRACES_SHOWN) break;
      renderTrace(TraceTree.of(trace), out);
    }
    return out.append("</body></html>\n").toString();
  }

  private static void renderTrace(TraceTree tree, StringBuilder out) {
    Trace trace = tree.trace;
    out.append("<h2>trace <code>").append(Html.escape(trace.traceId())).append("</code></h2>\n<p")
        .append(trace.isConnected() ? ">" : " class=\"bad\">").append(Html.escape(tree.summary())).append("</p>\n");
    out.append("<table><tr><th>service</th><th>op</th><th>name</th><th class=\"num\">duration</th><th>status</th><th class=\"lane\"></th></tr>\n");
    Instant t0 = tree.start();
    Instant t1 = tree.end();
    double total = t0 == null || t1 == null ? 0 : Math.max(1, Duration.between(t0, t1).toNanos());
    List<String> services = new ArrayList<>(trace.services());
    for (TraceTree.Row row : tree.rows) {
      ReceivedSpan s = row.node().span;
      String color = COLORS[Math.max(0, services.indexOf(row.node().service())) % COLORS.length];
      out.append("<tr><td>").append(Html.escape(row.node().service()))
          .append("</td><td>").append(Html.escape(s.op()))
          .append("</td><td style=\"padding-left:").append(row.depth() * 1.2 + 0.5).append("em\">")
          .append(row.node().isTransaction ? "<b>" : "").append(Html.escape(s.description()))
          .append(row.node().isTransaction ? "</b>" : "")
          .append("</td><td class=\"num\">").append(Html.escape(TraceTree.millis(s.duration())))
          .append("</td><td").append(isOk(s.status()) ? ">" : " class=\"bad\">").append(Html.escape(s.status()))
          .append("</td><td class=\"lane\">");
      if (total > 0 && s.start() != null && s.end() != null) {
        double left = Duration.between(t0, s.start()).toNanos() / total * 100;
        double width = s.duration().toNanos() / total * 100;
        out.append(String.format(Locale.ROOT, "<div class=\"bar\" style=\"left:%.2f%%;width:%.2f%%;background:%s\"></div>",
            left, width, color));
      }
      out.append("</td></tr>\n");
    }
    out.append("</table>\n");
    if (tree.hidden > 0) {
      out.append("<p>").append(tree.hidden).append(" more spans not shown: ")
          .append(Html.escape(String.join(", ", tree.hiddenOps))).append("</p>\n");
    }
  }

  private static boolean isOk(String status) {
    return status == null || status.equals("ok");
  }
}
