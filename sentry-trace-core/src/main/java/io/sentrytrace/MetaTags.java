package io.sentrytrace;

/**
 * The {@code <meta>} tags that let a browser SDK continue the trace of the span that rendered a
 * page: its pageload transaction becomes a child of that span.
 *
 * <pre>{@code
 * String head = "<head>" + MetaTags.render(span) + "<title>Shop</title></head>";
 * }</pre>
 */
public final class MetaTags {
  private MetaTags() {}

  /**
   * {@code <meta name="sentry-trace" content="…"/>}, then, when the trace has a DSC, a newline and
   * {@code <meta name="baggage" content="…"/>}. Every value is HTML-attribute-escaped, so hostile
   * incoming baggage cannot leave the attribute. Freezes the trace's DSC. Without a span (a
   * handler answering a preflight has no transaction) it renders nothing: an empty string.
   */
  public static String render(Span span) {
    if (span == null) return "";
    String sentryTrace = span.toSentryTrace();
    String baggage = span.toBaggage();
    StringBuilder out = new StringBuilder(96 + baggage.length() + 16);
    out.append("<meta name=\"sentry-trace\" content=\"");
    escapeAttribute(sentryTrace, out);
    out.append("\"/>");
    if (!baggage.isEmpty()) {
      out.append("\n<meta name=\"baggage\" content=\"");
      escapeAttribute(baggage, out);
      out.append("\"/>");
    }
    return out.toString();
  }

  /**
   * Escapes {@code & < > " '} for a double- or single-quoted HTML attribute, and CR and LF so that
   * a value never breaks the line.
   */
  static void escapeAttribute(String value, StringBuilder out) {
    for (int i = 0, n = value.length(); i < n; i++) {
      char c = value.charAt(i);
      switch (c) {
        case '&': out.append("&amp;"); break;
        case '<': out.append("&lt;"); break;
        case '>': out.append("&gt;"); break;
        case '"': out.append("&quot;"); break;
        case '\'': out.append("&#39;"); break;
        case '\r': out.append("&#13;"); break;
        case '\n': out.append("&#10;"); break;
        default: out.append(c);
      }
    }
  }
}
