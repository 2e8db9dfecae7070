package io.sentrytrace.demo.web;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Escaping for text that goes into the demo's HTML pages.
 *
 * <pre>{@code
 * String cell = "<td>" + Html.escape(received) + "</td>";
 * }</pre>
 */
public final class Html {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([A-Z_]+)}}");

  private Html() {}

  /**
   * Replaces each {@code {{NAME}}} of {@code template} with its (already escaped) value, in one pass:
   * a value is never scanned for placeholders itself.
   */
  public static String fill(String template, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder(template.length() + 1024);
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) throw new IllegalArgumentException("no value for {{" + m.group(1) + "}}");
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    return m.appendTail(out).toString();
  }

  /** Escapes {@code & < > " '}: safe in element text and in quoted attributes. */
  public static String escape(String value) {
    if (value == null) return "";
    StringBuilder out = new StringBuilder(value.length() + 16);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '&': out.append("&amp;"); break;
        case '<': out.append("&lt;"); break;
        case '>': out.append("&gt;"); break;
        case '"': out.append("&quot;"); break;
        case '\'': out.append("&#39;"); break;
        default: out.append(c);
      }
    }
    return out.toString();
  }

  /** Reverses {@link #escape} (and {@code &#x27;}), for reading our own meta tags back. */
  public static String unescape(String value) {
    return value
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&");
  }

  /**
   * A JSON/JavaScript string literal that is also safe inside an inline {@code <script>}: {@code <},
   * {@code >} and {@code &} are written as {@code \\uXXXX}, so no value can close the script element.
   */
  public static String jsString(String value) {
    StringBuilder out = new StringBuilder(value.length() + 8).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  /** For terminal output: control characters (escape sequences included) become {@code ?}. */
  public static String printable(String value) {
    if (value == null) return "";
    StringBuilder out = null;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
        if (out == null) out = new StringBuilder(value).delete(i, value.length());
        out.append('?');
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? value : out.toString();
  }
}
